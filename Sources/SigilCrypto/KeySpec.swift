/// The family of an asymmetric key.
public struct KeyFamily: Hashable, Sendable, CustomStringConvertible {
    /// A short name: `RSA` or `EC`.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// RSA keys.
    public static let rsa = KeyFamily("RSA")
    /// Elliptic-curve keys on a named prime curve.
    public static let ec = KeyFamily("EC")

    public var description: String { name }
}

/// A named elliptic curve that Sigil supports.
public struct ECCurve: Hashable, Sendable, CustomStringConvertible {
    /// The NIST or SECG name, such as `P-256` or `secp256k1`.
    public let name: String
    /// OpenSSL's group name, such as `prime256v1`.
    public let openSSLGroupName: String
    /// The byte length of one coordinate, and of each of r and s in a raw signature.
    public let coordinateSize: Int
    /// The curve's size in bits.
    public let bits: Int

    private init(name: String, openSSLGroupName: String, bits: Int) {
        self.name = name
        self.openSSLGroupName = openSSLGroupName
        self.bits = bits
        self.coordinateSize = (bits + 7) / 8
    }

    /// NIST P-256 (secp256r1).
    public static let p256 = ECCurve(name: "P-256", openSSLGroupName: "prime256v1", bits: 256)
    /// NIST P-384 (secp384r1).
    public static let p384 = ECCurve(name: "P-384", openSSLGroupName: "secp384r1", bits: 384)
    /// NIST P-521 (secp521r1).
    public static let p521 = ECCurve(name: "P-521", openSSLGroupName: "secp521r1", bits: 521)
    /// SECG secp256k1.
    public static let secp256k1 = ECCurve(name: "secp256k1", openSSLGroupName: "secp256k1", bits: 256)

    /// Every supported curve.
    public static let all: [ECCurve] = [.p256, .p384, .p521, .secp256k1]

    /// Looks a curve up by OpenSSL's group name (accepting the `P-256` aliases too).
    init?(openSSLGroupName name: String) {
        let aliases = ["P-256": "prime256v1", "secp256r1": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1"]
        let canonical = aliases[name] ?? name
        guard let curve = Self.all.first(where: { $0.openSSLGroupName == canonical }) else { return nil }
        self = curve
    }

    public var description: String { name }
}

/// An asymmetric key specification, named as AWS KMS names it (`RSA_2048`, `ECC_NIST_P256`…).
public struct KeySpec: Hashable, Sendable, CustomStringConvertible {
    /// The KMS name, such as `ECC_NIST_P256`.
    public let kmsName: String
    /// The key family.
    public let family: KeyFamily
    /// The modulus size for RSA, the curve size for EC.
    public let sizeInBits: Int
    /// The curve, for EC key specs.
    public let curve: ECCurve?

    private init(rsaBits: Int) {
        kmsName = "RSA_\(rsaBits)"
        family = .rsa
        sizeInBits = rsaBits
        curve = nil
    }

    private init(_ kmsName: String, curve: ECCurve) {
        self.kmsName = kmsName
        family = .ec
        sizeInBits = curve.bits
        self.curve = curve
    }

    /// RSA with a 2048-bit modulus.
    public static let rsa2048 = KeySpec(rsaBits: 2048)
    /// RSA with a 3072-bit modulus.
    public static let rsa3072 = KeySpec(rsaBits: 3072)
    /// RSA with a 4096-bit modulus.
    public static let rsa4096 = KeySpec(rsaBits: 4096)
    /// ECDSA on NIST P-256.
    public static let eccNistP256 = KeySpec("ECC_NIST_P256", curve: .p256)
    /// ECDSA on NIST P-384.
    public static let eccNistP384 = KeySpec("ECC_NIST_P384", curve: .p384)
    /// ECDSA on NIST P-521.
    public static let eccNistP521 = KeySpec("ECC_NIST_P521", curve: .p521)
    /// ECDSA on secp256k1.
    public static let eccSecgP256k1 = KeySpec("ECC_SECG_P256K1", curve: .secp256k1)

    /// Every asymmetric key spec of KMS.
    public static let allAsymmetric: [KeySpec] = [
        .rsa2048, .rsa3072, .rsa4096, .eccNistP256, .eccNistP384, .eccNistP521, .eccSecgP256k1,
    ]

    /// Looks a key spec up by its KMS name.
    ///
    /// - Parameter kmsName: A name such as `RSA_3072`.
    /// - Returns: The key spec, or `nil` when KMS has no asymmetric key spec of that name.
    public init?(kmsName: String) {
        guard let spec = Self.allAsymmetric.first(where: { $0.kmsName == kmsName }) else { return nil }
        self = spec
    }

    /// The KMS key spec of a key of this family, size and curve, if KMS has one.
    static func matching(family: KeyFamily, bits: Int, curve: ECCurve?) -> KeySpec? {
        allAsymmetric.first { $0.family == family && $0.sizeInBits == bits && $0.curve == curve }
    }

    public var description: String { kmsName }
}
