public import FoundationEssentials
internal import COpenSSL

/// HKDF (RFC 5869) through OpenSSL's EVP_KDF, in its two halves, as the Encryption SDK
/// uses them: one extract per message, then an expand per derived key.
public enum HKDF {
    /// HKDF-Extract: a pseudorandom key from input keying material and a salt.
    ///
    /// - Parameters:
    ///   - hash: The HMAC hash, such as `.sha512`.
    ///   - salt: The salt (the message id, for the Encryption SDK); may be empty.
    ///   - inputKeyMaterial: The secret input.
    /// - Returns: The pseudorandom key, `hash.digestSize` bytes.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    public static func extract(
        hash: HashFunction, salt: some DataProtocol, inputKeyMaterial: SecureBytes
    ) throws -> SecureBytes {
        try inputKeyMaterial.withUnsafeBytes { key in
            try derive(hash: hash, mode: EVP_KDF_HKDF_MODE_EXTRACT_ONLY, key: key, salt: Array(salt), info: [], length: hash.digestSize)
        }
    }

    /// HKDF-Expand: `outputByteCount` bytes of keying material from a pseudorandom key.
    ///
    /// - Parameters:
    ///   - hash: The HMAC hash.
    ///   - pseudoRandomKey: The output of ``extract(hash:salt:inputKeyMaterial:)``.
    ///   - info: The context string that tells derived keys apart.
    ///   - outputByteCount: 1 to 255 × the hash length.
    /// - Returns: The derived key material.
    /// - Throws: ``SigilError`` with code `invalidArgument` for an impossible length.
    public static func expand(
        hash: HashFunction, pseudoRandomKey: SecureBytes, info: some DataProtocol, outputByteCount: Int
    ) throws -> SecureBytes {
        guard (1...(255 * hash.digestSize)).contains(outputByteCount) else {
            throw SigilError(
                .invalidArgument, "HKDF-\(hash) expands to 1...\(255 * hash.digestSize) bytes, not \(outputByteCount)")
        }
        return try pseudoRandomKey.withUnsafeBytes { key in
            try derive(hash: hash, mode: EVP_KDF_HKDF_MODE_EXPAND_ONLY, key: key, salt: [], info: Array(info), length: outputByteCount)
        }
    }

    private static func derive(
        hash: HashFunction, mode: Int32, key: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8], length: Int
    ) throws -> SecureBytes {
        OpenSSLErrorQueue.clear()
        let kdf = try checkOpenSSL(EVP_KDF_fetch(nil, "HKDF", nil), .cryptoFailure, "fetching HKDF")
        defer { EVP_KDF_free(kdf) }
        let context = try checkOpenSSL(EVP_KDF_CTX_new(kdf), .cryptoFailure, "EVP_KDF_CTX_new")
        defer { EVP_KDF_CTX_free(context) }
        let parameters = OSSLParameters()
        parameters.addUTF8String("digest", hash.openSSLName)
        parameters.addInt32("mode", mode)
        parameters.addOctetString("key", key)
        if !salt.isEmpty { parameters.addOctetString("salt", salt) }
        if !info.isEmpty { parameters.addOctetString("info", info) }
        return try parameters.withUnsafeParameters { parameterArray in
            try SecureBytes(count: length) { output in
                try checkOpenSSL(
                    EVP_KDF_derive(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), length, parameterArray),
                    .cryptoFailure, "HKDF-\(hash)")
            }
        }
    }
}
