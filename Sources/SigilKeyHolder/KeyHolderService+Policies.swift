import Foundation
import SigilKMS
import SigilKeyStore
import SigilPolicy

extension KeyHolderService {
    /// KMS keys have one policy, named `default`.
    static let policyName = "default"

    func checkPolicyName(_ name: String?) throws {
        guard let name, name != Self.policyName else { return }
        throw KMSError.notFound("No such key policy '\(name)': a key's only policy is 'default'")
    }

    /// PutKeyPolicy's (and CreateKey's) safety check: unless the request bypasses it, a
    /// new policy must still let the caller change the policy.
    func checkLockout(_ policy: PolicyDocument, keyARN: String, keyAccount: String, _ caller: Call, bypass: Bool?) throws {
        guard bypass != true else { return }
        let request = AuthorizationRequest(
            principalARN: caller.principal.arn, principalAccount: caller.account, action: "kms:PutKeyPolicy",
            resource: keyARN, context: requestConditions(caller, caller.gathered.conditions))
        guard
            KMSAuthorizer.lockoutCheck(
                keyPolicy: policy, keyAccount: keyAccount, caller: request, identityPolicies: identityPolicies(caller))
        else {
            throw KMSError.malformedPolicyDocument(
                "The new key policy will not allow you to update the key policy in the future "
                    + "(\(caller.principal.arn) would not be allowed kms:PutKeyPolicy); set BypassPolicyLockoutSafetyCheck to use it anyway")
        }
    }

    func putKeyPolicy(_ request: KMS.PutKeyPolicyRequest, _ caller: Call) throws -> KMS.Empty {
        try checkPolicyName(request.policyName)
        let key = try resolve(request.keyId, caller, aliases: false)
        let document = try validatedKeyPolicy(request.policy)
        try checkLockout(document, keyARN: key.arn, keyAccount: key.account, caller, bypass: request.bypassPolicyLockoutSafetyCheck)
        _ = try mapStoreErrors { try store.setPolicy(id: key.id, request.policy, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func getKeyPolicy(_ request: KMS.GetKeyPolicyRequest, _ caller: Call) throws -> KMS.GetKeyPolicyResponse {
        try checkPolicyName(request.policyName)
        let key = try resolve(request.keyId, caller, aliases: false)
        return KMS.GetKeyPolicyResponse(policy: key.policy, policyName: Self.policyName)
    }

    func listKeyPolicies(_ request: KMS.ListKeyPoliciesRequest, _ caller: Call) throws -> KMS.ListKeyPoliciesResponse {
        if let limit = request.limit, !(1...1000).contains(limit) {
            throw KMSError.validation(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000")
        }
        _ = try resolve(request.keyId, caller, aliases: false)
        return KMS.ListKeyPoliciesResponse(policyNames: [Self.policyName], truncated: false)
    }
}
