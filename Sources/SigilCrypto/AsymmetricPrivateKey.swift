public import FoundationEssentials
internal import COpenSSL

/// An RSA or EC private key: generated, or imported from PKCS#8.
///
/// Sigil's verifier side never holds one; the key holder and the tests do.
/// Immutable, hence `Sendable`.
public struct AsymmetricPrivateKey: Sendable {
    let backing: EVPKey
    /// The matching public key.
    public let publicKey: AsymmetricPublicKey

    /// Generates a new key.
    ///
    /// - Parameter spec: The KMS key spec, such as `.rsa3072` or `.eccNistP256`.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if generation fails.
    public init(generating spec: KeySpec) throws {
        OpenSSLErrorQueue.clear()
        let context = try checkOpenSSL(
            EVP_PKEY_CTX_new_from_name(nil, spec.family == .rsa ? "RSA" : "EC", nil), .cryptoFailure,
            "creating a \(spec) key generation context")
        defer { EVP_PKEY_CTX_free(context) }
        try checkOpenSSL(EVP_PKEY_keygen_init(context), .cryptoFailure, "EVP_PKEY_keygen_init")
        if let curve = spec.curve {
            try checkOpenSSL(
                EVP_PKEY_CTX_set_group_name(context, curve.openSSLGroupName), .cryptoFailure, "selecting \(curve)")
        } else {
            try checkOpenSSL(
                EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(spec.sizeInBits)), .cryptoFailure,
                "setting the RSA modulus size")
        }
        var generated: OpaquePointer? = nil
        try checkOpenSSL(EVP_PKEY_generate(context, &generated), .cryptoFailure, "generating a \(spec) key")
        try self.init(backing: EVPKey(takingOwnershipOf: try checkOpenSSL(generated, .cryptoFailure, "EVP_PKEY_generate")))
    }

    /// Imports an unencrypted PKCS#8 `PrivateKeyInfo` in DER.
    ///
    /// - Parameter pkcs8DERRepresentation: The DER bytes.
    /// - Throws: ``SigilError`` with code `malformedKey` or `unsupportedKey`.
    public init(pkcs8DERRepresentation der: some DataProtocol) throws {
        let bytes = Array(der)
        guard !bytes.isEmpty else {
            throw SigilError(.malformedKey, "the private key is empty")
        }
        OpenSSLErrorQueue.clear()
        let info: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let info = d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count)
            if let info, cursor != buffer.baseAddress! + buffer.count {
                PKCS8_PRIV_KEY_INFO_free(info)
                return nil
            }
            return info
        }
        guard let info else {
            throw OpenSSLErrorQueue.error(.malformedKey, "not a DER PKCS#8 private key")
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let key = try checkOpenSSL(EVP_PKCS82PKEY(info), .malformedKey, "decoding the PKCS#8 private key")
        let backing = EVPKey(takingOwnershipOf: key)
        try self.init(backing: backing)
        try checkConsistency()
    }

    /// Refuses a private key whose halves do not belong together.
    ///
    /// For EC keys, OpenSSL's pairwise check (the public point is d·G) is cheap. For RSA it
    /// also tests p and q for primality, which took 28 ms for RSA-2048 — an eighth of
    /// decrypting 1 GiB — so RSA keys get the functional test FIPS 140 calls a pairwise
    /// consistency test instead: a random value encrypted with the public key must decrypt
    /// with the private key (and OpenSSL checks its CRT result against e on the way).
    private func checkConsistency() throws {
        let failure = SigilError(.malformedKey, "the private key is inconsistent: its private and public halves do not match")
        guard publicKey.family == .rsa else {
            try backing.withContext { context in
                guard EVP_PKEY_pairwise_check(context) == 1 else {
                    OpenSSLErrorQueue.clear()
                    throw failure
                }
            }
            return
        }
        let probe = try SecureRandom.bytes(count: 32)
        let ciphertext = try publicKey.encrypt(probe, padding: .oaepSHA256)
        do {
            guard try decrypt(ciphertext, padding: .oaepSHA256).unsafeBytes == probe else { throw failure }
        } catch {
            throw failure
        }
    }

    /// Imports a PEM `PRIVATE KEY` (PKCS#8) block.
    ///
    /// - Parameter pemRepresentation: The PEM text.
    /// - Throws: ``SigilError`` with code `malformedKey` or `unsupportedKey`.
    public init(pemRepresentation: String) throws {
        let (label, der) = try PEM.decode(pemRepresentation)
        guard label == "PRIVATE KEY" else {
            throw SigilError(
                .malformedKey,
                "PEM block is a '\(label)'; expected an unencrypted PKCS#8 'PRIVATE KEY' (convert with: openssl pkcs8 -topk8 -nocrypt)")
        }
        try self.init(pkcs8DERRepresentation: der)
    }

    private init(backing: EVPKey) throws {
        self.backing = backing
        self.publicKey = try AsymmetricPublicKey(backing: backing)
    }

    /// The key as unencrypted PKCS#8 DER. Secret: keep it out of logs and wipe it after use.
    public var pkcs8DERRepresentation: [UInt8] {
        get throws {
            try backing.withUnsafeEVPPKEY { pointer in
                OpenSSLErrorQueue.clear()
                let info = try checkOpenSSL(EVP_PKEY2PKCS8(pointer), .cryptoFailure, "EVP_PKEY2PKCS8")
                defer { PKCS8_PRIV_KEY_INFO_free(info) }
                var output: UnsafeMutablePointer<UInt8>? = nil
                let length = i2d_PKCS8_PRIV_KEY_INFO(info, &output)
                guard length > 0, let output else {
                    throw OpenSSLErrorQueue.error(.cryptoFailure, "encoding the private key as PKCS#8 failed")
                }
                defer {
                    Zeroize.buffer(UnsafeMutableRawBufferPointer(start: output, count: Int(length)))
                    sigil_OPENSSL_free(output)
                }
                return Array(UnsafeBufferPointer(start: output, count: Int(length)))
            }
        }
    }

    /// The key as a PEM `PRIVATE KEY` (PKCS#8) block. Secret.
    public var pemRepresentation: String {
        get throws { PEM.encode(try pkcs8DERRepresentation, label: "PRIVATE KEY") }
    }

    /// Signs an already computed digest.
    ///
    /// - Parameters:
    ///   - digest: The message digest, `scheme.hash.digestSize` bytes long; never hashed again.
    ///   - scheme: The signature scheme; its family must match the key's.
    /// - Returns: The signature; DER for ECDSA.
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch`, `digestLengthMismatch` or
    ///   `cryptoFailure`.
    public func signature(forDigest digest: some DataProtocol, scheme: SignatureScheme) throws -> [UInt8] {
        guard scheme.keyFamily == publicKey.family else {
            throw SigilError(
                .algorithmKeyMismatch, "\(scheme) needs an \(scheme.keyFamily) key, but this is an \(publicKey.family) key")
        }
        guard digest.count == scheme.hash.digestSize else {
            throw SigilError(
                .digestLengthMismatch,
                "a \(scheme.hash) digest is \(scheme.hash.digestSize) bytes, but \(digest.count) were given")
        }
        OpenSSLErrorQueue.clear()
        // A context set up for the scheme is reused (pooled per key): setting one up costs
        // OpenSSL several algorithm fetches, a good part of an ECDSA signature.
        return try backing.withSignContext(for: scheme) { context in
            let signature = try withContiguousBytes(digest) { digestBytes in
                let input = digestBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var length = 0
                try checkOpenSSL(
                    EVP_PKEY_sign(context, nil, &length, input, digestBytes.count), .cryptoFailure,
                    "sizing the signature")
                return try [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                    try checkOpenSSL(
                        EVP_PKEY_sign(context, buffer.baseAddress, &length, input, digestBytes.count), .cryptoFailure,
                        "signing with \(scheme)")
                    count = length
                }
            }
            return (signature, reusable: true)
        }
    }
}
