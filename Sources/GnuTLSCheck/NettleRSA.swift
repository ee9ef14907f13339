internal import CGnuTLS

// Raw RSA from nettle (and GMP underneath), for the OAEP written from RFC 8017 in
// RFC8017OAEP.swift. GnuTLS 3.7 has no OAEP, so these keys do the bare RSAEP and RSADP
// primitives and nothing else. GnuTLS only parses the key encodings; the arithmetic is
// nettle's `rsa_compute_root_tr` (blinded, CRT, result checked) for the private
// operation and GMP's `mpz_powm` on nettle's key for the public one (nettle exports no
// unpadded public operation).
//
// gmp.h and nettle's headers name their functions through macros (`mpz_init` is
// `__gmpz_init`, `rsa_compute_root_tr` is `nettle_rsa_compute_root_tr`); Swift imports
// only the real names, which is what this file calls.

/// An RSA public key held by nettle (`struct rsa_public_key`), for RSAEP.
public final class NettleRSAPublicKey: @unchecked Sendable {
    // @unchecked Sendable: the key is written only in init and freed in deinit; in
    // between it is only read, through nettle's and GMP's `const` parameters.
    let key: UnsafeMutablePointer<rsa_public_key>

    /// The modulus length in bytes (RFC 8017's `k`).
    public let modulusByteCount: Int

    /// Imports a DER SubjectPublicKeyInfo RSA key: GnuTLS parses it
    /// (`gnutls_pubkey_import`, `gnutls_pubkey_export_rsa_raw2`) and nettle keeps `n`, `e`.
    ///
    /// - Parameter derRepresentation: The SPKI DER.
    /// - Throws: ``GnuTLSError`` when the key is not an RSA SPKI GnuTLS can parse.
    public convenience init(derRepresentation: [UInt8]) throws {
        try GnuTLSLibrary.ensureInitialized()
        var parsed: gnutls_pubkey_t?
        try checkGnuTLS(gnutls_pubkey_init(&parsed), "gnutls_pubkey_init")
        guard let parsed else {
            throw GnuTLSError(function: "gnutls_pubkey_init", message: "returned no key")
        }
        defer { gnutls_pubkey_deinit(parsed) }
        _ = try withDatum(derRepresentation) { datum in
            try checkGnuTLS(gnutls_pubkey_import(parsed, datum, GNUTLS_X509_FMT_DER), "gnutls_pubkey_import")
        }
        var modulus = gnutls_datum_t()
        var exponent = gnutls_datum_t()
        try checkGnuTLS(gnutls_pubkey_export_rsa_raw2(parsed, &modulus, &exponent, 0), "gnutls_pubkey_export_rsa_raw2")
        try self.init(modulus: modulus.takeBytes(), exponent: exponent.takeBytes())
    }

    /// Builds a key from its big-endian modulus and public exponent.
    init(modulus: [UInt8], exponent: [UInt8]) throws {
        key = .allocate(capacity: 1)
        nettle_rsa_public_key_init(key)
        do {
            try setInteger(Self.n(key), to: modulus)
            try setInteger(Self.e(key), to: exponent)
            guard nettle_rsa_public_key_prepare(key) == 1 else {
                throw GnuTLSError(function: "nettle_rsa_public_key_prepare", message: "the RSA public key is not usable")
            }
        } catch {
            nettle_rsa_public_key_clear(key)
            key.deallocate()
            throw error
        }
        modulusByteCount = key.pointee.size
    }

    deinit {
        nettle_rsa_public_key_clear(key)
        key.deallocate()
    }

    static func n(_ key: UnsafeMutablePointer<rsa_public_key>) -> UnsafeMutablePointer<__mpz_struct> {
        field(of: key, at: \rsa_public_key.n)
    }

    static func e(_ key: UnsafeMutablePointer<rsa_public_key>) -> UnsafeMutablePointer<__mpz_struct> {
        field(of: key, at: \rsa_public_key.e)
    }

    /// RSAEP (RFC 8017 §5.1.1): `c = m^e mod n`, as `k` bytes (I2OSP).
    ///
    /// - Parameter message: The message representative, big-endian, at most `k` bytes.
    /// - Returns: The ciphertext, exactly ``modulusByteCount`` bytes.
    /// - Throws: ``GnuTLSError`` when the representative is not below `n`
    ///   ("message representative out of range").
    public func rawEncrypt(_ message: [UInt8]) throws -> [UInt8] {
        try withInteger { representative in
            try setInteger(representative, to: message)
            guard __gmpz_cmp(representative, Self.n(key)) < 0 else {
                throw GnuTLSError(function: "RSAEP", message: "message representative out of range")
            }
            return try withInteger { ciphertext in
                __gmpz_powm(ciphertext, representative, Self.e(key), Self.n(key))
                return try bytes(of: ciphertext, count: modulusByteCount)
            }
        }
    }
}

/// An RSA private key held by nettle (`struct rsa_private_key`), for RSADP.
public final class NettleRSAPrivateKey: @unchecked Sendable {
    // @unchecked Sendable: the key is written only in init and freed in deinit; in
    // between it is only read, through nettle's `const` parameters.
    let key: UnsafeMutablePointer<rsa_private_key>

    /// The public half, in nettle.
    public let publicKey: NettleRSAPublicKey

    /// The modulus length in bytes (RFC 8017's `k`).
    public var modulusByteCount: Int { publicKey.modulusByteCount }

    /// Imports an unencrypted PKCS#8 DER RSA private key: GnuTLS parses it
    /// (`gnutls_x509_privkey_import_pkcs8`, `gnutls_x509_privkey_export_rsa_raw2`);
    /// nettle gets `n`, `e`, `d`, `p`, `q`, and the CRT values are computed here with GMP
    /// rather than trusted from the encoding.
    ///
    /// - Parameter pkcs8DERRepresentation: The PKCS#8 `PrivateKeyInfo` DER.
    /// - Throws: ``GnuTLSError`` when the key is not an RSA PKCS#8 key GnuTLS can parse,
    ///   or its numbers do not make an RSA key.
    public init(pkcs8DERRepresentation: [UInt8]) throws {
        try GnuTLSLibrary.ensureInitialized()
        var parsed: gnutls_x509_privkey_t?
        try checkGnuTLS(gnutls_x509_privkey_init(&parsed), "gnutls_x509_privkey_init")
        guard let parsed else {
            throw GnuTLSError(function: "gnutls_x509_privkey_init", message: "returned no key")
        }
        defer { gnutls_x509_privkey_deinit(parsed) }
        _ = try withDatum(pkcs8DERRepresentation) { datum in
            try checkGnuTLS(
                gnutls_x509_privkey_import_pkcs8(parsed, datum, GNUTLS_X509_FMT_DER, nil, GNUTLS_PKCS_PLAIN.rawValue),
                "gnutls_x509_privkey_import_pkcs8"
            )
        }
        let algorithm = gnutls_x509_privkey_get_pk_algorithm(parsed)
        guard algorithm == Int32(GNUTLS_PK_RSA.rawValue) else {
            throw GnuTLSError(function: "NettleRSAPrivateKey", message: "not an RSA key (GnuTLS algorithm \(algorithm))")
        }
        var modulus = gnutls_datum_t(), publicExponent = gnutls_datum_t(), privateExponent = gnutls_datum_t()
        var prime1 = gnutls_datum_t(), prime2 = gnutls_datum_t(), coefficient = gnutls_datum_t()
        var exponent1 = gnutls_datum_t(), exponent2 = gnutls_datum_t()
        try checkGnuTLS(
            gnutls_x509_privkey_export_rsa_raw2(
                parsed, &modulus, &publicExponent, &privateExponent, &prime1, &prime2, &coefficient,
                &exponent1, &exponent2),
            "gnutls_x509_privkey_export_rsa_raw2"
        )
        // Only n, e, d, p and q are used; the CRT values are derived below.
        _ = coefficient.takeBytes()
        _ = exponent1.takeBytes()
        _ = exponent2.takeBytes()
        let d = privateExponent.takeBytes(), p = prime1.takeBytes(), q = prime2.takeBytes()
        publicKey = try NettleRSAPublicKey(modulus: modulus.takeBytes(), exponent: publicExponent.takeBytes())

        key = .allocate(capacity: 1)
        nettle_rsa_private_key_init(key)
        do {
            try Self.fill(key, d: d, p: p, q: q)
        } catch {
            nettle_rsa_private_key_clear(key)
            key.deallocate()
            throw error
        }
    }

    deinit {
        nettle_rsa_private_key_clear(key)
        key.deallocate()
    }

    /// Sets `d`, `p`, `q` and the CRT values `a = d mod (p−1)`, `b = d mod (q−1)`,
    /// `c = q⁻¹ mod p` (nettle's names), then lets nettle prepare the key.
    private static func fill(_ key: UnsafeMutablePointer<rsa_private_key>, d: [UInt8], p: [UInt8], q: [UInt8]) throws {
        let dField = field(of: key, at: \rsa_private_key.d)
        let pField = field(of: key, at: \rsa_private_key.p)
        let qField = field(of: key, at: \rsa_private_key.q)
        try setInteger(dField, to: d)
        try setInteger(pField, to: p)
        try setInteger(qField, to: q)
        try withInteger { scratch in
            __gmpz_sub_ui(scratch, pField, 1)
            __gmpz_mod(field(of: key, at: \rsa_private_key.a), dField, scratch)
            __gmpz_sub_ui(scratch, qField, 1)
            __gmpz_mod(field(of: key, at: \rsa_private_key.b), dField, scratch)
        }
        guard __gmpz_invert(field(of: key, at: \rsa_private_key.c), qField, pField) != 0 else {
            throw GnuTLSError(function: "mpz_invert", message: "q has no inverse modulo p")
        }
        guard nettle_rsa_private_key_prepare(key) == 1 else {
            throw GnuTLSError(function: "nettle_rsa_private_key_prepare", message: "the RSA private key is not usable")
        }
    }

    /// RSADP (RFC 8017 §5.1.2): `m = c^d mod n` with nettle's `rsa_compute_root_tr`
    /// (random blinding from `gnutls_rnd`, CRT, the result checked against `e`).
    ///
    /// - Parameter ciphertext: The ciphertext representative, big-endian.
    /// - Returns: The message representative as `k` bytes (I2OSP), or `nil` when the
    ///   representative is not below `n` ("ciphertext representative out of range").
    /// - Throws: ``GnuTLSError`` when nettle's check of its own result fails.
    public func rawDecrypt(_ ciphertext: [UInt8]) throws -> [UInt8]? {
        let publicKey = self.publicKey
        return try withInteger { representative -> [UInt8]? in
            try setInteger(representative, to: ciphertext)
            guard __gmpz_cmp(representative, NettleRSAPublicKey.n(publicKey.key)) < 0 else { return nil }
            return try withInteger { message in
                let succeeded = nettle_rsa_compute_root_tr(
                    publicKey.key, key, nil,
                    { _, length, destination in
                        // nettle's blinding factor; a failing generator must not go unnoticed.
                        let returnCode = gnutls_rnd(GNUTLS_RND_NONCE, destination, length)
                        precondition(returnCode == 0, "gnutls_rnd failed with \(returnCode)")
                    },
                    message, representative)
                guard succeeded == 1 else {
                    throw GnuTLSError(function: "nettle_rsa_compute_root_tr", message: "the RSA result did not check")
                }
                return try bytes(of: message, count: publicKey.modulusByteCount)
            }
        }
    }
}

/// A pointer to an `mpz_t` member of a heap-allocated nettle key. The key never moves,
/// so the pointer stays valid as long as the key.
private func field<Key>(
    of key: UnsafeMutablePointer<Key>, at path: PartialKeyPath<Key>
) -> UnsafeMutablePointer<__mpz_struct> {
    guard let offset = MemoryLayout<Key>.offset(of: path) else {
        preconditionFailure("\(path) is not a stored member of \(Key.self)")
    }
    return UnsafeMutableRawPointer(key).advanced(by: offset).assumingMemoryBound(to: __mpz_struct.self)
}

/// Lends a fresh GMP integer (zero) for the duration of `body`, then clears it.
func withInteger<Result>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> Result) throws -> Result {
    let integer = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
    __gmpz_init(integer)
    defer {
        __gmpz_clear(integer)
        integer.deallocate()
    }
    return try body(integer)
}

/// OS2IP: sets `integer` to the unsigned big-endian `bytes` (empty is zero).
func setInteger(_ integer: UnsafeMutablePointer<__mpz_struct>, to bytes: [UInt8]) throws {
    try withBytes(bytes) { pointer, count in
        nettle_mpz_set_str_256_u(integer, count, pointer.assumingMemoryBound(to: UInt8.self))
    }
}

/// I2OSP: `integer` as exactly `count` big-endian bytes.
///
/// - Throws: ``GnuTLSError`` when it does not fit ("integer too large").
func bytes(of integer: UnsafeMutablePointer<__mpz_struct>, count: Int) throws -> [UInt8] {
    // Every integer here is non-negative: read from unsigned bytes or a modular power.
    guard nettle_mpz_sizeinbase_256_u(integer) <= count else {
        throw GnuTLSError(function: "I2OSP", message: "integer too large for \(count) bytes")
    }
    return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
        nettle_mpz_get_str_256(count, output.baseAddress, integer)
        initialized = count
    }
}
