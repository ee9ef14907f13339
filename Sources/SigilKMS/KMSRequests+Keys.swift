public import Foundation

// The key operations: create, describe, list, get the public key, enable, disable, schedule and cancel deletion, describe. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
    /// The input of `CreateKey`.
    public struct CreateKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.CreateKeyResponse
        public static var operation: KMSOperation { .createKey }

        /// `Policy`: The key policy, a JSON policy document.
        public var policy: String?
        /// `Description`: A free-text description.
        public var description: String?
        /// `KeyUsage`: What the key is for.
        public var keyUsage: KMS.KeyUsage?
        /// `CustomerMasterKeySpec`: The key spec under its deprecated member name; the same value as `KeySpec`.
        public var customerMasterKeySpec: KMS.KeySpec?
        /// `KeySpec`: The key spec.
        public var keySpec: KMS.KeySpec?
        /// `Origin`: Where the key material came from.
        public var origin: KMS.Origin?
        /// `CustomKeyStoreId`: A custom key store (not supported by Sigil).
        public var customKeyStoreId: String?
        /// `BypassPolicyLockoutSafetyCheck`: Skips the check that the caller keeps access under the new policy.
        public var bypassPolicyLockoutSafetyCheck: Bool?
        /// `Tags`: Tags.
        public var tags: [KMS.Tag]?
        /// `MultiRegion`: Whether the key is a multi-Region key.
        public var multiRegion: Bool?
        /// `XksKeyId`: A key in an external key store (not supported by Sigil).
        public var xksKeyId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            policy: String? = nil,
            description: String? = nil,
            keyUsage: KMS.KeyUsage? = nil,
            customerMasterKeySpec: KMS.KeySpec? = nil,
            keySpec: KMS.KeySpec? = nil,
            origin: KMS.Origin? = nil,
            customKeyStoreId: String? = nil,
            bypassPolicyLockoutSafetyCheck: Bool? = nil,
            tags: [KMS.Tag]? = nil,
            multiRegion: Bool? = nil,
            xksKeyId: String? = nil
        ) {
            self.policy = policy
            self.description = description
            self.keyUsage = keyUsage
            self.customerMasterKeySpec = customerMasterKeySpec
            self.keySpec = keySpec
            self.origin = origin
            self.customKeyStoreId = customKeyStoreId
            self.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck
            self.tags = tags
            self.multiRegion = multiRegion
            self.xksKeyId = xksKeyId
        }

        enum CodingKeys: String, CodingKey {
            case policy = "Policy"
            case description = "Description"
            case keyUsage = "KeyUsage"
            case customerMasterKeySpec = "CustomerMasterKeySpec"
            case keySpec = "KeySpec"
            case origin = "Origin"
            case customKeyStoreId = "CustomKeyStoreId"
            case bypassPolicyLockoutSafetyCheck = "BypassPolicyLockoutSafetyCheck"
            case tags = "Tags"
            case multiRegion = "MultiRegion"
            case xksKeyId = "XksKeyId"
        }
    }

    /// The output of `CreateKey`.
    public struct CreateKeyResponse: Codable, Hashable, Sendable {
        /// `KeyMetadata`: The key's metadata.
        public var keyMetadata: KMS.KeyMetadata?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyMetadata: KMS.KeyMetadata? = nil
        ) {
            self.keyMetadata = keyMetadata
        }

        enum CodingKeys: String, CodingKey {
            case keyMetadata = "KeyMetadata"
        }
    }

    /// The input of `DescribeKey`.
    public struct DescribeKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.DescribeKeyResponse
        public static var operation: KMSOperation { .describeKey }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            grantTokens: [String]? = nil
        ) {
            self.keyId = keyId
            self.grantTokens = grantTokens
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case grantTokens = "GrantTokens"
        }
    }

    /// The output of `DescribeKey`.
    public struct DescribeKeyResponse: Codable, Hashable, Sendable {
        /// `KeyMetadata`: The key's metadata.
        public var keyMetadata: KMS.KeyMetadata?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyMetadata: KMS.KeyMetadata? = nil
        ) {
            self.keyMetadata = keyMetadata
        }

        enum CodingKeys: String, CodingKey {
            case keyMetadata = "KeyMetadata"
        }
    }

    /// The input of `ListKeys`.
    public struct ListKeysRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListKeysResponse
        public static var operation: KMSOperation { .listKeys }

        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?
        /// `ResourceOwners`: Whose keys to list.
        public var resourceOwners: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            limit: Int? = nil,
            marker: String? = nil,
            resourceOwners: [String]? = nil
        ) {
            self.limit = limit
            self.marker = marker
            self.resourceOwners = resourceOwners
        }

        enum CodingKeys: String, CodingKey {
            case limit = "Limit"
            case marker = "Marker"
            case resourceOwners = "ResourceOwners"
        }
    }

    /// The output of `ListKeys`.
    public struct ListKeysResponse: Codable, Hashable, Sendable {
        /// `Keys`: One page of keys.
        public var keys: [KMS.KeyListEntry]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keys: [KMS.KeyListEntry]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.keys = keys
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case keys = "Keys"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }

    /// The input of `GetPublicKey`.
    public struct GetPublicKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GetPublicKeyResponse
        public static var operation: KMSOperation { .getPublicKey }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            grantTokens: [String]? = nil
        ) {
            self.keyId = keyId
            self.grantTokens = grantTokens
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case grantTokens = "GrantTokens"
        }
    }

    /// The output of `GetPublicKey`.
    public struct GetPublicKeyResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `PublicKey`: The public key, DER SubjectPublicKeyInfo.
        public var publicKey: Base64Blob?
        /// `CustomerMasterKeySpec`: The key spec under its deprecated member name; the same value as `KeySpec`.
        public var customerMasterKeySpec: KMS.KeySpec?
        /// `KeySpec`: The key spec.
        public var keySpec: KMS.KeySpec?
        /// `KeyUsage`: What the key is for.
        public var keyUsage: KMS.KeyUsage?
        /// `EncryptionAlgorithms`: The encryption algorithms the key supports.
        public var encryptionAlgorithms: [KMS.EncryptionAlgorithm]?
        /// `SigningAlgorithms`: The signing algorithms the key supports.
        public var signingAlgorithms: [KMS.SigningAlgorithm]?
        /// `KeyAgreementAlgorithms`: The key agreement algorithms the key supports.
        public var keyAgreementAlgorithms: [String]?
        /// `EncapsulationAlgorithms`: The key encapsulation algorithms the key supports.
        public var encapsulationAlgorithms: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            publicKey: Base64Blob? = nil,
            customerMasterKeySpec: KMS.KeySpec? = nil,
            keySpec: KMS.KeySpec? = nil,
            keyUsage: KMS.KeyUsage? = nil,
            encryptionAlgorithms: [KMS.EncryptionAlgorithm]? = nil,
            signingAlgorithms: [KMS.SigningAlgorithm]? = nil,
            keyAgreementAlgorithms: [String]? = nil,
            encapsulationAlgorithms: [String]? = nil
        ) {
            self.keyId = keyId
            self.publicKey = publicKey
            self.customerMasterKeySpec = customerMasterKeySpec
            self.keySpec = keySpec
            self.keyUsage = keyUsage
            self.encryptionAlgorithms = encryptionAlgorithms
            self.signingAlgorithms = signingAlgorithms
            self.keyAgreementAlgorithms = keyAgreementAlgorithms
            self.encapsulationAlgorithms = encapsulationAlgorithms
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case publicKey = "PublicKey"
            case customerMasterKeySpec = "CustomerMasterKeySpec"
            case keySpec = "KeySpec"
            case keyUsage = "KeyUsage"
            case encryptionAlgorithms = "EncryptionAlgorithms"
            case signingAlgorithms = "SigningAlgorithms"
            case keyAgreementAlgorithms = "KeyAgreementAlgorithms"
            case encapsulationAlgorithms = "EncapsulationAlgorithms"
        }
    }

    /// The input of `EnableKey`.
    public struct EnableKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .enableKey }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The input of `DisableKey`.
    public struct DisableKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .disableKey }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The input of `ScheduleKeyDeletion`.
    public struct ScheduleKeyDeletionRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ScheduleKeyDeletionResponse
        public static var operation: KMSOperation { .scheduleKeyDeletion }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `PendingWindowInDays`: The waiting period before deletion, in days (7–30, default 30).
        public var pendingWindowInDays: Int?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            pendingWindowInDays: Int? = nil
        ) {
            self.keyId = keyId
            self.pendingWindowInDays = pendingWindowInDays
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case pendingWindowInDays = "PendingWindowInDays"
        }
    }

    /// The output of `ScheduleKeyDeletion`.
    public struct ScheduleKeyDeletionResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `DeletionDate`: When the key will be deleted, if deletion is scheduled.
        @EpochSeconds public var deletionDate: Date?
        /// `KeyState`: The key state.
        public var keyState: KMS.KeyState?
        /// `PendingWindowInDays`: The waiting period before deletion, in days (7–30, default 30).
        public var pendingWindowInDays: Int?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            deletionDate: Date? = nil,
            keyState: KMS.KeyState? = nil,
            pendingWindowInDays: Int? = nil
        ) {
            self.keyId = keyId
            self.deletionDate = deletionDate
            self.keyState = keyState
            self.pendingWindowInDays = pendingWindowInDays
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case deletionDate = "DeletionDate"
            case keyState = "KeyState"
            case pendingWindowInDays = "PendingWindowInDays"
        }
    }

    /// The input of `CancelKeyDeletion`.
    public struct CancelKeyDeletionRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.CancelKeyDeletionResponse
        public static var operation: KMSOperation { .cancelKeyDeletion }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The output of `CancelKeyDeletion`.
    public struct CancelKeyDeletionResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The input of `UpdateKeyDescription`.
    public struct UpdateKeyDescriptionRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .updateKeyDescription }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Description`: A free-text description.
        public var description: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            description: String
        ) {
            self.keyId = keyId
            self.description = description
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case description = "Description"
        }
    }
}
