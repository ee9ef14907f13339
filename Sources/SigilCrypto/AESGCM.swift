public import FoundationEssentials
internal import COpenSSL

/// AES-256-GCM with 12-byte nonces and 16-byte tags: the cipher of the Encryption SDK's
/// committing suites and of the key holder's symmetric ciphertexts.
public enum AESGCM {
    /// The key length in bytes.
    public static let keySize = 32
    /// The nonce (IV) length in bytes.
    public static let nonceSize = 12
    /// The tag length in bytes.
    public static let tagSize = 16

    /// Encrypts and authenticates `plaintext`, and authenticates `aad`.
    ///
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - key: A 32-byte key.
    ///   - nonce: A 12-byte nonce, never reused with the same key.
    ///   - aad: Additional data bound to the ciphertext but not encrypted.
    /// - Returns: The ciphertext (as long as the plaintext) and the 16-byte tag.
    /// - Throws: ``SigilError`` with code `invalidArgument` for a wrong key or nonce length.
    public static func seal(
        _ plaintext: some DataProtocol, key: SecureBytes, nonce: some DataProtocol,
        authenticating aad: some DataProtocol
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let cipher = try AESGCMCipher(key: key)
        let input = Array(plaintext)
        var tag = [UInt8](repeating: 0, count: tagSize)
        let ciphertext = try [UInt8](unsafeUninitializedCapacity: input.count) { output, count in
            try input.withUnsafeBytes { inputBytes in
                try tag.withUnsafeMutableBytes { tagBytes in
                    try cipher.seal(
                        inputBytes, into: UnsafeMutableRawBufferPointer(output), nonce: Array(nonce),
                        aad: Array(aad), tag: tagBytes)
                }
            }
            count = input.count
        }
        return (ciphertext, tag)
    }

    /// Checks the tag and decrypts.
    ///
    /// - Parameters:
    ///   - ciphertext: The ciphertext.
    ///   - tag: The 16-byte tag.
    ///   - key: The 32-byte key.
    ///   - nonce: The 12-byte nonce it was sealed with.
    ///   - aad: The additional data it was sealed with.
    /// - Returns: The plaintext, only when the tag checks.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the tag does not
    ///   match (altered data, wrong key, nonce or AAD); `invalidArgument` for wrong lengths.
    public static func open(
        _ ciphertext: some DataProtocol, tag: some DataProtocol, key: SecureBytes, nonce: some DataProtocol,
        authenticating aad: some DataProtocol
    ) throws -> [UInt8] {
        let cipher = try AESGCMCipher(key: key)
        let input = Array(ciphertext)
        let tagBytes = Array(tag)
        return try [UInt8](unsafeUninitializedCapacity: input.count) { output, count in
            try input.withUnsafeBytes { inputBytes in
                try tagBytes.withUnsafeBytes { tagBuffer in
                    try cipher.open(
                        inputBytes, into: UnsafeMutableRawBufferPointer(output), nonce: Array(nonce),
                        aad: Array(aad), tag: tagBuffer)
                }
            }
            count = input.count
        }
    }
}

/// One AES-256-GCM key, set up once and used for many seal and open calls (the frames of
/// a message), with no allocation per call.
///
/// Not `Sendable`: it owns a mutable OpenSSL context; use one per task.
public final class AESGCMCipher {
    private let encryptContext: OpaquePointer
    private let decryptContext: OpaquePointer

    /// Expands `key` for both directions.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` unless the key is 32 bytes.
    public init(key: SecureBytes) throws {
        guard key.count == AESGCM.keySize else {
            throw SigilError(.invalidArgument, "an AES-256-GCM key is 32 bytes, but \(key.count) were given")
        }
        OpenSSLErrorQueue.clear()
        let encrypt = try checkOpenSSL(EVP_CIPHER_CTX_new(), .cryptoFailure, "EVP_CIPHER_CTX_new")
        guard let decrypt = EVP_CIPHER_CTX_new() else {
            EVP_CIPHER_CTX_free(encrypt)
            throw OpenSSLErrorQueue.error(.cryptoFailure, "EVP_CIPHER_CTX_new failed")
        }
        encryptContext = encrypt
        decryptContext = decrypt
        try key.withUnsafeBytes { keyBytes in
            let keyPointer = keyBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            try checkOpenSSL(
                EVP_EncryptInit_ex(encrypt, EVP_aes_256_gcm(), nil, keyPointer, nil), .cryptoFailure,
                "setting up AES-256-GCM encryption")
            try checkOpenSSL(
                EVP_DecryptInit_ex(decrypt, EVP_aes_256_gcm(), nil, keyPointer, nil), .cryptoFailure,
                "setting up AES-256-GCM decryption")
        }
    }

    deinit {
        // EVP_CIPHER_CTX_free cleanses the expanded key schedule.
        EVP_CIPHER_CTX_free(encryptContext)
        EVP_CIPHER_CTX_free(decryptContext)
    }

    /// Encrypts `plaintext` into `output` (at least as long) and writes the tag.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` for wrong lengths.
    public func seal(
        _ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, nonce: [UInt8],
        aad: UnsafeRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        try checkLengths(input: plaintext.count, output: output.count, nonce: nonce.count, tag: tag.count)
        let context = encryptContext
        try nonce.withUnsafeBufferPointer { nonceBytes in
            try checkOpenSSL(EVP_EncryptInit_ex(context, nil, nil, nil, nonceBytes.baseAddress), .cryptoFailure, "setting the nonce")
        }
        var written: Int32 = 0
        if aad.count > 0 {
            try checkOpenSSL(
                EVP_EncryptUpdate(context, nil, &written, aad.baseAddress, Int32(aad.count)), .cryptoFailure, "adding AAD")
        }
        try Self.chunked(plaintext, output) { input, output, length in
            EVP_EncryptUpdate(context, output, &written, input, length)
        }
        try checkOpenSSL(EVP_EncryptFinal_ex(context, nil, &written), .cryptoFailure, "EVP_EncryptFinal_ex")
        try checkOpenSSL(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(AESGCM.tagSize), tag.baseAddress), .cryptoFailure,
            "reading the GCM tag")
    }

    /// Convenience for array AAD.
    public func seal(
        _ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, nonce: [UInt8],
        aad: [UInt8], tag: UnsafeMutableRawBufferPointer
    ) throws {
        try aad.withUnsafeBytes { try seal(plaintext, into: output, nonce: nonce, aad: $0, tag: tag) }
    }

    /// Checks the tag and decrypts `ciphertext` into `output` (at least as long).
    ///
    /// On failure `output` may hold unauthenticated bytes: callers must discard it, and
    /// this method overwrites it with zeros before throwing to make that harder to miss.
    ///
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the tag does not match.
    public func open(
        _ ciphertext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, nonce: [UInt8],
        aad: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer
    ) throws {
        try checkLengths(input: ciphertext.count, output: output.count, nonce: nonce.count, tag: tag.count)
        let context = decryptContext
        try nonce.withUnsafeBufferPointer { nonceBytes in
            try checkOpenSSL(EVP_DecryptInit_ex(context, nil, nil, nil, nonceBytes.baseAddress), .cryptoFailure, "setting the nonce")
        }
        var written: Int32 = 0
        if aad.count > 0 {
            try checkOpenSSL(
                EVP_DecryptUpdate(context, nil, &written, aad.baseAddress, Int32(aad.count)), .cryptoFailure, "adding AAD")
        }
        try Self.chunked(ciphertext, output) { input, output, length in
            EVP_DecryptUpdate(context, output, &written, input, length)
        }
        try checkOpenSSL(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(AESGCM.tagSize), UnsafeMutableRawPointer(mutating: tag.baseAddress)),
            .cryptoFailure, "setting the GCM tag")
        guard EVP_DecryptFinal_ex(context, nil, &written) == 1 else {
            OpenSSLErrorQueue.clear()
            if ciphertext.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: output[0..<ciphertext.count]).initializeMemory(as: UInt8.self, repeating: 0)
            }
            throw SigilError(.authenticationFailure, "the AES-GCM tag does not match: the data was altered or the key is wrong")
        }
    }

    /// Convenience for array AAD.
    public func open(
        _ ciphertext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, nonce: [UInt8],
        aad: [UInt8], tag: UnsafeRawBufferPointer
    ) throws {
        try aad.withUnsafeBytes { try open(ciphertext, into: output, nonce: nonce, aad: $0, tag: tag) }
    }

    private func checkLengths(input: Int, output: Int, nonce: Int, tag: Int) throws {
        guard nonce == AESGCM.nonceSize else {
            throw SigilError(.invalidArgument, "an AES-GCM nonce is 12 bytes, but \(nonce) were given")
        }
        guard tag == AESGCM.tagSize else {
            throw SigilError(.invalidArgument, "an AES-GCM tag is 16 bytes, but \(tag) were given")
        }
        guard output >= input else {
            throw SigilError(.invalidArgument, "the output buffer (\(output) bytes) is shorter than the input (\(input))")
        }
    }

    /// Feeds OpenSSL's `int`-sized update calls in pieces, so inputs past 2 GiB work too.
    private static func chunked(
        _ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        _ update: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>, Int32) -> Int32
    ) throws {
        guard input.count > 0 else { return }
        let inputBase = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let outputBase = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var offset = 0
        while offset < input.count {
            let length = min(input.count - offset, 1 << 30)
            try checkOpenSSL(update(inputBase + offset, outputBase + offset, Int32(length)), .cryptoFailure, "AES-GCM update")
            offset += length
        }
    }
}
