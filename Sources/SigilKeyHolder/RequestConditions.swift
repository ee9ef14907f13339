import Foundation
import SigilKMS

/// A request body's contribution to policy conditions: the `kms:` condition keys that
/// KMS sets from a request's members, and what the audit log records of it (algorithm,
/// encryption-context keys — never their values).
protocol ConditionSource {
    var conditionKeys: [String: [String]] { get }
    /// The algorithm or spec the audit log records for the request.
    var auditedAlgorithm: String? { get }
    /// The encryption context, whose keys (only) the audit log records.
    var auditedContext: [String: String]? { get }
}

extension ConditionSource {
    var auditedContext: [String: String]? { nil }
    /// Every encryption context the request carries.
    var encryptionContexts: [[String: String]] { auditedContext.map { [$0] } ?? [] }
}

/// Refuses an encryption context with two keys that differ only in case.
///
/// Policies compare condition key names without case, as AWS does: for the context
/// `{"tenant": "blue", "Tenant": "red"}`, `kms:EncryptionContext:tenant` would have two
/// values, and whichever one a condition looked at, the other would slip past it — past
/// an Allow that admits only `blue`, or past a Deny of `red`. Such a context is refused
/// outright (ValidationException, before any key is looked at) rather than evaluated
/// under a rule a policy author could not foresee. Encryption contexts name their keys
/// in one spelling in practice; a caller who needs both spellings cannot be served safely.
func checkEncryptionContextKeysDistinct(_ request: some Decodable) throws {
    guard let source = request as? any ConditionSource else { return }
    for context in source.encryptionContexts where context.count > 1 {
        var seen: [String: String] = [:]
        for name in context.keys.sorted() {
            let folded = name.lowercased()
            if let other = seen[folded] {
                throw KMSError.validation(
                    "The encryption context has keys that differ only in case ('\(other.prefix(128))' and '\(name.prefix(128))'); "
                        + "policy conditions compare encryption context keys without case, so such a context is refused")
            }
            seen[folded] = name
        }
    }
}

/// `kms:EncryptionAlgorithm`, `kms:EncryptionContext:KEY` for each pair of the context,
/// `kms:EncryptionContextKeys`, and any `extra` keys.
func encryptionConditions(
    _ algorithm: KMS.EncryptionAlgorithm?, _ context: [String: String]?, extra: [String: [String]] = [:]
) -> [String: [String]] {
    var keys = extra
    keys["kms:EncryptionAlgorithm"] = [algorithm?.rawValue ?? "SYMMETRIC_DEFAULT"]
    if let context, !context.isEmpty {
        for (name, value) in context { keys["kms:EncryptionContext:\(name)"] = [value] }
        keys["kms:EncryptionContextKeys"] = context.keys.sorted()
    }
    return keys
}

extension KMS.EncryptRequest: ConditionSource {
    var conditionKeys: [String: [String]] { encryptionConditions(encryptionAlgorithm, encryptionContext) }
    var auditedAlgorithm: String? { encryptionAlgorithm?.rawValue ?? "SYMMETRIC_DEFAULT" }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.DecryptRequest: ConditionSource {
    var conditionKeys: [String: [String]] { encryptionConditions(encryptionAlgorithm, encryptionContext) }
    var auditedAlgorithm: String? { encryptionAlgorithm?.rawValue ?? "SYMMETRIC_DEFAULT" }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.ReEncryptRequest: ConditionSource {
    // Each side is authorized with its own keys (``KeyHolderService/reEncrypt(_:_:)``);
    // these, the source's, are what the request's body says before either key is known.
    var conditionKeys: [String: [String]] { encryptionConditions(sourceEncryptionAlgorithm, sourceEncryptionContext) }
    var encryptionContexts: [[String: String]] { [sourceEncryptionContext, destinationEncryptionContext].compactMap { $0 } }
    var auditedAlgorithm: String? { destinationEncryptionAlgorithm?.rawValue ?? "SYMMETRIC_DEFAULT" }
    var auditedContext: [String: String]? { destinationEncryptionContext }
}

extension KMS.GenerateDataKeyRequest: ConditionSource {
    var conditionKeys: [String: [String]] { encryptionConditions(nil, encryptionContext) }
    var auditedAlgorithm: String? { keySpec?.rawValue }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.GenerateDataKeyWithoutPlaintextRequest: ConditionSource {
    var conditionKeys: [String: [String]] { encryptionConditions(nil, encryptionContext) }
    var auditedAlgorithm: String? { keySpec?.rawValue }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.GenerateDataKeyPairRequest: ConditionSource {
    var conditionKeys: [String: [String]] {
        encryptionConditions(nil, encryptionContext, extra: ["kms:DataKeyPairSpec": [keyPairSpec.rawValue]])
    }
    var auditedAlgorithm: String? { keyPairSpec.rawValue }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.GenerateDataKeyPairWithoutPlaintextRequest: ConditionSource {
    var conditionKeys: [String: [String]] {
        encryptionConditions(nil, encryptionContext, extra: ["kms:DataKeyPairSpec": [keyPairSpec.rawValue]])
    }
    var auditedAlgorithm: String? { keyPairSpec.rawValue }
    var auditedContext: [String: String]? { encryptionContext }
}

extension KMS.SignRequest: ConditionSource {
    var conditionKeys: [String: [String]] {
        ["kms:SigningAlgorithm": [signingAlgorithm.rawValue], "kms:MessageType": [messageType?.rawValue ?? "RAW"]]
    }
    var auditedAlgorithm: String? { signingAlgorithm.rawValue }
}

extension KMS.VerifyRequest: ConditionSource {
    var conditionKeys: [String: [String]] {
        ["kms:SigningAlgorithm": [signingAlgorithm.rawValue], "kms:MessageType": [messageType?.rawValue ?? "RAW"]]
    }
    var auditedAlgorithm: String? { signingAlgorithm.rawValue }
}

extension KMS.CreateKeyRequest: ConditionSource {
    var conditionKeys: [String: [String]] {
        [
            "kms:KeySpec": [(keySpec ?? customerMasterKeySpec)?.rawValue ?? "SYMMETRIC_DEFAULT"],
            "kms:KeyUsage": [keyUsage?.rawValue ?? "ENCRYPT_DECRYPT"],
            "kms:KeyOrigin": [origin?.rawValue ?? "AWS_KMS"],
        ]
    }
    var auditedAlgorithm: String? { (keySpec ?? customerMasterKeySpec)?.rawValue ?? "SYMMETRIC_DEFAULT" }
}
