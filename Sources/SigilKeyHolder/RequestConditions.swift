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
    // The source side's; the destination's are set when the destination is checked.
    var conditionKeys: [String: [String]] {
        encryptionConditions(sourceEncryptionAlgorithm, sourceEncryptionContext, extra: ["kms:ReEncryptOnSameKey": ["false"]])
    }
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
