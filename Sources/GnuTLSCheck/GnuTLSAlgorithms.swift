internal import CGnuTLS

/// A key type and size that ``GnuTLSPrivateKey`` can generate, named as KMS names key specs.
///
/// GnuTLS 3.7 has no secp256k1 (`ECC_SECG_P256K1`): neither key generation nor ECDSA on
/// that curve exists in it, so there is no such spec here and secp256k1 cannot be
/// cross-checked with GnuTLS.
public struct GnuTLSKeySpec: Hashable, Sendable, CustomStringConvertible {
    /// The KMS key spec name, such as `RSA_2048` or `ECC_NIST_P256`.
    public let kmsName: String
    let algorithm: gnutls_pk_algorithm_t
    /// What `gnutls_privkey_generate2` takes as `bits`: the modulus size for RSA, or
    /// `GNUTLS_CURVE_TO_BITS(curve)` for EC (a C macro Swift cannot import).
    let generationBits: UInt32

    private init(kmsName: String, algorithm: gnutls_pk_algorithm_t, generationBits: UInt32) {
        self.kmsName = kmsName
        self.algorithm = algorithm
        self.generationBits = generationBits
    }

    private static func rsa(_ bits: UInt32) -> GnuTLSKeySpec {
        GnuTLSKeySpec(kmsName: "RSA_\(bits)", algorithm: GNUTLS_PK_RSA, generationBits: bits)
    }

    private static func ec(_ kmsName: String, _ curve: gnutls_ecc_curve_t) -> GnuTLSKeySpec {
        // GNUTLS_CURVE_TO_BITS(curve) = (1 << 31) | curve, from gnutls/gnutls.h.
        GnuTLSKeySpec(
            kmsName: kmsName, algorithm: GNUTLS_PK_ECDSA,
            generationBits: (UInt32(1) << 31) | UInt32(curve.rawValue)
        )
    }

    /// RSA with a 2048-bit modulus.
    public static let rsa2048 = rsa(2048)
    /// RSA with a 3072-bit modulus.
    public static let rsa3072 = rsa(3072)
    /// RSA with a 4096-bit modulus (generation takes seconds).
    public static let rsa4096 = rsa(4096)
    /// ECDSA on NIST P-256 (secp256r1).
    public static let eccNistP256 = ec("ECC_NIST_P256", GNUTLS_ECC_CURVE_SECP256R1)
    /// ECDSA on NIST P-384 (secp384r1).
    public static let eccNistP384 = ec("ECC_NIST_P384", GNUTLS_ECC_CURVE_SECP384R1)
    /// ECDSA on NIST P-521 (secp521r1).
    public static let eccNistP521 = ec("ECC_NIST_P521", GNUTLS_ECC_CURVE_SECP521R1)

    /// Every key spec GnuTLS can generate among the KMS asymmetric ones.
    public static let all: [GnuTLSKeySpec] = [
        .rsa2048, .rsa3072, .rsa4096, .eccNistP256, .eccNistP384, .eccNistP521,
    ]

    /// Whether this is an RSA key spec.
    public var isRSA: Bool { algorithm == GNUTLS_PK_RSA }

    public var description: String { kmsName }
}

/// A hash function as GnuTLS names it, for the digests of DIGEST-type messages, OAEP's
/// hashes and MGF1, and HKDF.
public struct GnuTLSDigest: Hashable, Sendable, CustomStringConvertible {
    /// The name used in KMS algorithm names, such as `SHA_256`.
    public let kmsName: String
    let algorithm: gnutls_digest_algorithm_t
    /// The HMAC over this hash, for `gnutls_hkdf_*`.
    let mac: gnutls_mac_algorithm_t

    private init(_ kmsName: String, _ algorithm: gnutls_digest_algorithm_t, _ mac: gnutls_mac_algorithm_t) {
        self.kmsName = kmsName
        self.algorithm = algorithm
        self.mac = mac
    }

    /// SHA-1: only for RSAES_OAEP_SHA_1 and MGF1, never for signatures.
    public static let sha1 = GnuTLSDigest("SHA_1", GNUTLS_DIG_SHA1, GNUTLS_MAC_SHA1)
    /// SHA-224: only for published OAEP vectors.
    public static let sha224 = GnuTLSDigest("SHA_224", GNUTLS_DIG_SHA224, GNUTLS_MAC_SHA224)
    /// SHA-256.
    public static let sha256 = GnuTLSDigest("SHA_256", GNUTLS_DIG_SHA256, GNUTLS_MAC_SHA256)
    /// SHA-384.
    public static let sha384 = GnuTLSDigest("SHA_384", GNUTLS_DIG_SHA384, GNUTLS_MAC_SHA384)
    /// SHA-512.
    public static let sha512 = GnuTLSDigest("SHA_512", GNUTLS_DIG_SHA512, GNUTLS_MAC_SHA512)

    /// The digest length in bytes, as GnuTLS reports it.
    public var byteCount: Int { Int(gnutls_hash_get_len(algorithm)) }

    /// Hashes `data` with GnuTLS's own implementation (`gnutls_hash_fast`).
    ///
    /// - Parameter data: The bytes to hash; may be empty.
    /// - Returns: The digest, ``byteCount`` bytes.
    /// - Throws: ``GnuTLSError`` when GnuTLS refuses.
    public func hash(_ data: [UInt8]) throws -> [UInt8] {
        try GnuTLSLibrary.ensureInitialized()
        let length = byteCount
        guard length > 0 else {
            throw GnuTLSError(function: "gnutls_hash_get_len", message: "unknown digest \(kmsName)")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            _ = try withDatum(data) { datum in
                try checkGnuTLS(
                    gnutls_hash_fast(algorithm, datum.pointee.data, Int(datum.pointee.size), output.baseAddress),
                    "gnutls_hash_fast"
                )
            }
            initialized = length
        }
    }

    public var description: String { kmsName }
}

/// A KMS signing algorithm as GnuTLS implements it.
///
/// RSA-PSS uses MGF1 with the same hash and a salt as long as the hash, as KMS does:
/// signing passes `GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH` and verification
/// `GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH`. The `…_RSAE_…` GnuTLS algorithms are the
/// ones for PSS with an ordinary `rsaEncryption` key, which is what KMS keys are.
/// ECDSA signatures are DER (X9.62 `Ecdsa-Sig-Value`).
public struct GnuTLSSignatureAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The KMS name, such as `RSASSA_PSS_SHA_256`.
    public let kmsName: String
    /// The hash the algorithm applies to a RAW message.
    public let digest: GnuTLSDigest
    /// The key spec KMS pairs the algorithm with by default: RSA 2048 for RSA
    /// algorithms, and for ECDSA the curve KMS ties to the hash.
    public let defaultKeySpec: GnuTLSKeySpec
    let sign: gnutls_sign_algorithm_t

    private init(
        _ kmsName: String, _ sign: gnutls_sign_algorithm_t, _ digest: GnuTLSDigest, _ keySpec: GnuTLSKeySpec
    ) {
        self.kmsName = kmsName
        self.sign = sign
        self.digest = digest
        self.defaultKeySpec = keySpec
    }

    /// RSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt.
    public static let rsassaPSSSHA256 = Self(
        "RSASSA_PSS_SHA_256", GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, .sha256, .rsa2048)
    /// RSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt.
    public static let rsassaPSSSHA384 = Self(
        "RSASSA_PSS_SHA_384", GNUTLS_SIGN_RSA_PSS_RSAE_SHA384, .sha384, .rsa2048)
    /// RSA-PSS, SHA-512, MGF1-SHA-512, 64-byte salt.
    public static let rsassaPSSSHA512 = Self(
        "RSASSA_PSS_SHA_512", GNUTLS_SIGN_RSA_PSS_RSAE_SHA512, .sha512, .rsa2048)
    /// RSA PKCS#1 v1.5 with SHA-256 (DigestInfo-encoded).
    public static let rsassaPKCS1V1_5SHA256 = Self(
        "RSASSA_PKCS1_V1_5_SHA_256", GNUTLS_SIGN_RSA_SHA256, .sha256, .rsa2048)
    /// RSA PKCS#1 v1.5 with SHA-384 (DigestInfo-encoded).
    public static let rsassaPKCS1V1_5SHA384 = Self(
        "RSASSA_PKCS1_V1_5_SHA_384", GNUTLS_SIGN_RSA_SHA384, .sha384, .rsa2048)
    /// RSA PKCS#1 v1.5 with SHA-512 (DigestInfo-encoded).
    public static let rsassaPKCS1V1_5SHA512 = Self(
        "RSASSA_PKCS1_V1_5_SHA_512", GNUTLS_SIGN_RSA_SHA512, .sha512, .rsa2048)
    /// ECDSA with SHA-256, on P-256 by default.
    public static let ecdsaSHA256 = Self("ECDSA_SHA_256", GNUTLS_SIGN_ECDSA_SHA256, .sha256, .eccNistP256)
    /// ECDSA with SHA-384, on P-384 by default.
    public static let ecdsaSHA384 = Self("ECDSA_SHA_384", GNUTLS_SIGN_ECDSA_SHA384, .sha384, .eccNistP384)
    /// ECDSA with SHA-512, on P-521 by default.
    public static let ecdsaSHA512 = Self("ECDSA_SHA_512", GNUTLS_SIGN_ECDSA_SHA512, .sha512, .eccNistP521)

    /// Every KMS signing algorithm GnuTLS 3.7 implements (all but ECDSA on secp256k1).
    public static let all: [GnuTLSSignatureAlgorithm] = [
        .rsassaPSSSHA256, .rsassaPSSSHA384, .rsassaPSSSHA512,
        .rsassaPKCS1V1_5SHA256, .rsassaPKCS1V1_5SHA384, .rsassaPKCS1V1_5SHA512,
        .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512,
    ]

    /// Looks an algorithm up by its KMS name; `nil` when GnuTLS has no such algorithm.
    public init?(kmsName: String) {
        guard let found = Self.all.first(where: { $0.kmsName == kmsName }) else { return nil }
        self = found
    }

    /// Whether this is RSA-PSS.
    public var isPSS: Bool { kmsName.hasPrefix("RSASSA_PSS_") }
    /// Whether this is ECDSA.
    public var isECDSA: Bool { kmsName.hasPrefix("ECDSA_") }

    /// The flags for `gnutls_privkey_sign_*2`: fixed PSS salt length, else none.
    var signFlags: UInt32 { isPSS ? GNUTLS_PRIVKEY_FLAG_RSA_PSS_FIXED_SALT_LENGTH.rawValue : 0 }
    /// The flags for `gnutls_pubkey_verify_*2`: fixed PSS salt length, else none.
    var verifyFlags: UInt32 { isPSS ? GNUTLS_VERIFY_RSA_PSS_FIXED_SALT_LENGTH.rawValue : 0 }

    public var description: String { kmsName }
}
