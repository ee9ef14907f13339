import SigilPolicy

/// Accounts, principals and helpers shared by the policy tests.
enum Fixture {
    static let accountA = "111122223333"
    static let accountB = "444455556666"
    static let keyARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    static let otherKeyARN = "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"

    static let rootA = "arn:aws:iam::111122223333:root"
    static let adminA = "arn:aws:iam::111122223333:user/KeyAdmin"
    static let userA = "arn:aws:iam::111122223333:user/KeyUser"
    static let roleA = "arn:aws:iam::111122223333:role/Builder"
    static let rootB = "arn:aws:iam::444455556666:root"
    static let userB = "arn:aws:iam::444455556666:user/Partner"

    /// Reads a key policy; the known accounts are A and B.
    static func keyPolicy(_ json: String) throws -> PolicyDocument {
        try PolicyDocument(json: json, kind: .keyPolicy, knownAccounts: [accountA, accountB])
    }

    /// Reads an identity policy.
    static func identityPolicy(_ json: String) throws -> PolicyDocument {
        try PolicyDocument(json: json, kind: .identityPolicy, knownAccounts: [accountA, accountB])
    }

    /// A request by `principal` (an ARN of account A or B) on the test key.
    static func request(
        _ principal: String, _ action: String, resource: String = keyARN, context: [String: [String]] = [:]
    ) -> AuthorizationRequest {
        let account = principal.split(separator: ":")[3]
        return AuthorizationRequest(
            principalARN: principal, principalAccount: String(account), action: action, resource: resource, context: context)
    }

    /// The error `body` throws, or nil when it throws none.
    static func policyError(_ body: () throws(PolicyError) -> PolicyDocument) -> PolicyError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// A 2012-10-17 document around the given statement objects.
    static func document(_ statements: String...) -> String {
        #"{"Version": "2012-10-17", "Statement": [\#(statements.joined(separator: ", "))]}"#
    }

    /// An identity policy statement allowing `actions` on `resource` under `condition`.
    static func allowStatement(actions: String = #""kms:*""#, resource: String = #""*""#, condition: String? = nil) -> String {
        let conditionMember = condition.map { #", "Condition": \#($0)"# } ?? ""
        return #"{"Effect": "Allow", "Action": \#(actions), "Resource": \#(resource)\#(conditionMember)}"#
    }
}

extension Fixture {
    /// The decision of an identity policy that either allows everything under
    /// `condition` (`.allow`) or allows everything and denies it under `condition`
    /// (`.deny`), for a Decrypt by user A with `context`. An Allow statement that applies
    /// answers `.allow`, one that does not `.implicitDeny`; a Deny that applies answers
    /// `.explicitDeny`, one that does not `.allow`.
    static func decide(_ effect: Effect, _ condition: String, _ context: [String: [String]]) throws -> Decision {
        let statement = #"{"Effect": "\#(effect.rawValue)", "Action": "kms:*", "Resource": "*", "Condition": \#(condition)}"#
        let statements = effect == .allow ? [statement] : [allowStatement(), statement]
        let text = #"{"Version": "2012-10-17", "Statement": [\#(statements.joined(separator: ", "))]}"#
        return try identityPolicy(text).evaluate(request(userA, "kms:Decrypt", context: context))
    }

    /// A statement's effect, for ``decide(_:_:_:)``.
    enum Effect: String, Sendable, CaseIterable {
        case allow = "Allow"
        case deny = "Deny"

        /// The decision when the statement applies, and when it does not.
        func decision(applies: Bool) -> Decision {
            switch self {
            case .allow: applies ? .allow : .implicitDeny
            case .deny: applies ? .explicitDeny : .allow
            }
        }
    }

    /// The message of the error reading an identity policy with one statement under
    /// `condition`, or nil when it reads.
    static func conditionError(_ condition: String) -> PolicyError? {
        policyError { () throws(PolicyError) in
            try PolicyDocument(
                json: document(allowStatement(condition: condition)), kind: .identityPolicy, knownAccounts: [accountA, accountB])
        }
    }
}
