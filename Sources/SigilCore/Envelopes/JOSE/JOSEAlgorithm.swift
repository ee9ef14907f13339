public import FoundationEssentials

/// A JWS signature algorithm (RFC 7518 section 3, RFC 8812 for `ES256K`) that Sigil
/// verifies with a public key: the KMS signing algorithm underneath, the curve an ECDSA
/// algorithm requires, and the signature's encoding (raw r‖s for ECDSA).
///
/// `none` and the HMAC algorithms (`HS256`…) are never algorithms here: a verifier holding
/// public keys must not accept a MAC keyed with a public key's bytes (algorithm confusion).
public struct JOSEAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The JOSE name, such as `ES256`.
    public var name: String { definition.name }
    /// The KMS signing algorithm that computes and checks the signature.
    public var signingAlgorithm: SigningAlgorithm { definition.signingAlgorithm }
    /// For ECDSA, the one curve the algorithm is defined on; `nil` for RSA.
    public var curve: ECCurve? { definition.curve }

    /// The algorithm's parts, one shared instance per algorithm: a value is one reference,
    /// so that handing an algorithm on (every verified signature does, several times)
    /// costs one count instead of a copy of every string in it.
    private final class Definition: Sendable {
        let name: String
        let signingAlgorithm: SigningAlgorithm
        let curve: ECCurve?

        init(name: String, signingAlgorithm: SigningAlgorithm, curve: ECCurve?) {
            self.name = name
            self.signingAlgorithm = signingAlgorithm
            self.curve = curve
        }
    }

    private let definition: Definition

    private init(_ name: String, _ signingAlgorithm: SigningAlgorithm, curve: ECCurve? = nil) {
        definition = Definition(name: name, signingAlgorithm: signingAlgorithm, curve: curve)
    }

    // Each algorithm is made once, below, so the same algorithm is the same instance.
    public static func == (lhs: JOSEAlgorithm, rhs: JOSEAlgorithm) -> Bool { lhs.definition === rhs.definition }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(definition)) }

    /// RSASSA-PKCS1-v1_5 with SHA-256.
    public static let rs256 = JOSEAlgorithm("RS256", .rsassaPKCS1V1_5SHA256)
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    public static let rs384 = JOSEAlgorithm("RS384", .rsassaPKCS1V1_5SHA384)
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    public static let rs512 = JOSEAlgorithm("RS512", .rsassaPKCS1V1_5SHA512)
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    public static let ps256 = JOSEAlgorithm("PS256", .rsassaPSSSHA256)
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    public static let ps384 = JOSEAlgorithm("PS384", .rsassaPSSSHA384)
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    public static let ps512 = JOSEAlgorithm("PS512", .rsassaPSSSHA512)
    /// ECDSA on P-256 with SHA-256.
    public static let es256 = JOSEAlgorithm("ES256", .ecdsaSHA256, curve: .p256)
    /// ECDSA on P-384 with SHA-384.
    public static let es384 = JOSEAlgorithm("ES384", .ecdsaSHA384, curve: .p384)
    /// ECDSA on P-521 with SHA-512.
    public static let es512 = JOSEAlgorithm("ES512", .ecdsaSHA512, curve: .p521)
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812).
    public static let es256K = JOSEAlgorithm("ES256K", .ecdsaSHA256, curve: .secp256k1)

    /// Every algorithm Sigil verifies.
    public static let all: [JOSEAlgorithm] = [
        .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .es256K,
    ]

    /// Looks an algorithm up by its JOSE name (case-sensitive, as RFC 7515 requires).
    ///
    /// - Parameter name: A name such as `PS384`.
    /// - Throws: ``SigilError`` with code `unknownAlgorithm`, saying why for `none` and the
    ///   HMAC algorithms, which are refused by design.
    public init(name: String) throws {
        // By index, comparing names in place: this runs for every signature checked.
        if let index = Self.all.indices.first(where: { Self.all[$0].name == name }) {
            self = Self.all[index]
            return
        }
        if name == "none" {
            throw SigilError(.unknownAlgorithm, "JWS algorithm 'none' (an unsigned token) is refused")
        }
        if ["HS256", "HS384", "HS512"].contains(name) {
            throw SigilError(
                .unknownAlgorithm,
                "JWS algorithm '\(name)' (HMAC) is refused: a verifier holding public keys never accepts a MAC (algorithm confusion)")
        }
        throw SigilError(
            .unknownAlgorithm,
            "unknown JWS algorithm '\(name)' (known: \(Self.all.map(\.name).joined(separator: ", ")))")
    }

    /// The JOSE algorithm for a KMS signing algorithm under a key on `curve` (`nil` for RSA).
    ///
    /// - Returns: `nil` when no JOSE algorithm matches (an ECDSA hash the curve does not use).
    public init?(signingAlgorithm: SigningAlgorithm, curve: ECCurve?) {
        guard let match = Self.all.first(where: { $0.signingAlgorithm == signingAlgorithm && $0.curve == curve }) else {
            return nil
        }
        self = match
    }

    /// Whether this algorithm can verify with `key`: an RSA key for `RS*`/`PS*`, a key on
    /// the algorithm's own curve for `ES*`.
    public func suits(_ key: PublicKey) -> Bool {
        guard key.isCompatible(signingAlgorithm) else { return false }
        return key.curve == curve
    }

    /// The JOSE algorithms that suit `key`.
    public static func suiting(_ key: PublicKey) -> [JOSEAlgorithm] {
        all.filter { $0.suits(key) }
    }

    /// The JWS signature from a signature as KMS returns it (DER for ECDSA): raw r‖s of the
    /// curve's exact size for ECDSA, unchanged for RSA.
    ///
    /// - Throws: ``SigilError`` with code `malformedSignature` when the DER is not strict or
    ///   does not fit the curve.
    public func joseSignature(fromKMSSignature signature: some DataProtocol) throws -> [UInt8] {
        guard let curve else { return Array(signature) }
        return try ECDSASignature.raw(fromDER: signature, curve: curve)
    }

    /// The signature format JWS uses with this algorithm: raw r‖s for ECDSA.
    public var signatureFormat: SignatureFormat { curve == nil ? .der : .raw }

    public var description: String { name }
}
