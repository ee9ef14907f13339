/// The parameters of a signature primitive: RSA-PSS, RSA PKCS#1 v1.5 or ECDSA, with
/// their hash functions.
///
/// Sigil's `SigningAlgorithm` maps each KMS algorithm to one of these; the lower layer
/// also accepts the combinations KMS never uses, so that published vectors can be checked.
public struct SignatureScheme: Hashable, Sendable, CustomStringConvertible {
    enum Padding: Hashable, Sendable {
        case pss(mgf1Hash: HashFunction, saltLength: Int)
        case pkcs1v15
        case ecdsa
    }

    let padding: Padding
    /// The hash function whose digest is signed.
    public let hash: HashFunction

    private init(padding: Padding, hash: HashFunction) {
        self.padding = padding
        self.hash = hash
    }

    /// RSA-PSS (RFC 8017 §8.1).
    ///
    /// - Parameters:
    ///   - hash: The message hash.
    ///   - mgf1Hash: The hash inside MGF1; the message hash when `nil`.
    ///   - saltLength: The salt length in bytes; the hash length when `nil` (as KMS signs).
    public static func rsaPSS(hash: HashFunction, mgf1Hash: HashFunction? = nil, saltLength: Int? = nil) -> SignatureScheme {
        SignatureScheme(padding: .pss(mgf1Hash: mgf1Hash ?? hash, saltLength: saltLength ?? hash.digestSize), hash: hash)
    }

    /// RSA PKCS#1 v1.5 signatures (RFC 8017 §8.2).
    public static func rsaPKCS1v15(hash: HashFunction) -> SignatureScheme {
        SignatureScheme(padding: .pkcs1v15, hash: hash)
    }

    /// ECDSA (X9.62), signatures DER-encoded.
    public static func ecdsa(hash: HashFunction) -> SignatureScheme {
        SignatureScheme(padding: .ecdsa, hash: hash)
    }

    /// The key family this scheme signs with.
    public var keyFamily: KeyFamily {
        switch padding {
        case .pss, .pkcs1v15: return .rsa
        case .ecdsa: return .ec
        }
    }

    public var description: String {
        switch padding {
        case let .pss(mgf1Hash, saltLength): return "RSA-PSS(\(hash), MGF1-\(mgf1Hash), salt \(saltLength))"
        case .pkcs1v15: return "RSA-PKCS1-v1_5(\(hash))"
        case .ecdsa: return "ECDSA(\(hash))"
        }
    }
}
