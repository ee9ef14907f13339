/// The answer of a policy, or of the key holder's whole authorization.
public enum Decision: Sendable, Hashable, CustomStringConvertible {
    /// A statement allows the request (and, for the authorizer, every policy that had to agree did).
    case allow
    /// A statement denies the request; nothing else can allow it.
    case explicitDeny
    /// Nothing allows the request; it is refused.
    case implicitDeny

    public var description: String {
        switch self {
        case .allow: "allow"
        case .explicitDeny: "explicitDeny"
        case .implicitDeny: "implicitDeny"
        }
    }
}

/// One request, as policies see it: who asks, to do what, on which resource, in which context.
public struct AuthorizationRequest: Sendable {
    /// The caller's ARN: `arn:aws:iam::111122223333:root`, `…:user/alice` or `…:role/Builder`.
    public var principalARN: String
    /// The caller's 12-digit account id.
    public var principalAccount: String
    /// The action, such as `kms:Decrypt` (any case).
    public var action: String
    /// The resource: a key ARN `arn:aws:kms:REGION:ACCOUNT:key/ID`, or `*` for an action
    /// on no particular key (CreateKey, ListKeys, ListAliases, GenerateRandom).
    public var resource: String
    /// Condition keys and their values.
    ///
    /// The key holder supplies, on every request:
    /// - `aws:SecureTransport`: `["true"]` over TLS, else `["false"]`;
    /// - `aws:SourceIp`: the client's address, `["203.0.113.7"]` or `["2001:db8::1"]` (an
    ///   IPv4-mapped IPv6 address such as `::ffff:10.1.2.3` counts as its IPv4 address);
    /// - `aws:CurrentTime`: ISO 8601 in UTC to the second, `["2026-12-05T23:30:54Z"]`;
    /// - `aws:EpochTime`: the same instant in whole seconds since 1970, `["1796513454"]`;
    /// - `aws:RequestedRegion`: the key holder's region, `["us-east-1"]`;
    /// - `aws:userid`: the caller's unique id (for an account's root, the account id);
    ///
    /// and, where the operation has them, the `kms:` keys: `kms:EncryptionAlgorithm`,
    /// `kms:EncryptionContext:KEY` and `kms:EncryptionContextKeys` (one entry per
    /// context key), `kms:SigningAlgorithm`, `kms:MessageType`, `kms:KeySpec`,
    /// `kms:KeyUsage`, `kms:KeyOrigin`, `kms:DataKeyPairSpec`, `kms:RequestAlias`,
    /// `kms:ReEncryptOnSameKey` (`["true"]` or `["false"]`).
    ///
    /// Names compare without case, as in AWS. A key with an empty list counts as absent.
    /// Every key but `kms:EncryptionContextKeys` has one value: a key present with several
    /// (a list of two, or two spellings that differ only in case such as
    /// `kms:EncryptionContext:tenant` and `kms:EncryptionContext:Tenant`) makes every
    /// condition on it fail closed — an Allow that tests it does not apply, a Deny does.
    /// So does a value the condition's operator cannot read (an `aws:SourceIp` that is no
    /// address).
    ///
    /// When the context does not carry them, policies see `kms:CallerAccount` and
    /// `aws:PrincipalAccount` (the caller's account), `aws:PrincipalArn`,
    /// `aws:PrincipalType` (`Account`, `User` or `AssumedRole`), `aws:username` (for a user)
    /// and `aws:ResourceAccount` (the account in the resource's ARN), all taken from the
    /// fields above. A policy that names any other key is refused when it is read.
    public var context: [String: [String]]

    /// Creates a request.
    ///
    /// - Parameters:
    ///   - principalARN: The caller's IAM ARN.
    ///   - principalAccount: The caller's account id.
    ///   - action: The action, `kms:Operation`.
    ///   - resource: The key ARN, or `*`.
    ///   - context: Condition keys and their values.
    public init(
        principalARN: String, principalAccount: String, action: String, resource: String,
        context: [String: [String]] = [:]
    ) {
        self.principalARN = principalARN
        self.principalAccount = principalAccount
        self.action = action
        self.resource = resource
        self.context = context
    }
}

/// Facts about the caller that evaluation needs, worked out once per request.
struct Caller {
    let arn: String
    let account: String
    /// The caller is its account's root (`arn:aws:iam::ACCOUNT:root`).
    let isRoot: Bool

    init(_ request: AuthorizationRequest) {
        arn = request.principalARN
        account = request.principalAccount
        isRoot = Self.isRootARN(request.principalARN, of: request.principalAccount)
    }

    private static let arnPrefix = "arn:aws:iam::"
    private static let rootSuffix = ":root"

    static func isRootARN(_ arn: String, of account: String) -> Bool {
        let expectedCount = arnPrefix.utf8.count + account.utf8.count + rootSuffix.utf8.count
        guard !account.isEmpty, arn.utf8.count == expectedCount, arn.hasPrefix(arnPrefix), arn.hasSuffix(rootSuffix) else {
            return false
        }
        return arn.utf8.dropFirst(arnPrefix.utf8.count).prefix(account.utf8.count).elementsEqual(account.utf8)
    }
}
