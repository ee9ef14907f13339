/// A key policy or identity policy in the AWS policy language, validated and compiled.
///
/// Reading a document checks it as AWS KMS would and compiles it once: action names
/// lowercased, wildcard patterns split, principals in sets, conditions typed. Evaluating it
/// afterwards allocates little and never touches JSON, so a key holder can keep the
/// compiled document next to the key and evaluate it on every request.
///
/// ```swift
/// let policy = try PolicyDocument(json: text, kind: .keyPolicy, knownAccounts: ["111122223333"])
/// let decision = KMSAuthorizer.authorize(
///     keyPolicy: policy, keyAccount: "111122223333", identityPolicies: callerPolicies, request: request)
/// ```
public struct PolicyDocument: Sendable {
    /// Which kind of policy a document is; the kinds differ in what `Principal` may do.
    public enum Kind: Sendable {
        /// A key's resource policy: every statement names its principals
        /// (`Principal` or `NotPrincipal`).
        case keyPolicy
        /// A policy attached to a user or role: statements apply to that principal and may
        /// not name one.
        case identityPolicy
    }

    /// The largest document accepted, in bytes of UTF-8 (KMS's key policy limit).
    public static let maximumSize = 32_768

    /// The policy language versions accepted. In `2008-10-17` documents `${…}` is plain
    /// text; in `2012-10-17` it would be a policy variable, which Sigil refuses.
    public static let supportedVersions = ["2012-10-17", "2008-10-17"]

    /// The kind the document was read as.
    public let kind: Kind
    /// The document exactly as given: what GetKeyPolicy returns.
    public let text: String
    /// The `Version` member.
    public let version: String
    /// The `Id` member, if any.
    public let id: String?
    /// Things that are allowed but probably mistakes, such as a `kms:` action that matches
    /// no KMS operation (a misspelt Deny silently denies nothing). One line each, naming
    /// the statement.
    public let warnings: [String]

    let statements: [Statement]

    /// Reads and validates a policy document.
    ///
    /// - Parameters:
    ///   - json: The document, at most ``maximumSize`` bytes of UTF-8.
    ///   - kind: ``Kind/keyPolicy`` requires `Principal` or `NotPrincipal` in every
    ///     statement; ``Kind/identityPolicy`` forbids both.
    ///   - knownAccounts: When not nil, every account a principal names (by id, root, user
    ///     or role ARN) must be in this set.
    /// - Throws: ``PolicyError`` naming the statement (position and Sid) and the member,
    ///   operator, key or value at fault.
    public init(json: String, kind: Kind, knownAccounts: Set<String>?) throws(PolicyError) {
        let size = json.utf8.count
        guard size <= Self.maximumSize else {
            throw PolicyError(.documentTooLarge, "the policy is \(size) bytes; the limit is \(Self.maximumSize)")
        }
        let root = try JSONReader.parse(json)
        guard case .object(let members) = root else {
            throw PolicyError(.malformedJSON, "the policy must be a JSON object, not \(root.typeName)")
        }
        var version: String?
        var id: String?
        var statementValue: JSONValue?
        for (name, value) in members {
            switch name {
            case "Version":
                guard case .string(let text) = value else {
                    throw PolicyError(.unsupportedVersion, "Version must be a string, not \(value.typeName)")
                }
                version = text
            case "Id":
                guard case .string(let text) = value else {
                    throw PolicyError(.invalidElement, "Id must be a string, not \(value.typeName)")
                }
                id = text
            case "Statement":
                statementValue = value
            default:
                throw PolicyError(.unknownMember, "the policy has an unknown top-level member \"\(name)\"")
            }
        }
        guard let version else {
            throw PolicyError(.unsupportedVersion, "the policy has no Version; use \"2012-10-17\"")
        }
        guard Self.supportedVersions.contains(version) else {
            throw PolicyError(.unsupportedVersion, "Version \"\(version)\" is not supported; use \"2012-10-17\" or \"2008-10-17\"")
        }
        let statementValues: [JSONValue]
        switch statementValue {
        case nil:
            throw PolicyError(.invalidElement, "the policy has no Statement")
        case .object(let members)?:
            statementValues = [.object(members)]
        case .array(let list)?:
            guard !list.isEmpty else { throw PolicyError(.invalidElement, "Statement is an empty list") }
            statementValues = list
        case let other?:
            throw PolicyError(.invalidElement, "Statement must be an object or a list of objects, not \(other.typeName)")
        }

        var statements: [Statement] = []
        var warnings: [String] = []
        var sids: Set<String> = []
        for (offset, value) in statementValues.enumerated() {
            var reader = StatementReader(
                number: offset + 1, kind: kind, literalVariables: version == "2008-10-17", knownAccounts: knownAccounts)
            let statement = try reader.read(value)
            if let sid = statement.sid, !sid.isEmpty, !sids.insert(sid).inserted {
                throw PolicyError(.invalidElement, "\(reader.place): Sid \"\(sid)\" is used by an earlier statement too")
            }
            statements.append(statement)
            warnings += reader.warnings
        }
        self.kind = kind
        self.text = json
        self.version = version
        self.id = id
        self.statements = statements
        self.warnings = warnings
    }

    /// The number of statements.
    public var statementCount: Int { statements.count }

    /// Each statement's `Sid`, in order (nil where a statement has none).
    public var statementIDs: [String?] { statements.map(\.sid) }

    /// Decides a request by this document alone.
    ///
    /// A Deny statement that applies wins; otherwise an Allow statement that applies
    /// allows; otherwise nothing does. In a key policy an Allow that names the caller's
    /// account rather than the caller (a user or role of that account) does not allow on
    /// its own: it hands the decision to the account's identity policies, which only
    /// ``KMSAuthorizer`` combines. A Deny applies to the caller however its principal
    /// names it.
    ///
    /// - Parameter request: The request.
    /// - Returns: ``Decision/explicitDeny``, ``Decision/allow`` or ``Decision/implicitDeny``.
    public func evaluate(_ request: AuthorizationRequest) -> Decision {
        let verdict = verdict(for: request, caller: Caller(request))
        if verdict.denied { return .explicitDeny }
        return verdict.allowsCaller ? .allow : .implicitDeny
    }

    /// Works out what every statement says; stops at the first Deny that applies.
    func verdict(for request: AuthorizationRequest, caller: Caller) -> Verdict {
        var verdict = Verdict()
        for statement in statements where statement.actions.matches(request.action) {
            let match = statement.principalMatch(caller)
            switch (statement.effect, match) {
            case (_, .none):
                continue
            case (.deny, _):
                if statement.resourceAndConditionsApply(to: request, caller: caller) {
                    verdict.denied = true
                    return verdict
                }
            case (.allow, .direct):
                if !verdict.allowsCaller, statement.resourceAndConditionsApply(to: request, caller: caller) {
                    verdict.allowsCaller = true
                }
            case (.allow, .account):
                if !verdict.allowsCallerAccount, statement.resourceAndConditionsApply(to: request, caller: caller) {
                    verdict.allowsCallerAccount = true
                }
            }
        }
        return verdict
    }

    /// The document rewritten in one form: members in a fixed order, every list a list,
    /// conditions grouped by operator, no whitespace. Reading it back gives the same
    /// canonical text and the same decisions (as long as it stays within ``maximumSize``:
    /// writing every value as a list can make a dense document a little longer).
    public var canonicalJSON: String {
        var out = "{\"Version\":" + jsonQuoted(version)
        if let id { out += ",\"Id\":" + jsonQuoted(id) }
        out += ",\"Statement\":[" + statements.map(Self.canonical).joined(separator: ",") + "]}"
        return out
    }

    private static func canonical(_ statement: Statement) -> String {
        func list(_ items: [String]) -> String { "[" + items.map(jsonQuoted).joined(separator: ",") + "]" }
        var members: [String] = []
        if let sid = statement.sid { members.append("\"Sid\":" + jsonQuoted(sid)) }
        members.append("\"Effect\":" + jsonQuoted(statement.effect.rawValue))
        if let principal = statement.principal {
            let name = statement.principalIsNegated ? "NotPrincipal" : "Principal"
            let value = principal.isBareWildcard ? "\"*\"" : "{\"AWS\":" + list(principal.written) + "}"
            members.append("\"\(name)\":" + value)
        }
        let actionName = statement.actions.isNegated ? "NotAction" : "Action"
        members.append("\"\(actionName)\":" + list(statement.actions.patterns.map(\.text)))
        let resourceName = statement.resources.isNegated ? "NotResource" : "Resource"
        members.append("\"\(resourceName)\":" + list(statement.resources.patterns.map(\.text)))
        if !statement.conditions.isEmpty {
            var operators: [String] = []
            var keysByOperator: [String: [String]] = [:]
            for condition in statement.conditions {
                if keysByOperator[condition.operatorName] == nil { operators.append(condition.operatorName) }
                keysByOperator[condition.operatorName, default: []].append(
                    jsonQuoted(condition.key.written) + ":" + list(condition.writtenValues))
            }
            let blocks = operators.map { jsonQuoted($0) + ":{" + keysByOperator[$0, default: []].joined(separator: ",") + "}" }
            members.append("\"Condition\":{" + blocks.joined(separator: ",") + "}")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The policy KMS gives a key created without one: the account's root may do
    /// everything with the key, which lets the account's identity policies decide for its
    /// users and roles.
    ///
    /// - Parameter account: The key's 12-digit account id.
    /// - Returns: The document text, laid out as KMS returns it.
    public static func defaultKeyPolicy(account: String) -> String {
        """
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : \(jsonQuoted("arn:aws:iam::\(account):root"))
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """
    }
}

/// Reads one statement, naming it in every error.
private struct StatementReader {
    let number: Int
    let kind: PolicyDocument.Kind
    let literalVariables: Bool
    let knownAccounts: Set<String>?
    /// "statement 2" or "statement 2 (Sid "KeyUsers")", once the Sid is known.
    private(set) var place: String
    private(set) var warnings: [String] = []

    init(number: Int, kind: PolicyDocument.Kind, literalVariables: Bool, knownAccounts: Set<String>?) {
        self.number = number
        self.kind = kind
        self.literalVariables = literalVariables
        self.knownAccounts = knownAccounts
        place = "statement \(number)"
    }

    private func fail(_ code: PolicyError.Code, _ message: String) -> PolicyError {
        PolicyError(code, "\(place): \(message)")
    }

    mutating func read(_ value: JSONValue) throws(PolicyError) -> Statement {
        guard case .object(let members) = value else {
            throw fail(.invalidElement, "a statement must be an object, not \(value.typeName)")
        }
        var sid: String?
        if let sidValue = members.first(where: { $0.key == "Sid" })?.value {
            guard case .string(let text) = sidValue else {
                throw fail(.invalidElement, "Sid must be a string, not \(sidValue.typeName)")
            }
            sid = text
            place = "statement \(number) (Sid \"\(text)\")"
        }
        var elements: [String: JSONValue] = [:]
        for (name, value) in members {
            switch name {
            case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
                elements[name] = value
            default:
                throw fail(.unknownMember, "unknown member \"\(name)\"")
            }
        }

        guard let effectValue = elements["Effect"] else { throw fail(.invalidElement, "has no Effect") }
        guard case .string(let effectText) = effectValue, let effect = Statement.Effect(rawValue: effectText) else {
            let shown = if case .string(let text) = effectValue { "\"\(text)\"" } else { effectValue.typeName }
            throw fail(.invalidElement, "Effect must be \"Allow\" or \"Deny\", not \(shown)")
        }

        let (principal, principalIsNegated) = try readPrincipal(elements["Principal"], elements["NotPrincipal"])

        let (actionValue, actionIsNegated) = try either(elements, "Action", "NotAction")
        let actionName = actionIsNegated ? "NotAction" : "Action"
        var actions: [WildcardPattern] = []
        for action in try strings(actionValue, actionName) {
            guard Self.isActionPattern(action) else {
                throw fail(.invalidElement, "\(actionName) \"\(action)\" is not \"*\" or \"service:action\"")
            }
            actions.append(WildcardPattern(action, ignoringCase: true))
            noteUnknownAction(action, actionName)
        }

        let (resourceValue, resourceIsNegated) = try either(elements, "Resource", "NotResource")
        let resourceName = resourceIsNegated ? "NotResource" : "Resource"
        var resources: [WildcardPattern] = []
        for resource in try strings(resourceValue, resourceName) {
            guard resource == "*" || resource.hasPrefix("arn:") else {
                throw fail(.invalidElement, "\(resourceName) \"\(resource)\" is not \"*\" or an ARN")
            }
            if !literalVariables, resource.contains("${") {
                throw fail(.invalidElement, "\(resourceName) \"\(resource)\": policy variables are not supported")
            }
            resources.append(WildcardPattern(resource))
        }

        var conditions: [Condition] = []
        if let conditionValue = elements["Condition"] {
            conditions = try readConditions(conditionValue)
        }

        return Statement(
            sid: sid, effect: effect, principal: principal, principalIsNegated: principalIsNegated,
            actions: .init(patterns: actions, isNegated: actionIsNegated),
            resources: .init(patterns: resources, isNegated: resourceIsNegated), conditions: conditions)
    }

    /// Exactly one of a pair such as Action / NotAction; true when it is the negated one.
    private func either(
        _ elements: [String: JSONValue], _ positive: String, _ negative: String
    ) throws(PolicyError) -> (JSONValue, Bool) {
        switch (elements[positive], elements[negative]) {
        case (let value?, nil): return (value, false)
        case (nil, let value?): return (value, true)
        case (.some, .some): throw fail(.invalidElement, "has both \(positive) and \(negative)")
        case (nil, nil): throw fail(.invalidElement, "has neither \(positive) nor \(negative)")
        }
    }

    /// A string, or a non-empty list of strings.
    private func strings(_ value: JSONValue, _ name: String) throws(PolicyError) -> [String] {
        switch value {
        case .string(let text):
            return [text]
        case .array(let items):
            guard !items.isEmpty else { throw fail(.invalidElement, "\(name) is an empty list") }
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    throw fail(.invalidElement, "\(name) must hold strings, not \(item.typeName)")
                }
                texts.append(text)
            }
            return texts
        default:
            throw fail(.invalidElement, "\(name) must be a string or a list of strings, not \(value.typeName)")
        }
    }

    private static func isActionPattern(_ action: String) -> Bool {
        if action == "*" { return true }
        let parts = action.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let serviceIsValid = parts[0].utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        let nameIsValid = parts[1].utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "*"), UInt8(ascii: "?"):
                true
            default: false
            }
        }
        return serviceIsValid && nameIsValid
    }

    /// Warns about an action pattern that can never match a request to the key holder.
    private mutating func noteUnknownAction(_ action: String, _ name: String) {
        guard action != "*" else { return }
        if !hasPrefixIgnoringASCIICase(action, "kms:") {
            if kind == .keyPolicy {
                warnings.append("\(place): \(name) \"\(action)\" is not a KMS action and matches no request to a key")
            }
            return
        }
        let pattern = WildcardPattern(action, ignoringCase: true)
        if !KMSAuthorizer.allActions.contains(where: pattern.matches),
            !KMSAuthorizer.unservedActions.contains(where: pattern.matches)
        {
            warnings.append("\(place): \(name) \"\(action)\" matches no KMS operation")
        }
    }

    private func readPrincipal(_ positive: JSONValue?, _ negative: JSONValue?) throws(PolicyError) -> (PrincipalSet?, Bool) {
        switch kind {
        case .identityPolicy:
            if positive != nil { throw fail(.invalidPrincipal, "an identity policy cannot have Principal") }
            if negative != nil { throw fail(.invalidPrincipal, "an identity policy cannot have NotPrincipal") }
            return (nil, false)
        case .keyPolicy:
            switch (positive, negative) {
            case (let value?, nil): return (try principalSet(value, "Principal"), false)
            case (nil, let value?): return (try principalSet(value, "NotPrincipal"), true)
            case (.some, .some): throw fail(.invalidPrincipal, "has both Principal and NotPrincipal")
            case (nil, nil): throw fail(.invalidPrincipal, "a key policy statement needs a Principal or NotPrincipal")
            }
        }
    }

    private func principalSet(_ value: JSONValue, _ name: String) throws(PolicyError) -> PrincipalSet {
        let written: [String]
        let isBare: Bool
        switch value {
        case .string(let text):
            guard text == "*" else {
                throw fail(.invalidPrincipal, "\(name) \"\(text)\" must be \"*\" or an object such as {\"AWS\": \"\(text)\"}")
            }
            written = ["*"]
            isBare = true
        case .object(let members):
            guard !members.isEmpty else { throw fail(.invalidPrincipal, "\(name) is an empty object") }
            var texts: [String] = []
            for (type, list) in members {
                guard type == "AWS" else {
                    throw fail(.invalidPrincipal, "\(name) type \"\(type)\" is not supported; use \"AWS\"")
                }
                texts += try strings(list, "\(name) AWS")
            }
            written = texts
            isBare = false
        default:
            throw fail(.invalidPrincipal, "\(name) must be \"*\" or an object, not \(value.typeName)")
        }

        var anyone = false
        var accounts: [String] = []
        var identities: Set<String> = []
        for text in written {
            switch PrincipalSyntax.parse(text) {
            case .anyone?:
                guard name == "Principal" else { throw fail(.invalidPrincipal, "NotPrincipal cannot be \"*\"") }
                anyone = true
            case .account(let account)?:
                try checkKnown(account, name)
                if !accounts.contains(account) { accounts.append(account) }
            case .identity(let arn, let account)?:
                try checkKnown(account, name)
                identities.insert(arn)
            case nil:
                throw fail(
                    .invalidPrincipal,
                    "\(name) \"\(text)\" is not \"*\", a 12-digit account id or an "
                        + "arn:aws:iam::ACCOUNT:root, user/NAME or role/NAME ARN")
            }
        }
        return PrincipalSet(anyone: anyone, accounts: accounts, identities: identities, written: written, isBareWildcard: isBare)
    }

    private func checkKnown(_ account: String, _ name: String) throws(PolicyError) {
        if let knownAccounts, !knownAccounts.contains(account) {
            throw fail(.unknownAccount, "\(name) names account \(account) that this key holder does not know")
        }
    }

    private func readConditions(_ value: JSONValue) throws(PolicyError) -> [Condition] {
        guard case .object(let blocks) = value else {
            throw fail(.invalidCondition, "Condition must be an object, not \(value.typeName)")
        }
        var conditions: [Condition] = []
        for (operatorName, block) in blocks {
            guard Condition.parseOperator(operatorName) != nil else {
                throw fail(.invalidCondition, "unknown condition operator \"\(operatorName)\"")
            }
            guard case .object(let entries) = block, !entries.isEmpty else {
                throw fail(.invalidCondition, "condition \(operatorName) must be an object of keys and values")
            }
            for (keyName, rawValues) in entries {
                guard let key = ConditionKey(keyName) else {
                    throw fail(.unsupportedConditionKey, "condition key \"\(keyName)\" is not supported")
                }
                let values = try conditionValues(rawValues, operatorName, keyName)
                conditions.append(
                    try Condition.compile(
                        operatorName: operatorName, key: key, values: values, literalVariables: literalVariables,
                        fail: { fail(.invalidCondition, $0) }))
            }
        }
        return conditions
    }

    /// A condition's values as text: strings, numbers as written, booleans as `true`/`false`.
    private func conditionValues(_ value: JSONValue, _ operatorName: String, _ key: String) throws(PolicyError) -> [String] {
        func scalar(_ item: JSONValue) -> String? {
            switch item {
            case .string(let text): text
            case .number(let text): text
            case .bool(let flag): flag ? "true" : "false"
            default: nil
            }
        }
        if case .array(let items) = value {
            var texts: [String] = []
            for item in items {
                guard let text = scalar(item) else {
                    throw fail(.invalidCondition, "condition \(operatorName) on \"\(key)\" has \(item.typeName) among its values")
                }
                texts.append(text)
            }
            return texts
        }
        guard let text = scalar(value) else {
            throw fail(.invalidCondition, "condition \(operatorName) on \"\(key)\" must have string values, not \(value.typeName)")
        }
        return [text]
    }
}
