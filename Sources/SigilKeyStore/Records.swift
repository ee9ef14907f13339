public import Foundation
public import SigilCrypto

/// A KMS key spec, including `SYMMETRIC_DEFAULT`, which SigilCrypto's ``KeySpec`` (asymmetric
/// only) does not name.
public struct KMSKeySpec: Hashable, Sendable, CustomStringConvertible {
    /// The KMS name, such as `RSA_3072` or `SYMMETRIC_DEFAULT`.
    public let kmsName: String
    /// The asymmetric key spec, or `nil` for `SYMMETRIC_DEFAULT`.
    public let asymmetric: KeySpec?

    private init(_ asymmetric: KeySpec) {
        kmsName = asymmetric.kmsName
        self.asymmetric = asymmetric
    }

    private init(symmetricName: String) {
        kmsName = symmetricName
        asymmetric = nil
    }

    /// RSA with a 2048-bit modulus.
    public static let rsa2048 = KMSKeySpec(.rsa2048)
    /// RSA with a 3072-bit modulus.
    public static let rsa3072 = KMSKeySpec(.rsa3072)
    /// RSA with a 4096-bit modulus.
    public static let rsa4096 = KMSKeySpec(.rsa4096)
    /// ECDSA on NIST P-256.
    public static let eccNistP256 = KMSKeySpec(.eccNistP256)
    /// ECDSA on NIST P-384.
    public static let eccNistP384 = KMSKeySpec(.eccNistP384)
    /// ECDSA on NIST P-521.
    public static let eccNistP521 = KMSKeySpec(.eccNistP521)
    /// ECDSA on secp256k1.
    public static let eccSecgP256k1 = KMSKeySpec(.eccSecgP256k1)
    /// A 256-bit AES-GCM key held by the key holder (rotatable).
    public static let symmetricDefault = KMSKeySpec(symmetricName: "SYMMETRIC_DEFAULT")

    /// Every key spec the key holder creates.
    public static let all: [KMSKeySpec] = KeySpec.allAsymmetric.map(KMSKeySpec.init) + [.symmetricDefault]

    /// Looks a key spec up by its KMS name.
    ///
    /// - Parameter kmsName: A name such as `ECC_NIST_P384`.
    /// - Returns: The key spec, or `nil` when the key holder has none of that name.
    public init?(kmsName: String) {
        guard let spec = Self.all.first(where: { $0.kmsName == kmsName }) else { return nil }
        self = spec
    }

    /// Whether this is `SYMMETRIC_DEFAULT`.
    public var isSymmetric: Bool { asymmetric == nil }

    /// The usages KMS allows for this spec: RSA both, ECC signing only, symmetric
    /// encryption only.
    public var allowedUsages: [KeyUsage] {
        switch asymmetric?.family {
        case nil: return [.encryptDecrypt]
        case .rsa?: return [.encryptDecrypt, .signVerify]
        default: return [.signVerify]
        }
    }

    public var description: String { kmsName }
}

/// What a key is for, named as KMS names it.
public struct KeyUsage: Hashable, Sendable, CustomStringConvertible {
    /// `ENCRYPT_DECRYPT` or `SIGN_VERIFY`.
    public let kmsName: String

    private init(_ kmsName: String) { self.kmsName = kmsName }

    /// Encryption and decryption (RSA-OAEP, or the symmetric ciphertext blob).
    public static let encryptDecrypt = KeyUsage("ENCRYPT_DECRYPT")
    /// Signing and verification.
    public static let signVerify = KeyUsage("SIGN_VERIFY")

    /// Every usage the key holder supports.
    public static let all: [KeyUsage] = [.encryptDecrypt, .signVerify]

    /// Looks a usage up by its KMS name; `nil` for names the key holder does not support.
    public init?(kmsName: String) {
        guard let usage = Self.all.first(where: { $0.kmsName == kmsName }) else { return nil }
        self = usage
    }

    public var description: String { kmsName }
}

/// The state of a key, named as KMS names it.
public struct KeyState: Hashable, Sendable, CustomStringConvertible {
    /// `Enabled`, `Disabled` or `PendingDeletion`.
    public let kmsName: String

    private init(_ kmsName: String) { self.kmsName = kmsName }

    /// Usable for cryptographic operations.
    public static let enabled = KeyState("Enabled")
    /// Kept, but refused for cryptographic operations.
    public static let disabled = KeyState("Disabled")
    /// Scheduled for deletion; refused for cryptographic operations until the deletion
    /// is cancelled (which leaves it ``disabled``) or carried out.
    public static let pendingDeletion = KeyState("PendingDeletion")

    /// Every state the key holder uses.
    public static let all: [KeyState] = [.enabled, .disabled, .pendingDeletion]

    /// Looks a state up by its KMS name.
    public init?(kmsName: String) {
        guard let state = Self.all.first(where: { $0.kmsName == kmsName }) else { return nil }
        self = state
    }

    public var description: String { kmsName }
}

/// Everything the key holder knows about a key except its material: what DescribeKey
/// answers.
public struct KeyRecord: Hashable, Sendable {
    /// The key id: a lowercase UUID.
    public var id: String
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    public var arn: String
    /// The 12-digit account that owns the key.
    public var account: String
    /// The region the key lives in.
    public var region: String
    /// The key spec.
    public var spec: KMSKeySpec
    /// The key usage.
    public var usage: KeyUsage
    /// The key state.
    public var state: KeyState
    /// The description given at creation or by UpdateKeyDescription; may be empty.
    public var description: String
    /// The key policy, JSON.
    public var policy: String
    /// When the key was created.
    public var creationDate: Date
    /// When a key pending deletion will be deleted; `nil` otherwise.
    public var deletionDate: Date?
    /// Whether automatic rotation is on (symmetric keys only).
    public var rotationEnabled: Bool
    /// The automatic rotation period in days, when rotation has ever been enabled.
    public var rotationPeriodDays: Int?
    /// When automatic rotation will next happen, while it is enabled.
    public var nextRotationDate: Date?
    /// The material version new ciphertexts use: 1, plus one per rotation.
    public var currentVersion: Int
    /// The public key as DER SubjectPublicKeyInfo (what GetPublicKey returns), for
    /// asymmetric keys; `nil` for symmetric keys.
    public var publicKeyDER: [UInt8]?
}

/// One page of ``KeyStore/listKeys(account:region:limit:after:)``.
public struct KeyPage: Sendable {
    /// The keys on this page, in creation order.
    public var keys: [KeyRecord]
    /// The marker to pass as `after` for the next page; `nil` on the last page.
    public var nextMarker: String?
}

/// How a material version came to be, named as ListKeyRotations names it.
public struct RotationType: Hashable, Sendable, CustomStringConvertible {
    /// `AUTOMATIC` or `ON_DEMAND`.
    public let kmsName: String

    private init(_ kmsName: String) { self.kmsName = kmsName }

    /// Made by the rotation schedule.
    public static let automatic = RotationType("AUTOMATIC")
    /// Made by RotateKeyOnDemand.
    public static let onDemand = RotationType("ON_DEMAND")

    init?(kmsName: String) {
        switch kmsName {
        case Self.automatic.kmsName: self = .automatic
        case Self.onDemand.kmsName: self = .onDemand
        default: return nil
        }
    }

    public var description: String { kmsName }
}

/// One rotation of a symmetric key: the material version it made.
public struct KeyRotation: Hashable, Sendable {
    /// The key id.
    public var keyID: String
    /// The material version the rotation created (2 or more).
    public var version: Int
    /// When it happened.
    public var rotationDate: Date
    /// Automatic or on demand.
    public var type: RotationType
}

/// An alias: `alias/NAME`, unique within an account and region, naming one key.
public struct AliasRecord: Hashable, Sendable {
    /// The full alias name, starting with `alias/`.
    public var name: String
    /// `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
    public var arn: String
    /// The account.
    public var account: String
    /// The region.
    public var region: String
    /// The id of the key it names.
    public var keyID: String
    /// When it was created.
    public var creationDate: Date
    /// When it was last pointed at a key.
    public var lastUpdatedDate: Date
}

/// A tag on a key.
public struct KeyTag: Hashable, Sendable {
    /// The tag key (1 to 128 characters, not starting with `aws:`).
    public var key: String
    /// The tag value (0 to 256 characters).
    public var value: String

    /// Creates a tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// An access key of the key holder's own credential store.
public struct Credential: Sendable, CustomStringConvertible {
    /// The 20-character access key id (`AKIA…`).
    public var accessKeyID: String
    /// The 40-character secret access key, as ASCII bytes: the server needs it to
    /// recompute SigV4 signatures.
    public var secretAccessKey: SecureBytes
    /// The principal ARN requests signed with it act as, such as `arn:aws:iam::111122223333:root`.
    public var principal: String
    /// The principal's account.
    public var account: String
    /// Whether the principal is the account root, a user or a role.
    public var principalKind: PrincipalKind
    /// The principal's identity policy JSON, as stored; `nil` when it has none (an
    /// account root never has one).
    public var identityPolicy: String?
    /// Whether it may still be used; `false` once revoked.
    public var isActive: Bool
    /// When it was created.
    public var creationDate: Date
    /// When its principal was created.
    public var principalCreationDate: Date

    /// The principal's unique id, as `aws:userid` names it: the account id for an account
    /// root; for a user `AIDA` and for a role `AROA`, then 17 characters derived from the
    /// principal's ARN and creation time — stable while the principal exists, and new
    /// when a principal of the same name is created again (as IAM's unique ids are).
    public var principalUniqueID: String {
        let prefix: String
        switch principalKind {
        case .root: return account
        case .user: prefix = "AIDA"
        case .role: prefix = "AROA"
        }
        let seed = "\(principal)\n\(principalCreationDate.timeIntervalSince1970)"
        let digest = (try? HashFunction.sha256.hash(Array(seed.utf8))) ?? []
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        let characters = digest.prefix(17).map { alphabet[Int($0 & 31)] }
        return prefix + String(decoding: characters, as: UTF8.self)
    }

    /// Never the secret.
    public var description: String {
        "Credential(\(accessKeyID), \(principal), \(isActive ? "active" : "revoked"))"
    }
}

/// What ``KeyStore/open(directory:account:now:)`` found or made.
public struct KeyStoreOpening: Sendable {
    /// The open store.
    public var store: KeyStore
    /// Whether this call initialised the directory (and wrote the credentials file).
    public var initialized: Bool
    /// `DIR/credentials`: the root principal's access key in the AWS shared-credentials
    /// format. Written only on initialisation; it may since have been moved or deleted.
    public var credentialsFile: URL
}
