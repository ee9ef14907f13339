/// KMS's way of combining a key policy with the caller's identity policies.
///
/// The rules, in order:
/// 1. A Deny that applies, in the key policy (whatever way its principal names the
///    caller) or in any of the caller's identity policies, refuses the request.
/// 2. A caller in the key's account is allowed when a key policy Allow names it (its ARN,
///    `*`, or its account when the caller is that account's root); or when an Allow names
///    its account and one of its identity policies allows the request too (the key policy
///    "delegates to IAM").
/// 3. A caller in another account needs a key policy Allow that names it in any way, and
///    its own account's consent: an identity policy of the caller that allows the request
///    on this key. That account's root needs no identity policy.
/// 4. Otherwise the request is refused without an explicit Deny.
///
/// Actions on no particular key (``accountActions``) have no key policy: see
/// ``authorize(identityPolicies:request:)``.
public enum KMSAuthorizer {
    /// The actions on a key, as policies name them (`kms:Operation`). ReEncrypt is two
    /// actions, one on each key: `kms:ReEncryptFrom` and `kms:ReEncryptTo`.
    public static let keyActions: [String] = [
        "kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:Verify", "kms:Encrypt", "kms:Decrypt",
        "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:EnableKey", "kms:DisableKey",
        "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:UpdateKeyDescription", "kms:CreateAlias",
        "kms:UpdateAlias", "kms:DeleteAlias", "kms:TagResource", "kms:UntagResource", "kms:ListResourceTags",
        "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:GetKeyRotationStatus", "kms:RotateKeyOnDemand",
        "kms:ListKeyRotations", "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:ListKeyPolicies",
    ]

    /// The actions on no particular key (the request's resource is `*`). As in AWS, only
    /// the caller's identity policies decide them.
    public static let accountActions: [String] = ["kms:CreateKey", "kms:ListKeys", "kms:ListAliases", "kms:GenerateRandom"]

    /// Every action the key holder authorizes: ``accountActions`` then ``keyActions``.
    public static let allActions: [String] = accountActions + keyActions

    /// KMS actions that exist in AWS but that the key holder does not serve. Policies may
    /// name them (the console's administrator statement has `kms:Revoke*`); they are known
    /// only so that a misspelt action can be told from one of these. (GetParametersForImport
    /// and ImportKeyMaterial are authorized before the key holder refuses them, as KMS
    /// refuses them for a key with its own material.)
    static let unservedActions: [String] = [
        "kms:CreateGrant", "kms:ListGrants", "kms:ListRetirableGrants", "kms:RetireGrant", "kms:RevokeGrant",
        "kms:GenerateMac", "kms:VerifyMac", "kms:DeriveSharedSecret", "kms:ImportKeyMaterial",
        "kms:DeleteImportedKeyMaterial", "kms:GetParametersForImport", "kms:ReplicateKey", "kms:UpdatePrimaryRegion",
        "kms:SynchronizeMultiRegionKey", "kms:ConnectCustomKeyStore", "kms:CreateCustomKeyStore",
        "kms:DeleteCustomKeyStore", "kms:DescribeCustomKeyStores", "kms:DisconnectCustomKeyStore",
        "kms:UpdateCustomKeyStore",
    ]

    /// Whether `action` (any case) is one of ``accountActions``, which
    /// ``authorize(identityPolicies:request:)`` decides rather than a key policy.
    public static func isAccountAction(_ action: String) -> Bool {
        accountActions.contains { equalsIgnoringASCIICase($0, action) }
    }

    /// Decides a request on a key.
    ///
    /// A `keyPolicy` read as an identity policy allows nothing (its statements name no
    /// principal, so honouring them would open the key to everyone); a document read as a
    /// key policy among `identityPolicies` allows nothing either. Their Denies still count.
    ///
    /// - Parameters:
    ///   - keyPolicy: The key's policy.
    ///   - keyAccount: The account that owns the key.
    ///   - identityPolicies: The policies attached to the caller (none for a root).
    ///   - request: The request; its resource is the key's ARN.
    /// - Returns: The decision.
    public static func authorize(
        keyPolicy: PolicyDocument, keyAccount: String, identityPolicies: [PolicyDocument], request: AuthorizationRequest
    ) -> Decision {
        let caller = Caller(request)
        var key = keyPolicy.verdict(for: request, caller: caller)
        if key.denied { return .explicitDeny }
        if keyPolicy.kind != .keyPolicy {
            key = Verdict()
        }
        var identityAllows = false
        for policy in identityPolicies {
            let verdict = policy.verdict(for: request, caller: caller)
            if verdict.denied { return .explicitDeny }
            if policy.kind == .identityPolicy && verdict.allowsCaller { identityAllows = true }
        }
        if caller.account == keyAccount {
            if key.allowsCaller { return .allow }
            return key.allowsCallerAccount && identityAllows ? .allow : .implicitDeny
        }
        guard key.allowsCaller || key.allowsCallerAccount else { return .implicitDeny }
        return caller.isRoot || identityAllows ? .allow : .implicitDeny
    }

    /// Decides a request on no particular key (``accountActions``: CreateKey, ListKeys,
    /// ListAliases, GenerateRandom) from the caller's identity policies alone. An account's
    /// root may do them without a policy; anyone else needs an identity policy that allows
    /// the action on resource `*`.
    ///
    /// - Parameters:
    ///   - identityPolicies: The policies attached to the caller.
    ///   - request: The request; its resource is `*`.
    /// - Returns: The decision.
    public static func authorize(identityPolicies: [PolicyDocument], request: AuthorizationRequest) -> Decision {
        let caller = Caller(request)
        var allowed = caller.isRoot
        for policy in identityPolicies {
            let verdict = policy.verdict(for: request, caller: caller)
            if verdict.denied { return .explicitDeny }
            if policy.kind == .identityPolicy && verdict.allowsCaller { allowed = true }
        }
        return allowed ? .allow : .implicitDeny
    }

    /// PutKeyPolicy's safety check: whether the caller could still change the key's policy
    /// once `keyPolicy` is in place. KMS refuses a new policy that fails this check unless
    /// the request sets `BypassPolicyLockoutSafetyCheck`.
    ///
    /// - Parameters:
    ///   - keyPolicy: The proposed policy.
    ///   - keyAccount: The account that owns the key.
    ///   - caller: The PutKeyPolicy request (its action is replaced by `kms:PutKeyPolicy`).
    ///   - identityPolicies: The caller's identity policies.
    /// - Returns: True when the caller would be allowed `kms:PutKeyPolicy` under `keyPolicy`.
    public static func lockoutCheck(
        keyPolicy: PolicyDocument, keyAccount: String, caller: AuthorizationRequest, identityPolicies: [PolicyDocument]
    ) -> Bool {
        var request = caller
        request.action = "kms:PutKeyPolicy"
        return authorize(keyPolicy: keyPolicy, keyAccount: keyAccount, identityPolicies: identityPolicies, request: request)
            == .allow
    }
}
