// The key policy operations. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
    /// The input of `PutKeyPolicy`.
    public struct PutKeyPolicyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .putKeyPolicy }

        /// `KeyId`: The key's id or key ARN (not an alias).
        public var keyId: String
        /// `Policy`: The new key policy, JSON in the AWS policy language, up to 32 KiB.
        public var policy: String
        /// `PolicyName`: Always `default`; KMS keys have one policy.
        public var policyName: String?
        /// `BypassPolicyLockoutSafetyCheck`: Accept a policy that would stop the caller
        /// from changing it again.
        public var bypassPolicyLockoutSafetyCheck: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(keyId: String, policy: String, policyName: String? = nil, bypassPolicyLockoutSafetyCheck: Bool? = nil) {
            self.keyId = keyId
            self.policy = policy
            self.policyName = policyName
            self.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case policy = "Policy"
            case policyName = "PolicyName"
            case bypassPolicyLockoutSafetyCheck = "BypassPolicyLockoutSafetyCheck"
        }
    }

    /// The input of `GetKeyPolicy`.
    public struct GetKeyPolicyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GetKeyPolicyResponse
        public static var operation: KMSOperation { .getKeyPolicy }

        /// `KeyId`: The key's id or key ARN (not an alias).
        public var keyId: String
        /// `PolicyName`: `default` when given.
        public var policyName: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(keyId: String, policyName: String? = nil) {
            self.keyId = keyId
            self.policyName = policyName
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case policyName = "PolicyName"
        }
    }

    /// The output of `GetKeyPolicy`.
    public struct GetKeyPolicyResponse: Codable, Hashable, Sendable {
        /// `Policy`: The key policy.
        public var policy: String?
        /// `PolicyName`: `default`.
        public var policyName: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(policy: String? = nil, policyName: String? = nil) {
            self.policy = policy
            self.policyName = policyName
        }

        enum CodingKeys: String, CodingKey {
            case policy = "Policy"
            case policyName = "PolicyName"
        }
    }

    /// The input of `ListKeyPolicies`.
    public struct ListKeyPoliciesRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListKeyPoliciesResponse
        public static var operation: KMSOperation { .listKeyPolicies }

        /// `KeyId`: The key's id or key ARN (not an alias).
        public var keyId: String
        /// `Limit`: At most this many names (1–1000).
        public var limit: Int?
        /// `Marker`: Where the previous page ended.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(keyId: String, limit: Int? = nil, marker: String? = nil) {
            self.keyId = keyId
            self.limit = limit
            self.marker = marker
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case limit = "Limit"
            case marker = "Marker"
        }
    }

    /// The output of `ListKeyPolicies`.
    public struct ListKeyPoliciesResponse: Codable, Hashable, Sendable {
        /// `PolicyNames`: Always `["default"]`.
        public var policyNames: [String]?
        /// `NextMarker`: Never set: there is one policy.
        public var nextMarker: String?
        /// `Truncated`: Always false.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(policyNames: [String]? = nil, nextMarker: String? = nil, truncated: Bool? = nil) {
            self.policyNames = policyNames
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case policyNames = "PolicyNames"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }
}
