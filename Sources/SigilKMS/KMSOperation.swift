/// An operation of the KMS JSON protocol that Sigil's key holder serves, by its KMS name.
///
/// A request names its operation in the `X-Amz-Target` header as `TrentService.<Name>`.
/// This is an enum, not an open struct, on purpose: the key holder switches over it, and
/// the compiler then points at every place a new operation must be handled.
public enum KMSOperation: String, CaseIterable, Sendable, CustomStringConvertible {
    case createKey = "CreateKey"
    case describeKey = "DescribeKey"
    case listKeys = "ListKeys"
    case getPublicKey = "GetPublicKey"
    case sign = "Sign"
    case verify = "Verify"
    case encrypt = "Encrypt"
    case decrypt = "Decrypt"
    case reEncrypt = "ReEncrypt"
    case generateDataKey = "GenerateDataKey"
    case generateDataKeyWithoutPlaintext = "GenerateDataKeyWithoutPlaintext"
    case generateDataKeyPair = "GenerateDataKeyPair"
    case generateDataKeyPairWithoutPlaintext = "GenerateDataKeyPairWithoutPlaintext"
    case generateRandom = "GenerateRandom"
    case enableKey = "EnableKey"
    case disableKey = "DisableKey"
    case scheduleKeyDeletion = "ScheduleKeyDeletion"
    case cancelKeyDeletion = "CancelKeyDeletion"
    case updateKeyDescription = "UpdateKeyDescription"
    case createAlias = "CreateAlias"
    case updateAlias = "UpdateAlias"
    case deleteAlias = "DeleteAlias"
    case listAliases = "ListAliases"
    case tagResource = "TagResource"
    case untagResource = "UntagResource"
    case listResourceTags = "ListResourceTags"
    case enableKeyRotation = "EnableKeyRotation"
    case disableKeyRotation = "DisableKeyRotation"
    case getKeyRotationStatus = "GetKeyRotationStatus"
    case rotateKeyOnDemand = "RotateKeyOnDemand"
    case listKeyRotations = "ListKeyRotations"
    case putKeyPolicy = "PutKeyPolicy"
    case getKeyPolicy = "GetKeyPolicy"
    case listKeyPolicies = "ListKeyPolicies"
    case getParametersForImport = "GetParametersForImport"
    case importKeyMaterial = "ImportKeyMaterial"

    /// Whether KMS lets a caller of another account perform the operation on a key, when
    /// the key's policy allows it: the "Cross-account use" of each operation in the KMS API
    /// reference. Yes for the cryptographic operations and the reads a key user needs
    /// (DescribeKey, GetPublicKey, GetKeyRotationStatus); no for everything that manages a
    /// key (policy, state, deletion, aliases, tags, rotation settings) or lists an account's
    /// resources — whatever a key policy grants.
    public var allowsCrossAccountUse: Bool {
        switch self {
        case .describeKey, .getPublicKey, .sign, .verify, .encrypt, .decrypt, .reEncrypt, .generateDataKey,
            .generateDataKeyWithoutPlaintext, .generateDataKeyPair, .generateDataKeyPairWithoutPlaintext,
            .getKeyRotationStatus:
            return true
        case .createKey, .listKeys, .generateRandom, .enableKey, .disableKey, .scheduleKeyDeletion,
            .cancelKeyDeletion, .updateKeyDescription, .createAlias, .updateAlias, .deleteAlias, .listAliases,
            .tagResource, .untagResource, .listResourceTags, .enableKeyRotation, .disableKeyRotation,
            .rotateKeyOnDemand, .listKeyRotations, .putKeyPolicy, .getKeyPolicy, .listKeyPolicies,
            .getParametersForImport, .importKeyMaterial:
            return false
        }
    }

    /// The prefix of every `X-Amz-Target` value of the KMS API.
    public static let targetPrefix = "TrentService"

    /// The HTTP content type of KMS requests and responses.
    public static let contentType = "application/x-amz-json-1.1"

    /// The operation's KMS name, such as `GenerateDataKey`.
    public var name: String { rawValue }

    /// The `X-Amz-Target` header value, such as `TrentService.Sign`.
    public var target: String { "\(Self.targetPrefix).\(rawValue)" }

    /// Parses an `X-Amz-Target` header value.
    ///
    /// - Parameter target: The header value, such as `TrentService.Sign`. Exact match:
    ///   KMS names are case-sensitive.
    /// - Returns: The operation, or `nil` for another service's prefix or an operation
    ///   Sigil does not serve (the server answers `UnknownOperationException`).
    public init?(target: String) {
        let prefix = Self.targetPrefix + "."
        guard target.hasPrefix(prefix) else { return nil }
        self.init(rawValue: String(target.dropFirst(prefix.count)))
    }

    public var description: String { rawValue }
}
