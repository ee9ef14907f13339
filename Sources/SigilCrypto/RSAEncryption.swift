public import FoundationEssentials
internal import COpenSSL

/// How RSA encrypts: OAEP with a hash (MGF1 with the same hash, empty label), or the
/// old PKCS#1 v1.5 padding, which Sigil only ever decrypts.
public struct RSAEncryptionPadding: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case oaep(hash: HashFunction, mgf1Hash: HashFunction)
        case pkcs1v15
    }

    let kind: Kind

    /// RSA-OAEP (RFC 8017 §7.1) with `hash`, and MGF1 with `mgf1Hash` (the same by default).
    public static func oaep(hash: HashFunction, mgf1Hash: HashFunction? = nil) -> RSAEncryptionPadding {
        RSAEncryptionPadding(kind: .oaep(hash: hash, mgf1Hash: mgf1Hash ?? hash))
    }

    /// OAEP with SHA-1 (KMS `RSAES_OAEP_SHA_1`).
    public static let oaepSHA1 = oaep(hash: .sha1)
    /// OAEP with SHA-256 (KMS `RSAES_OAEP_SHA_256`).
    public static let oaepSHA256 = oaep(hash: .sha256)
    /// OAEP with SHA-384.
    public static let oaepSHA384 = oaep(hash: .sha384)
    /// OAEP with SHA-512.
    public static let oaepSHA512 = oaep(hash: .sha512)

    /// PKCS#1 v1.5 encryption padding. Insecure: decryption with it can leak the plaintext
    /// to an attacker who sees whether it failed (Bleichenbacher). For reading old data only;
    /// Sigil refuses to encrypt with it.
    public static let insecurePKCS1v1_5 = RSAEncryptionPadding(kind: .pkcs1v15)

    /// The longest plaintext this padding fits in a modulus of `modulusBytes` bytes.
    public func maximumPlaintextLength(modulusBytes: Int) -> Int {
        switch kind {
        case let .oaep(hash, _): return modulusBytes - 2 * hash.digestSize - 2
        case .pkcs1v15: return modulusBytes - 11
        }
    }

    public var description: String {
        switch kind {
        case let .oaep(hash, mgf1Hash) where hash == mgf1Hash: return "RSA-OAEP-\(hash)"
        case let .oaep(hash, mgf1Hash): return "RSA-OAEP-\(hash) (MGF1-\(mgf1Hash))"
        case .pkcs1v15: return "RSA-PKCS1-v1_5 (insecure)"
        }
    }

    fileprivate func configure(_ context: OpaquePointer) throws {
        switch kind {
        case let .oaep(hash, mgf1Hash):
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING), .cryptoFailure, "setting OAEP padding")
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_oaep_md(context, hash.evpMD), .cryptoFailure, "setting the OAEP hash")
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_mgf1_md(context, mgf1Hash.evpMD), .cryptoFailure, "setting the MGF1 hash")
        case .pkcs1v15:
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING), .cryptoFailure, "setting PKCS#1 v1.5 padding")
        }
    }
}

extension AsymmetricPublicKey {
    /// Encrypts a short secret (a data key) to this RSA key.
    ///
    /// - Parameters:
    ///   - plaintext: At most `padding.maximumPlaintextLength` bytes.
    ///   - padding: An OAEP padding.
    /// - Returns: The ciphertext, as long as the modulus.
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch` for an EC key,
    ///   `invalidArgument` for a plaintext that does not fit or PKCS#1 v1.5 padding.
    public func encrypt(_ plaintext: some DataProtocol, padding: RSAEncryptionPadding) throws -> [UInt8] {
        guard family == .rsa, let modulusBytes = rsaSignatureSize else {
            throw SigilError(.algorithmKeyMismatch, "RSA encryption needs an RSA key, but this is an \(family) key")
        }
        guard padding != .insecurePKCS1v1_5 else {
            throw SigilError(.invalidArgument, "Sigil never encrypts with PKCS#1 v1.5 padding; use OAEP")
        }
        let limit = padding.maximumPlaintextLength(modulusBytes: modulusBytes)
        guard plaintext.count <= limit else {
            throw SigilError(
                .invalidArgument, "\(padding) with RSA-\(sizeInBits) encrypts at most \(limit) bytes, not \(plaintext.count)")
        }
        OpenSSLErrorQueue.clear()
        return try backing.withContext { context in
            try checkOpenSSL(EVP_PKEY_encrypt_init(context), .cryptoFailure, "EVP_PKEY_encrypt_init")
            try padding.configure(context)
            return try withContiguousBytes(plaintext) { input in
                let inputPointer = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var length = modulusBytes
                return try [UInt8](unsafeUninitializedCapacity: modulusBytes) { output, count in
                    try checkOpenSSL(
                        EVP_PKEY_encrypt(context, output.baseAddress, &length, inputPointer ?? UnsafePointer(output.baseAddress!), input.count),
                        .cryptoFailure, "encrypting with \(padding)")
                    count = length
                }
            }
        }
    }

    /// The public point in compressed SEC 1 form (0x02 or 0x03, then x), for EC keys.
    ///
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch` for an RSA key.
    public var compressedPoint: [UInt8] {
        get throws {
            guard family == .ec, let curve else {
                throw SigilError(.algorithmKeyMismatch, "only EC keys have a point, and this is an \(family) key")
            }
            return try Self.compressed(backing.encodedPublicPoint(), curve: curve)
        }
    }

    /// A SEC 1 point in compressed form; a compressed point is returned as it is.
    static func compressed(_ point: [UInt8], curve: ECCurve) throws -> [UInt8] {
        let size = curve.coordinateSize
        if point.count == 1 + size, point.first == 2 || point.first == 3 {
            return point
        }
        guard point.count == 1 + 2 * size, point.first == 4 else {
            throw SigilError(.cryptoFailure, "unexpected EC point encoding of \(point.count) bytes")
        }
        let yIsOdd = point[2 * size] & 1 == 1
        return [yIsOdd ? 3 : 2] + point[1...size]
    }

    /// Imports an EC public key from its SEC 1 point (compressed or not) on `curve`.
    ///
    /// - Throws: ``SigilError`` with code `malformedKey` when the bytes are not a point on the curve.
    public init(ecPoint point: some DataProtocol, curve: ECCurve) throws {
        let pointBytes = Array(point)
        guard !pointBytes.isEmpty else {
            throw SigilError(.malformedKey, "the EC point is empty")
        }
        OpenSSLErrorQueue.clear()
        let context = try checkOpenSSL(EVP_PKEY_CTX_new_from_name(nil, "EC", nil), .cryptoFailure, "EVP_PKEY_CTX_new_from_name")
        defer { EVP_PKEY_CTX_free(context) }
        try checkOpenSSL(EVP_PKEY_fromdata_init(context), .cryptoFailure, "EVP_PKEY_fromdata_init")
        let parameters = OSSLParameters()
        parameters.addUTF8String("group", curve.openSSLGroupName)
        parameters.addOctetString("pub", pointBytes)
        var key: OpaquePointer? = nil
        let result = parameters.withUnsafeParameters { EVP_PKEY_fromdata(context, &key, sigil_EVP_PKEY_PUBLIC_KEY(), $0) }
        guard result == 1, let key else {
            throw OpenSSLErrorQueue.error(.malformedKey, "not a point on \(curve)")
        }
        let backing = EVPKey(takingOwnershipOf: key)
        try backing.withContext { check in
            guard EVP_PKEY_public_check(check) == 1 else {
                throw OpenSSLErrorQueue.error(.malformedKey, "not a valid \(curve) public key")
            }
        }
        try self.init(backing: backing)
    }
}

extension AsymmetricPrivateKey {
    /// Decrypts a short secret encrypted to this RSA key.
    ///
    /// - Parameters:
    ///   - ciphertext: Exactly the modulus length.
    ///   - padding: The padding it was encrypted with.
    /// - Returns: The plaintext, in a buffer wiped on release.
    /// - Throws: ``SigilError`` with code `decryptionFailure` when the ciphertext does not
    ///   decrypt under this key and padding (one error for every cause, on purpose),
    ///   `algorithmKeyMismatch` for an EC key.
    public func decrypt(_ ciphertext: some DataProtocol, padding: RSAEncryptionPadding) throws -> SecureBytes {
        guard publicKey.family == .rsa, let modulusBytes = publicKey.rsaSignatureSize else {
            throw SigilError(.algorithmKeyMismatch, "RSA decryption needs an RSA key, but this is an \(publicKey.family) key")
        }
        guard ciphertext.count == modulusBytes else {
            throw SigilError(
                .decryptionFailure,
                "an RSA-\(publicKey.sizeInBits) ciphertext is \(modulusBytes) bytes, but this one is \(ciphertext.count)")
        }
        OpenSSLErrorQueue.clear()
        return try backing.withContext { context in
            try checkOpenSSL(EVP_PKEY_decrypt_init(context), .cryptoFailure, "EVP_PKEY_decrypt_init")
            try padding.configure(context)
            var scratch = [UInt8](repeating: 0, count: modulusBytes)
            defer { Zeroize.bytes(&scratch) }
            var length = modulusBytes
            let result = withContiguousBytes(ciphertext) { input in
                EVP_PKEY_decrypt(context, &scratch, &length, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
            }
            guard result == 1 else {
                OpenSSLErrorQueue.clear()
                throw SigilError(
                    .decryptionFailure, "\(padding) decryption failed: wrong key, wrong padding, or an altered ciphertext")
            }
            return SecureBytes(scratch.prefix(length))
        }
    }
}
