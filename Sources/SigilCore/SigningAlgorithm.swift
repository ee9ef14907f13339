/// A signing algorithm, named as AWS KMS names it.
///
/// ```swift
/// let algorithm = try SigningAlgorithm(kmsName: "ECDSA_SHA_256")
/// ```
public struct SigningAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The KMS name, such as `RSASSA_PSS_SHA_256`.
    public let kmsName: String
    /// The signature primitive and its parameters.
    public let scheme: SignatureScheme

    private init(_ kmsName: String, _ scheme: SignatureScheme) {
        self.kmsName = kmsName
        self.scheme = scheme
    }

    /// RSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    public static let rsassaPSSSHA256 = SigningAlgorithm("RSASSA_PSS_SHA_256", .rsaPSS(hash: .sha256))
    /// RSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    public static let rsassaPSSSHA384 = SigningAlgorithm("RSASSA_PSS_SHA_384", .rsaPSS(hash: .sha384))
    /// RSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    public static let rsassaPSSSHA512 = SigningAlgorithm("RSASSA_PSS_SHA_512", .rsaPSS(hash: .sha512))
    /// RSA PKCS#1 v1.5 with SHA-256.
    public static let rsassaPKCS1V1_5SHA256 = SigningAlgorithm("RSASSA_PKCS1_V1_5_SHA_256", .rsaPKCS1v15(hash: .sha256))
    /// RSA PKCS#1 v1.5 with SHA-384.
    public static let rsassaPKCS1V1_5SHA384 = SigningAlgorithm("RSASSA_PKCS1_V1_5_SHA_384", .rsaPKCS1v15(hash: .sha384))
    /// RSA PKCS#1 v1.5 with SHA-512.
    public static let rsassaPKCS1V1_5SHA512 = SigningAlgorithm("RSASSA_PKCS1_V1_5_SHA_512", .rsaPKCS1v15(hash: .sha512))
    /// ECDSA with SHA-256: on P-256 or secp256k1.
    public static let ecdsaSHA256 = SigningAlgorithm("ECDSA_SHA_256", .ecdsa(hash: .sha256))
    /// ECDSA with SHA-384: on P-384.
    public static let ecdsaSHA384 = SigningAlgorithm("ECDSA_SHA_384", .ecdsa(hash: .sha384))
    /// ECDSA with SHA-512: on P-521.
    public static let ecdsaSHA512 = SigningAlgorithm("ECDSA_SHA_512", .ecdsa(hash: .sha512))

    /// Every signing algorithm of KMS.
    public static let all: [SigningAlgorithm] = [
        .rsassaPSSSHA256, .rsassaPSSSHA384, .rsassaPSSSHA512,
        .rsassaPKCS1V1_5SHA256, .rsassaPKCS1V1_5SHA384, .rsassaPKCS1V1_5SHA512,
        .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512,
    ]

    /// Looks an algorithm up by its KMS name.
    ///
    /// - Parameter kmsName: A name such as `RSASSA_PKCS1_V1_5_SHA_384`.
    /// - Throws: ``SigilError`` with code `unknownAlgorithm`, listing the known names.
    public init(kmsName: String) throws {
        guard let match = Self.all.first(where: { $0.kmsName == kmsName }) else {
            throw SigilError(
                .unknownAlgorithm,
                "unknown signing algorithm '\(kmsName)' (known: \(Self.all.map(\.kmsName).joined(separator: ", ")))")
        }
        self = match
    }

    /// The hash function whose digest is signed.
    public var hashFunction: HashFunction { scheme.hash }

    /// Whether KMS would sign with this algorithm under a key of `spec`.
    ///
    /// RSA keys take every RSA algorithm; each curve takes the one hash KMS pairs it with
    /// (P-256 and secp256k1: SHA-256, P-384: SHA-384, P-521: SHA-512).
    public func isCompatible(with spec: KeySpec) -> Bool {
        guard scheme.keyFamily == spec.family else { return false }
        switch spec.curve {
        case nil: return true
        case .p256?, .secp256k1?: return hashFunction == .sha256
        case .p384?: return hashFunction == .sha384
        default: return hashFunction == .sha512
        }
    }

    public var description: String { kmsName }
}

/// How the message handed to verification is to be read, as in KMS.
public struct MessageType: Hashable, Sendable, CustomStringConvertible {
    /// The KMS name: `RAW` or `DIGEST`.
    public let kmsName: String

    private init(_ kmsName: String) { self.kmsName = kmsName }

    /// The message itself; Sigil hashes it.
    public static let raw = MessageType("RAW")
    /// A digest computed by the caller; never hashed again, and its length must match
    /// the algorithm's hash.
    public static let digest = MessageType("DIGEST")

    /// Looks a message type up by its KMS name.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` for other names.
    public init(kmsName: String) throws {
        switch kmsName.uppercased() {
        case "RAW": self = .raw
        case "DIGEST": self = .digest
        default: throw SigilError(.invalidArgument, "unknown message type '\(kmsName)' (known: RAW, DIGEST)")
        }
    }

    public var description: String { kmsName }
}

/// The encoding of an ECDSA signature. RSA signatures have only one.
public struct SignatureFormat: Hashable, Sendable, CustomStringConvertible {
    /// A short name: `der` or `raw`.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// DER `ECDSA-Sig-Value` (X9.62), as KMS returns ECDSA signatures.
    public static let der = SignatureFormat("der")
    /// Raw r‖s, each the curve's coordinate size (IEEE P1363), as JWS uses.
    public static let raw = SignatureFormat("raw")

    public var description: String { name }
}
