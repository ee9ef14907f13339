/// A condition key the key holder supplies, read from a policy.
///
/// Names compare without case, as in AWS: `KMS:callerAccount` is `kms:CallerAccount`.
struct ConditionKey: Sendable {
    /// A request fact that stands in for a key the request context does not carry.
    enum ImplicitValue: Sendable {
        case callerAccount, principalARN, principalType, username, resourceAccount
    }

    /// The key as written in the policy.
    let written: String
    /// The spelling used to find the key in a request context (compared without case).
    let canonical: String
    /// What the key means when the request context leaves it out.
    let implicit: ImplicitValue?

    static let encryptionContextPrefix = "kms:EncryptionContext:"

    /// The supported keys by lowercased name: canonical spelling and implicit value.
    private static let supported: [String: (canonical: String, implicit: ImplicitValue?)] = {
        let keys: [(String, ImplicitValue?)] = [
            ("kms:CallerAccount", .callerAccount),
            ("kms:EncryptionAlgorithm", nil),
            ("kms:SigningAlgorithm", nil),
            ("kms:MessageType", nil),
            ("kms:KeySpec", nil),
            ("kms:KeyUsage", nil),
            ("kms:EncryptionContextKeys", nil),
            ("kms:RequestAlias", nil),
            ("kms:KeyOrigin", nil),
            ("kms:GrantIsForAWSResource", nil),
            ("aws:PrincipalArn", .principalARN),
            ("aws:PrincipalAccount", .callerAccount),
            ("aws:PrincipalType", .principalType),
            ("aws:ResourceAccount", .resourceAccount),
            ("aws:SourceIp", nil),
            ("aws:SecureTransport", nil),
            ("aws:CurrentTime", nil),
            ("aws:RequestedRegion", nil),
            ("aws:userid", nil),
            ("aws:username", .username),
        ]
        return Dictionary(uniqueKeysWithValues: keys.map { ($0.0.lowercased(), (canonical: $0.0, implicit: $0.1)) })
    }()

    /// Reads a key; nil when the key holder does not supply it.
    init?(_ written: String) {
        self.written = written
        if let known = Self.supported[written.lowercased()] {
            canonical = known.canonical
            implicit = known.implicit
        } else if hasPrefixIgnoringASCIICase(written, Self.encryptionContextPrefix),
            written.utf8.count > Self.encryptionContextPrefix.utf8.count
        {
            canonical = Self.encryptionContextPrefix + written.dropFirst(Self.encryptionContextPrefix.count)
            implicit = nil
        } else {
            return nil
        }
    }

    /// The key's values in `request`: every context entry whose name matches without case
    /// (their values joined if several spellings are present), else the implicit value.
    func values(in request: AuthorizationRequest, caller: Caller) -> ContextValues {
        var found: [String]?
        var joined: [String]?
        for (name, values) in request.context where !values.isEmpty && equalsIgnoringASCIICase(name, canonical) {
            if let first = found {
                joined = (joined ?? first) + values
            } else {
                found = values
            }
        }
        if let joined { return .list(joined) }
        if let found { return .list(found) }
        guard let implicit else { return .absent }
        return Self.implicitValue(implicit, request: request, caller: caller)
    }

    private static func implicitValue(_ implicit: ImplicitValue, request: AuthorizationRequest, caller: Caller) -> ContextValues {
        switch implicit {
        case .callerAccount:
            return request.principalAccount.isEmpty ? .absent : .one(request.principalAccount)
        case .principalARN:
            return request.principalARN.isEmpty ? .absent : .one(request.principalARN)
        case .principalType:
            if caller.isRoot { return .one("Account") }
            if request.principalARN.contains(":user/") { return .one("User") }
            if request.principalARN.contains(":role/") { return .one("AssumedRole") }
            return .absent
        case .username:
            guard let range = request.principalARN.firstRange(of: ":user/") else { return .absent }
            let path = request.principalARN[range.upperBound...]
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            return name.isEmpty ? .absent : .one(name)
        case .resourceAccount:
            let parts = request.resource.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[0] == "arn", !parts[4].isEmpty else { return .absent }
            return .one(String(parts[4]))
        }
    }
}

/// The values a request has for one condition key.
enum ContextValues {
    case absent
    case one(String)
    case list([String])

    var isAbsent: Bool {
        if case .absent = self { return true }
        return false
    }

    /// Whether some value satisfies `predicate` (false when absent).
    func contains(where predicate: (String) -> Bool) -> Bool {
        switch self {
        case .absent: false
        case .one(let value): predicate(value)
        case .list(let values): values.contains(where: predicate)
        }
    }

    /// Whether every value satisfies `predicate` (true when absent).
    func allSatisfy(_ predicate: (String) -> Bool) -> Bool {
        switch self {
        case .absent: true
        case .one(let value): predicate(value)
        case .list(let values): values.allSatisfy(predicate)
        }
    }
}
