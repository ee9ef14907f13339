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
    /// Condition keys and their values, such as `kms:EncryptionAlgorithm`:
    /// `["RSAES_OAEP_SHA_256"]`, `kms:EncryptionContext:purpose`: `["x"]`,
    /// `kms:EncryptionContextKeys`: `["purpose"]`.
    ///
    /// Names compare without case, as in AWS. A key with an empty list counts as absent.
    /// When the context does not carry them, policies see `kms:CallerAccount` and
    /// `aws:PrincipalAccount` (the caller's account), `aws:PrincipalArn`,
    /// `aws:PrincipalType` (`Account`, `User` or `AssumedRole`), `aws:username` (for a user)
    /// and `aws:ResourceAccount` (the account in the resource's ARN), all taken from the
    /// fields above.
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
