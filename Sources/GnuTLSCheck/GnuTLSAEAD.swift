internal import CGnuTLS

/// AES-GCM computed by GnuTLS (`gnutls_aead_cipher_*`, nettle underneath), to check
/// SigilCrypto's frames and header tags against.
///
/// The key length picks the cipher: 16 bytes AES-128-GCM, 24 bytes AES-192-GCM, 32 bytes
/// AES-256-GCM (the one the message format uses). Tags are always 16 bytes. Each call
/// makes and frees its own GnuTLS handle, so nothing is shared between threads.
///
/// Nonces are 12 bytes only. GnuTLS 3.7.9's accelerated x86-64 GCM (AES-NI + PCLMUL, the
/// one it picks on this hardware) returns success but computes wrong ciphertexts and tags
/// for any other IV length (Wycheproof's valid 8…2056-bit IV cases fail; with
/// `GNUTLS_CPUID_OVERRIDE=0x1` nettle's generic code gets them right), and both accept an
/// empty IV. The message format uses 12-byte IVs, so the wrapper refuses the rest rather
/// than answer wrongly.
public enum GnuTLSAEAD {
    /// The GCM tag length in bytes.
    public static let tagByteCount = 16
    /// The one nonce length this wrapper accepts.
    public static let nonceByteCount = 12

    /// Encrypts and authenticates with `gnutls_aead_cipher_encrypt`.
    ///
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt; may be empty.
    ///   - key: 16, 24 or 32 bytes.
    ///   - nonce: The IV, 12 bytes.
    ///   - aad: Additional authenticated data; may be empty.
    /// - Returns: The ciphertext (as long as the plaintext) and the 16-byte tag.
    /// - Throws: ``GnuTLSError`` for a key or nonce of another length, or when GnuTLS refuses.
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let combined = try withCipher(key: key, nonce: nonce) { handle in
            let capacity = plaintext.count + tagByteCount
            return try [UInt8](unsafeUninitializedCapacity: capacity) { output, initialized in
                var written = capacity
                _ = try withBytes(nonce) { noncePointer, nonceCount in
                    try withBytes(aad) { aadPointer, aadCount in
                        try withBytes(plaintext) { plaintextPointer, plaintextCount in
                            try checkGnuTLS(
                                gnutls_aead_cipher_encrypt(
                                    handle, noncePointer, nonceCount, aadPointer, aadCount, tagByteCount,
                                    plaintextPointer, plaintextCount, output.baseAddress, &written),
                                "gnutls_aead_cipher_encrypt"
                            )
                        }
                    }
                }
                guard written == capacity else {
                    throw GnuTLSError(
                        function: "gnutls_aead_cipher_encrypt",
                        message: "wrote \(written) bytes, expected \(capacity)")
                }
                initialized = written
            }
        }
        return (Array(combined.prefix(plaintext.count)), Array(combined.suffix(tagByteCount)))
    }

    /// Checks the tag and decrypts with `gnutls_aead_cipher_decrypt`.
    ///
    /// - Parameters:
    ///   - ciphertext: The encrypted bytes, without the tag.
    ///   - tag: The 16-byte tag; any other length is a failed tag.
    ///   - key: 16, 24 or 32 bytes.
    ///   - nonce: The 12-byte IV the bytes were sealed with.
    ///   - aad: The additional authenticated data they were sealed with.
    /// - Returns: The plaintext, or `nil` when the tag does not check
    ///   (`GNUTLS_E_DECRYPTION_FAILED`).
    /// - Throws: ``GnuTLSError`` for a key or nonce of another length or any other GnuTLS failure.
    public static func open(
        _ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]
    ) throws -> [UInt8]? {
        guard tag.count == tagByteCount else { return nil }
        let input = ciphertext + tag
        return try withCipher(key: key, nonce: nonce) { handle -> [UInt8]? in
            var rejected = false
            // GnuTLS wants room for the whole input, although only the plaintext is written.
            let plaintext = try [UInt8](unsafeUninitializedCapacity: input.count) { output, initialized in
                var written = input.count
                let returnCode = try withBytes(nonce) { noncePointer, nonceCount in
                    try withBytes(aad) { aadPointer, aadCount in
                        try withBytes(input) { inputPointer, inputCount in
                            gnutls_aead_cipher_decrypt(
                                handle, noncePointer, nonceCount, aadPointer, aadCount, tagByteCount,
                                inputPointer, inputCount, output.baseAddress, &written)
                        }
                    }
                }
                if returnCode == GNUTLS_E_DECRYPTION_FAILED {
                    rejected = true
                    initialized = 0
                    return
                }
                try checkGnuTLS(returnCode, "gnutls_aead_cipher_decrypt")
                guard written == ciphertext.count else {
                    throw GnuTLSError(
                        function: "gnutls_aead_cipher_decrypt",
                        message: "wrote \(written) bytes, expected \(ciphertext.count)")
                }
                initialized = written
            }
            return rejected ? nil : plaintext
        }
    }

    private static func withCipher<Result>(
        key: [UInt8], nonce: [UInt8], _ body: (gnutls_aead_cipher_hd_t) throws -> Result
    ) throws -> Result {
        try GnuTLSLibrary.ensureInitialized()
        guard nonce.count == nonceByteCount else {
            throw GnuTLSError(
                function: "GnuTLSAEAD",
                message: "nonce is \(nonce.count) bytes; only \(nonceByteCount) are computed correctly by GnuTLS 3.7 here")
        }
        let algorithm: gnutls_cipher_algorithm_t
        switch key.count {
        case 16: algorithm = GNUTLS_CIPHER_AES_128_GCM
        case 24: algorithm = GNUTLS_CIPHER_AES_192_GCM
        case 32: algorithm = GNUTLS_CIPHER_AES_256_GCM
        default:
            throw GnuTLSError(function: "GnuTLSAEAD", message: "an AES-GCM key is 16, 24 or 32 bytes, not \(key.count)")
        }
        var handle: gnutls_aead_cipher_hd_t?
        _ = try withDatum(key) { keyDatum in
            try checkGnuTLS(gnutls_aead_cipher_init(&handle, algorithm, keyDatum), "gnutls_aead_cipher_init")
        }
        guard let handle else {
            throw GnuTLSError(function: "gnutls_aead_cipher_init", message: "returned no handle")
        }
        defer { gnutls_aead_cipher_deinit(handle) }
        return try body(handle)
    }
}

/// Lends `bytes` as a pointer and a count; an empty input is lent as a valid pointer
/// to a scratch byte with count 0, since C callees may not accept a null pointer.
func withBytes<Result>(
    _ bytes: [UInt8], _ body: (UnsafeRawPointer, Int) throws -> Result
) throws -> Result {
    if bytes.isEmpty {
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { scratch in
            scratch.initialize(repeating: 0)
            return try body(UnsafeRawPointer(scratch.baseAddress!), 0)
        }
    }
    return try bytes.withUnsafeBytes { buffer in try body(buffer.baseAddress!, buffer.count) }
}
