import Foundation
import Logging
import SigilKMS
import SigilKeyStore
import SigilPolicy
import SigilCrypto

/// One request as the service sees it: who calls, which operation, the condition keys
/// its body carries, and what it touched (for the audit log).
///
/// Made by the authentication stage once SigV4 has named the caller and handed to the
/// operation. Only the service reads and writes the facts it gathers on the way;
/// ``KeyHolderService/perform(_:body:caller:)`` hands them on as a value with the response
/// or the error, which is what the audit stage records.
final class Call: Sendable {
    /// Facts gathered while the request runs.
    struct Facts: Sendable {
        var conditions: [String: [String]] = [:]
        var keyARN: String?
        var algorithm: String?
        var contextKeys: [String] = []
        /// Set once an event for this request went into the log with a state change.
        var recorded = false
    }

    let principal: Principal
    let operation: KMSOperation
    let requestID: String
    let origin: RequestOrigin
    let userAgent: String?
    private let facts = Locked(Facts())

    init(principal: Principal, operation: KMSOperation, requestID: String, origin: RequestOrigin, userAgent: String?) {
        self.principal = principal
        self.operation = operation
        self.requestID = requestID
        self.origin = origin
        self.userAgent = userAgent
    }

    /// The client's IP address.
    var sourceAddress: String? { origin.sourceAddress }

    /// The caller's account.
    var account: String { principal.account }

    /// What the request gathered so far.
    var gathered: Facts { facts.withLock { $0 } }

    func update(_ change: (inout Facts) -> Void) {
        facts.withLock { change(&$0) }
    }
}

/// Parsed policies, so that a key's policy is parsed once, not per request: key policies
/// by key ARN (with the text they were parsed from, so a changed policy is parsed anew),
/// identity policies by their text.
final class PolicyCache: Sendable {
    /// The most documents kept of each kind.
    static let capacity = 1024

    private let keyPolicies = BoundedCache<(text: String, document: PolicyDocument)>(capacity: capacity)
    private let identityPolicies = BoundedCache<PolicyDocument>(capacity: capacity)

    func keyPolicy(_ text: String, keyARN: String) throws(PolicyError) -> PolicyDocument {
        try keyPolicies.value(keyARN, isCurrent: { $0.text == text }) { () throws(PolicyError) in
            (text, try PolicyDocument(json: text, kind: .keyPolicy, knownAccounts: nil))
        }.document
    }

    func identityPolicy(_ text: String) throws(PolicyError) -> PolicyDocument {
        try identityPolicies.value(text) { () throws(PolicyError) in
            try PolicyDocument(json: text, kind: .identityPolicy, knownAccounts: nil)
        }
    }
}

extension KeyHolderService {
    /// The audit event of a request that changes state, for the store to append in the
    /// same transaction as the change; the endpoint then records no second event for it
    /// unless the request fails after all.
    func auditEvent(_ call: Call) -> AuditEvent {
        call.update { $0.recorded = true }
        return Self.auditEvent(call: call, region: configuration.region, account: configuration.accountID, now: configuration.now())
    }

    /// The event of a request that got as far as naming its caller.
    static func auditEvent(
        call: Call, facts: Call.Facts? = nil, region: String, account: String, now: Date, error: KMSError? = nil
    ) -> AuditEvent {
        let facts = facts ?? call.gathered
        return AuditEvent(
            time: now, requestID: call.requestID, region: region, account: account, principalARN: call.principal.arn,
            accessKeyID: call.principal.accessKeyID, sourceAddress: call.sourceAddress, userAgent: call.userAgent,
            operation: call.operation.rawValue, keyARN: facts.keyARN, algorithm: facts.algorithm,
            encryptionContextKeys: facts.contextKeys, outcome: error.map(outcome(of:)) ?? .success,
            errorCode: error?.type, errorMessage: error?.message)
    }

    /// Refusals of who may do what count as denied; every other error as failed.
    static func outcome(of error: KMSError) -> AuditEvent.Outcome {
        switch error.type {
        case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
            "IncompleteSignatureException", "MissingAuthenticationTokenException":
            return .denied
        default:
            return .failed
        }
    }

    /// The policy action of an operation, `kms:Operation`.
    static func action(_ operation: KMSOperation) -> String { "kms:\(operation.rawValue)" }

    /// The operations on no particular key, which identity policies alone decide
    /// (worked out once, not per request).
    static let accountOperations = Set(KMSOperation.allCases.filter { KMSAuthorizer.isAccountAction(action($0)) })

    /// Records what a decoded request body tells policies and the audit log.
    func note(_ request: some Decodable, in call: Call) {
        guard let source = request as? any ConditionSource else { return }
        let conditions = source.conditionKeys
        let algorithm = source.auditedAlgorithm
        let contextKeys = source.auditedContext.map { $0.keys.sorted() } ?? []
        call.update {
            $0.conditions = conditions
            $0.algorithm = algorithm
            $0.contextKeys = contextKeys
        }
    }

    /// Admits a request on `key` or throws: the account's request quota for the
    /// operation's class, then the key policy with the caller's identity policy.
    ///
    /// - Parameters:
    ///   - key: The key the request uses.
    ///   - call: The request.
    ///   - action: The policy action when it is not the operation's own
    ///     (`kms:ReEncryptFrom`, `kms:ReEncryptTo`).
    ///   - viaAlias: The alias the request named the key by, for `kms:RequestAlias`.
    /// - Throws: ``KMSError`` `ThrottlingException` or `AccessDeniedException`.
    ///   - conditions: The request's `kms:` condition keys when they are not those its body
    ///     gave (each side of a ReEncrypt has its own).
    ///   - admitting: Whether the request is counted against its quota here; `false` when
    ///     it was counted already (a key authorized a second time for the same request).
    /// - Throws: ``KMSError`` `ThrottlingException` or `AccessDeniedException`.
    func authorize(
        _ key: KeyRecord, _ call: Call, action: String? = nil, viaAlias: String? = nil,
        conditions: [String: [String]]? = nil, admitting: Bool = true
    ) throws {
        if admitting { try admit(call, quotaClass: QuotaClass.of(call.operation, spec: key.spec)) }
        let action = action ?? Self.action(call.operation)
        var context = requestConditions(call, conditions ?? call.gathered.conditions)
        context["kms:KeySpec"] = [key.spec.kmsName]
        context["kms:KeyUsage"] = [key.usage.kmsName]
        context["kms:KeyOrigin"] = ["AWS_KMS"]
        if let viaAlias { context["kms:RequestAlias"] = [viaAlias] }
        let request = AuthorizationRequest(
            principalARN: call.principal.arn, principalAccount: call.principal.account, action: action,
            resource: key.arn, context: context)
        let keyPolicy = keyPolicyDocument(key)
        let decision = KMSAuthorizer.authorize(
            keyPolicy: keyPolicy, keyAccount: key.account, identityPolicies: identityPolicies(call), request: request)
        call.update { $0.keyARN = key.arn }
        guard decision == .allow else {
            throw KMSError.accessDenied(
                "User: \(call.principal.arn) is not authorized to perform: \(action) on resource: \(key.arn) "
                    + (decision == .explicitDeny
                        ? "with an explicit deny in a policy" : "because no key policy or identity policy allows the \(action) action"))
        }
    }

    /// Admits a request on no particular key (CreateKey, ListKeys, ListAliases,
    /// GenerateRandom): the quota, then the caller's identity policy (an account's root
    /// needs none).
    ///
    /// - Throws: ``KMSError`` `ThrottlingException` or `AccessDeniedException`.
    func authorizeAccountAction(_ call: Call) throws {
        try admit(call, quotaClass: QuotaClass.of(call.operation, spec: nil))
        let action = Self.action(call.operation)
        let request = AuthorizationRequest(
            principalARN: call.principal.arn, principalAccount: call.principal.account, action: action, resource: "*",
            context: requestConditions(call, call.gathered.conditions))
        let decision = KMSAuthorizer.authorize(identityPolicies: identityPolicies(call), request: request)
        guard decision == .allow else {
            throw KMSError.accessDenied(
                "User: \(call.principal.arn) is not authorized to perform: \(action) "
                    + (decision == .explicitDeny ? "with an explicit deny in an identity policy" : "because no identity policy allows the \(action) action"))
        }
    }

    /// The condition keys of a request: `kms` (its body's, or one side's of a ReEncrypt)
    /// and the global keys every request carries — how it came (`aws:SecureTransport`,
    /// `aws:SourceIp`), when (`aws:CurrentTime`, `aws:EpochTime`), where
    /// (`aws:RequestedRegion`) and who (`aws:userid`; the principal's ARN, account, type
    /// and name are implicit in the authorization request).
    func requestConditions(_ call: Call, _ kms: [String: [String]]) -> [String: [String]] {
        var context = kms
        let origin = call.origin
        context["aws:SecureTransport"] = [origin.secureTransport ? "true" : "false"]
        if let address = origin.sourceAddress { context["aws:SourceIp"] = [address] }
        context["aws:EpochTime"] = [String(origin.epochSeconds)]
        context["aws:CurrentTime"] = [origin.currentTime]
        context["aws:RequestedRegion"] = [configuration.region]
        context["aws:userid"] = [call.principal.uniqueID]
        return context
    }

    private func admit(_ call: Call, quotaClass: QuotaClass?) throws {
        guard let quotaClass, !quotas.admit(account: call.account, quotaClass) else { return }
        metrics.recordThrottle(quotaClass)
        throw KMSError.throttling("Rate exceeded for \(quotaClass.rawValue) requests of account \(call.account)")
    }

    /// A key's policy, parsed (once per text). A stored policy that no longer parses —
    /// which the checks at CreateKey and PutKeyPolicy prevent, but a stricter parser after
    /// an upgrade may not — is read as a policy that lets the account repair it and do
    /// nothing else: never as the default policy, which would drop the stored policy's
    /// Denies and open the key to every identity policy of the account.
    func keyPolicyDocument(_ key: KeyRecord) -> PolicyDocument {
        do {
            return try policies.keyPolicy(key.policy, keyARN: key.arn)
        } catch {
            // A constant that parses.
            return try! PolicyDocument(json: Self.repairOnlyPolicy(account: key.account), kind: .keyPolicy, knownAccounts: nil)
        }
    }

    /// The stand-in for a stored key policy that no longer parses: the account may read
    /// and replace the policy and describe the key; nothing else.
    static func repairOnlyPolicy(account: String) -> String {
        """
        {"Version":"2012-10-17","Statement":[{"Sid":"Repair an unreadable key policy","Effect":"Allow",\
        "Principal":{"AWS":"arn:aws:iam::\(account):root"},\
        "Action":["kms:PutKeyPolicy","kms:GetKeyPolicy","kms:DescribeKey"],"Resource":"*"}]}
        """
    }

    /// The caller's identity policies, parsed; a root has none. An identity policy that
    /// no longer parses allows nothing.
    func identityPolicies(_ call: Call) -> [PolicyDocument] {
        guard let text = call.principal.identityPolicy else { return [] }
        guard let document = try? policies.identityPolicy(text) else { return [] }
        return [document]
    }

    /// Checks a policy sent with CreateKey or PutKeyPolicy.
    ///
    /// - Throws: ``KMSError`` `MalformedPolicyDocumentException` naming the problem.
    func validatedKeyPolicy(_ text: String) throws -> PolicyDocument {
        let known: Set<String>
        do {
            known = try store.knownAccounts()
        } catch {
            throw KMSError.internalFailure()
        }
        do {
            return try PolicyDocument(json: text, kind: .keyPolicy, knownAccounts: known.union([configuration.accountID]))
        } catch {
            throw KMSError.malformedPolicyDocument(error.message)
        }
    }
}
