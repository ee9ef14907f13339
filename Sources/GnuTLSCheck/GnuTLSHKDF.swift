internal import CGnuTLS

/// HKDF (RFC 5869) computed by GnuTLS (`gnutls_hkdf_extract`, `gnutls_hkdf_expand`), to
/// check SigilCrypto's key derivations against.
public enum GnuTLSHKDF {
    /// HKDF-Extract: `PRK = HMAC-Hash(salt, IKM)`.
    ///
    /// - Parameters:
    ///   - hash: The hash under HMAC, such as ``GnuTLSDigest/sha512``.
    ///   - salt: The salt; may be empty (HMAC then keys with the empty string, which
    ///     RFC 5869 treats as equal to a string of hash-length zeros).
    ///   - inputKeyMaterial: The input key material; may be empty.
    /// - Returns: The pseudorandom key, one hash length.
    /// - Throws: ``GnuTLSError`` when GnuTLS refuses.
    public static func extract(
        hash: GnuTLSDigest, salt: [UInt8], inputKeyMaterial: [UInt8]
    ) throws -> [UInt8] {
        try GnuTLSLibrary.ensureInitialized()
        let length = hash.byteCount
        return try [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            _ = try withDatum(inputKeyMaterial) { keyDatum in
                try withDatum(salt) { saltDatum in
                    try checkGnuTLS(
                        gnutls_hkdf_extract(hash.mac, keyDatum, saltDatum, output.baseAddress),
                        "gnutls_hkdf_extract(\(hash))"
                    )
                }
            }
            initialized = length
        }
    }

    /// HKDF-Expand: `T(1) ‖ T(2) ‖ …` cut to `outputByteCount`.
    ///
    /// - Parameters:
    ///   - hash: The hash under HMAC.
    ///   - pseudoRandomKey: The PRK, usually from ``extract(hash:salt:inputKeyMaterial:)``.
    ///   - info: The context and application specific information; may be empty.
    ///   - outputByteCount: 1 to 255 times the hash length.
    /// - Returns: The output keying material.
    /// - Throws: ``GnuTLSError`` for a length outside 1...255·hashLen, or when GnuTLS refuses.
    public static func expand(
        hash: GnuTLSDigest, pseudoRandomKey: [UInt8], info: [UInt8], outputByteCount: Int
    ) throws -> [UInt8] {
        try GnuTLSLibrary.ensureInitialized()
        guard (1...(255 * hash.byteCount)).contains(outputByteCount) else {
            throw GnuTLSError(
                function: "GnuTLSHKDF.expand",
                message: "HKDF-\(hash) expands to 1...\(255 * hash.byteCount) bytes, not \(outputByteCount)")
        }
        return try [UInt8](unsafeUninitializedCapacity: outputByteCount) { output, initialized in
            _ = try withDatum(pseudoRandomKey) { keyDatum in
                try withDatum(info) { infoDatum in
                    try checkGnuTLS(
                        gnutls_hkdf_expand(hash.mac, keyDatum, infoDatum, output.baseAddress, outputByteCount),
                        "gnutls_hkdf_expand(\(hash))"
                    )
                }
            }
            initialized = outputByteCount
        }
    }
}
