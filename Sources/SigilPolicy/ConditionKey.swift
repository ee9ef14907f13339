/// A condition key the key holder supplies, read from a policy.
///
/// Names compare without case, as in AWS: `KMS:callerAccount` is `kms:CallerAccount`.
///
/// Only keys that the key holder puts in every request they concern (or that follow from
/// the request's own fields) are accepted. Any other key — `aws:SourceVpc`,
/// `aws:MultiFactorAuthPresent`, `aws:PrincipalTag/…`, `kms:ViaService`, … — is refused
/// when the policy is read: a key that is never supplied would make a Deny that tests it
/// silently never apply.
struct ConditionKey: Sendable {
    /// A request fact that stands in for a key the request context does not carry.
    enum ImplicitValue: Sendable {
        case callerAccount, principalARN, principalType, username, resourceAccount
    }

    /// What a key's values are, which decides the operators that may test it.
    enum ValueType: Sendable {
        /// A name from a fixed vocabulary or an identifier: the `String…` operators.
        case string
        /// Text that may be an ARN: the `String…` and `Arn…` operators.
        case stringOrARN
        /// `true` or `false`: `Bool`.
        case bool
        /// An IPv4 or IPv6 address: `IpAddress`, `NotIpAddress`.
        case ipAddress
        /// An ISO 8601 time: the `Date…` operators.
        case date
        /// Whole seconds since 1970: the `Date…` and `Numeric…` operators (as AWS types
        /// `aws:EpochTime` "Date, Numeric").
        case epochSeconds

        /// Whether an operator of `family` can test a value of this type. `Null` tests only
        /// presence, so it fits every key.
        func accepts(_ family: Condition.OperatorFamily) -> Bool {
            switch (self, family) {
            case (_, .null), (.string, .string), (.stringOrARN, .string), (.stringOrARN, .arn), (.bool, .bool),
                (.ipAddress, .ipAddress), (.date, .date), (.epochSeconds, .date), (.epochSeconds, .numeric):
                true
            default:
                false
            }
        }

        /// The value's kind and the operators that fit it, for error messages.
        var explanation: String {
            switch self {
            case .string: "a string (use the String operators)"
            case .stringOrARN: "a string (use the String or Arn operators)"
            case .bool: "a boolean (use Bool)"
            case .ipAddress: "an IP address (use IpAddress or NotIpAddress)"
            case .date: "a date (use the Date operators)"
            case .epochSeconds: "seconds since 1970 (use the Date or Numeric operators)"
            }
        }
    }

    /// The key as written in the policy.
    let written: String
    /// The spelling used to find the key in a request context (compared without case).
    let canonical: String
    /// What the key means when the request context leaves it out.
    let implicit: ImplicitValue?
    /// What the key's values are.
    let type: ValueType
    /// Whether a request may carry several values of the key. Only
    /// `kms:EncryptionContextKeys` does; every other key has one value per request.
    let isMultivalued: Bool

    static let encryptionContextPrefix = "kms:EncryptionContext:"
    private static let multivaluedKey = "kms:EncryptionContextKeys"

    /// The supported keys by lowercased name.
    ///
    /// The key holder's side of the contract: every key here is either in the context of
    /// each request it concerns (see ``AuthorizationRequest/context``) or worked out from
    /// the request's fields (`implicit`). A key that is absent from a request is absent
    /// in AWS too for that operation (`kms:EncryptionAlgorithm` on Sign, say).
    ///
    /// `kms:GrantIsForAWSResource` is accepted though the key holder never sets it: KMS
    /// sets it only on the grant operations (CreateGrant, ListGrants, RevokeGrant), which
    /// the key holder does not serve, so on every request it does serve the key is absent
    /// in AWS as well. "Absent" is its true value here, and a statement testing it
    /// decides exactly as it would in KMS.
    private static let supported: [String: (canonical: String, type: ValueType, implicit: ImplicitValue?)] = {
        let keys: [(String, ValueType, ImplicitValue?)] = [
            ("kms:CallerAccount", .string, .callerAccount),
            ("kms:EncryptionAlgorithm", .string, nil),
            ("kms:SigningAlgorithm", .string, nil),
            ("kms:MessageType", .string, nil),
            ("kms:KeySpec", .string, nil),
            ("kms:KeyUsage", .string, nil),
            ("kms:KeyOrigin", .string, nil),
            ("kms:DataKeyPairSpec", .string, nil),
            (multivaluedKey, .string, nil),
            ("kms:RequestAlias", .string, nil),
            ("kms:GrantIsForAWSResource", .bool, nil),
            // Supplied on both sides of a ReEncrypt: whether the source key is the destination key.
            ("kms:ReEncryptOnSameKey", .bool, nil),
            ("aws:PrincipalArn", .stringOrARN, .principalARN),
            ("aws:PrincipalAccount", .string, .callerAccount),
            ("aws:PrincipalType", .string, .principalType),
            ("aws:ResourceAccount", .string, .resourceAccount),
            ("aws:username", .string, .username),
            ("aws:userid", .string, nil),
            ("aws:SourceIp", .ipAddress, nil),
            ("aws:SecureTransport", .bool, nil),
            ("aws:CurrentTime", .date, nil),
            ("aws:EpochTime", .epochSeconds, nil),
            ("aws:RequestedRegion", .string, nil),
        ]
        return Dictionary(uniqueKeysWithValues: keys.map { ($0.0.lowercased(), (canonical: $0.0, type: $0.1, implicit: $0.2)) })
    }()

    /// Reads a key; nil when the key holder does not supply it.
    init?(_ written: String) {
        self.written = written
        if let known = Self.supported[written.lowercased()] {
            canonical = known.canonical
            implicit = known.implicit
            type = known.type
            isMultivalued = known.canonical == Self.multivaluedKey
        } else if hasPrefixIgnoringASCIICase(written, Self.encryptionContextPrefix),
            written.utf8.count > Self.encryptionContextPrefix.utf8.count
        {
            canonical = Self.encryptionContextPrefix + written.dropFirst(Self.encryptionContextPrefix.count)
            implicit = nil
            // Context values are free text; some services put ARNs in them.
            type = .stringOrARN
            isMultivalued = false
        } else {
            return nil
        }
    }

    /// The key's values in `request`: the context entries whose name matches without case,
    /// else the implicit value.
    ///
    /// A single-valued key found with more than one value — under several spellings that
    /// differ only in case (`kms:EncryptionContext:tenant` and `…:Tenant`), or as a list of
    /// several — is ``ContextValues/conflicting``: which value is "the" value is not
    /// knowable, so conditions on it fail closed. A multivalued key's values are joined.
    func values(in request: AuthorizationRequest, caller: Caller) -> ContextValues {
        var found: [String]?
        var joined: [String]?
        for (name, values) in request.context where !values.isEmpty && equalsIgnoringASCIICase(name, canonical) {
            if let first = found {
                if !isMultivalued { return .conflicting }
                joined = (joined ?? first) + values
            } else {
                found = values
            }
        }
        if let joined { return .list(joined) }
        if let found {
            if !isMultivalued && found.count > 1 { return .conflicting }
            return .list(found)
        }
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
    /// A single-valued key with several values: no condition on it can be decided.
    case conflicting
}
