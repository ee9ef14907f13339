/// A COSE signature algorithm Sigil verifies and signs with (RFC 9053, RFC 8812), and the
/// KMS algorithm and curve it corresponds to.
///
/// ```swift
/// let algorithm = try COSEAlgorithm(identifier: -7)   // ES256: ECDSA_SHA_256 on P-256
/// ```
public struct COSEAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The value of the `alg` header parameter, such as `-7`.
    public let identifier: Int
    /// The JOSE-style name, such as `ES256`.
    public let name: String
    /// The KMS signing algorithm that makes and checks the signature.
    public let signingAlgorithm: SigningAlgorithm
    /// The curve an ECDSA algorithm requires; `nil` for RSA.
    public let curve: ECCurve?

    private init(_ identifier: Int, _ name: String, _ signingAlgorithm: SigningAlgorithm, _ curve: ECCurve? = nil) {
        self.identifier = identifier
        self.name = name
        self.signingAlgorithm = signingAlgorithm
        self.curve = curve
    }

    /// ES256 (−7): ECDSA with SHA-256 on P-256.
    public static let es256 = COSEAlgorithm(-7, "ES256", .ecdsaSHA256, .p256)
    /// ES384 (−35): ECDSA with SHA-384 on P-384.
    public static let es384 = COSEAlgorithm(-35, "ES384", .ecdsaSHA384, .p384)
    /// ES512 (−36): ECDSA with SHA-512 on P-521.
    public static let es512 = COSEAlgorithm(-36, "ES512", .ecdsaSHA512, .p521)
    /// ES256K (−47): ECDSA with SHA-256 on secp256k1 (RFC 8812).
    public static let es256K = COSEAlgorithm(-47, "ES256K", .ecdsaSHA256, .secp256k1)
    /// PS256 (−37): RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    public static let ps256 = COSEAlgorithm(-37, "PS256", .rsassaPSSSHA256)
    /// PS384 (−38): RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    public static let ps384 = COSEAlgorithm(-38, "PS384", .rsassaPSSSHA384)
    /// PS512 (−39): RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    public static let ps512 = COSEAlgorithm(-39, "PS512", .rsassaPSSSHA512)
    /// RS256 (−257): RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812).
    public static let rs256 = COSEAlgorithm(-257, "RS256", .rsassaPKCS1V1_5SHA256)
    /// RS384 (−258): RSASSA-PKCS1-v1_5 with SHA-384 (RFC 8812).
    public static let rs384 = COSEAlgorithm(-258, "RS384", .rsassaPKCS1V1_5SHA384)
    /// RS512 (−259): RSASSA-PKCS1-v1_5 with SHA-512 (RFC 8812).
    public static let rs512 = COSEAlgorithm(-259, "RS512", .rsassaPKCS1V1_5SHA512)

    /// Every COSE algorithm Sigil knows.
    public static let all: [COSEAlgorithm] = [
        .es256, .es384, .es512, .es256K, .ps256, .ps384, .ps512, .rs256, .rs384, .rs512,
    ]

    /// Looks an algorithm up by its `alg` value.
    ///
    /// - Parameter identifier: The COSE algorithm identifier, such as `-35`.
    /// - Throws: ``SigilError`` with code `unknownAlgorithm`, listing the known ones.
    public init(identifier: Int) throws {
        guard let match = Self.all.first(where: { $0.identifier == identifier }) else {
            throw SigilError(.unknownAlgorithm, "unknown or unsupported COSE algorithm \(identifier) (known: \(Self.knownList))")
        }
        self = match
    }

    /// Looks an algorithm up by its name, such as `ES256K`.
    ///
    /// - Parameter name: The JOSE-style name, matched exactly.
    /// - Throws: ``SigilError`` with code `unknownAlgorithm`, listing the known ones.
    public init(name: String) throws {
        guard let match = Self.all.first(where: { $0.name == name }) else {
            throw SigilError(.unknownAlgorithm, "unknown or unsupported COSE algorithm '\(name)' (known: \(Self.knownList))")
        }
        self = match
    }

    /// The COSE algorithm for a KMS algorithm used with a key of `spec`, if there is one
    /// (ECDSA_SHA_256 is ES256 on P-256 and ES256K on secp256k1).
    public init?(signingAlgorithm: SigningAlgorithm, keySpec: KeySpec) {
        guard let match = Self.all.first(where: { $0.signingAlgorithm == signingAlgorithm && $0.curve == keySpec.curve }),
            signingAlgorithm.isCompatible(with: keySpec)
        else { return nil }
        self = match
    }

    private static var knownList: String {
        all.map { "\($0.identifier) \($0.name)" }.joined(separator: ", ")
    }

    /// Whether `key` can verify this algorithm: the KMS algorithm suits it and, for ECDSA,
    /// it is on the required curve.
    public func suits(_ key: PublicKey) -> Bool {
        key.isCompatible(signingAlgorithm) && key.curve == curve
    }

    public var description: String { "\(name) (\(identifier))" }
}
