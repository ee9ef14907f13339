public import Foundation

// The structures inside KMS requests and responses, members named as in the KMS API model.

extension KMS {
    /// A key's metadata, as DescribeKey and CreateKey return it.
    public struct KeyMetadata: Codable, Hashable, Sendable {
        /// `AWSAccountId`: The account that owns the key.
        public var awsAccountId: String?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Arn`: The ARN.
        public var arn: String?
        /// `CreationDate`: When it was created.
        @EpochSeconds public var creationDate: Date?
        /// `Enabled`: Whether the key can be used.
        public var enabled: Bool?
        /// `Description`: A free-text description.
        public var description: String?
        /// `KeyUsage`: What the key is for.
        public var keyUsage: KMS.KeyUsage?
        /// `KeyState`: The key state.
        public var keyState: KMS.KeyState?
        /// `DeletionDate`: When the key will be deleted, if deletion is scheduled.
        @EpochSeconds public var deletionDate: Date?
        /// `ValidTo`: When imported key material expires.
        @EpochSeconds public var validTo: Date?
        /// `Origin`: Where the key material came from.
        public var origin: KMS.Origin?
        /// `CustomKeyStoreId`: A custom key store (not supported by Sigil).
        public var customKeyStoreId: String?
        /// `CloudHsmClusterId`: The CloudHSM cluster of a custom key store (not used by Sigil).
        public var cloudHsmClusterId: String?
        /// `ExpirationModel`: Whether imported key material expires.
        public var expirationModel: KMS.ExpirationModel?
        /// `KeyManager`: Who manages the key.
        public var keyManager: KMS.KeyManager?
        /// `CustomerMasterKeySpec`: The key spec under its deprecated member name; the same value as `KeySpec`.
        public var customerMasterKeySpec: KMS.KeySpec?
        /// `KeySpec`: The key spec.
        public var keySpec: KMS.KeySpec?
        /// `EncryptionAlgorithms`: The encryption algorithms the key supports.
        public var encryptionAlgorithms: [KMS.EncryptionAlgorithm]?
        /// `SigningAlgorithms`: The signing algorithms the key supports.
        public var signingAlgorithms: [KMS.SigningAlgorithm]?
        /// `KeyAgreementAlgorithms`: The key agreement algorithms the key supports.
        public var keyAgreementAlgorithms: [String]?
        /// `EncapsulationAlgorithms`: The key encapsulation algorithms the key supports.
        public var encapsulationAlgorithms: [String]?
        /// `MultiRegion`: Whether the key is a multi-Region key.
        public var multiRegion: Bool?
        /// `MultiRegionConfiguration`: The primary and replicas of a multi-Region key.
        public var multiRegionConfiguration: KMS.MultiRegionConfiguration?
        /// `PendingDeletionWindowInDays`: The waiting period before deletion of a multi-Region primary key.
        public var pendingDeletionWindowInDays: Int?
        /// `MacAlgorithms`: The MAC algorithms the key supports.
        public var macAlgorithms: [String]?
        /// `XksKeyConfiguration`: The external key of an external key store (not supported by Sigil).
        public var xksKeyConfiguration: KMS.XksKeyConfiguration?
        /// `CurrentKeyMaterialId`: The id of the key material currently in use.
        public var currentKeyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            awsAccountId: String? = nil,
            keyId: String,
            arn: String? = nil,
            creationDate: Date? = nil,
            enabled: Bool? = nil,
            description: String? = nil,
            keyUsage: KMS.KeyUsage? = nil,
            keyState: KMS.KeyState? = nil,
            deletionDate: Date? = nil,
            validTo: Date? = nil,
            origin: KMS.Origin? = nil,
            customKeyStoreId: String? = nil,
            cloudHsmClusterId: String? = nil,
            expirationModel: KMS.ExpirationModel? = nil,
            keyManager: KMS.KeyManager? = nil,
            customerMasterKeySpec: KMS.KeySpec? = nil,
            keySpec: KMS.KeySpec? = nil,
            encryptionAlgorithms: [KMS.EncryptionAlgorithm]? = nil,
            signingAlgorithms: [KMS.SigningAlgorithm]? = nil,
            keyAgreementAlgorithms: [String]? = nil,
            encapsulationAlgorithms: [String]? = nil,
            multiRegion: Bool? = nil,
            multiRegionConfiguration: KMS.MultiRegionConfiguration? = nil,
            pendingDeletionWindowInDays: Int? = nil,
            macAlgorithms: [String]? = nil,
            xksKeyConfiguration: KMS.XksKeyConfiguration? = nil,
            currentKeyMaterialId: String? = nil
        ) {
            self.awsAccountId = awsAccountId
            self.keyId = keyId
            self.arn = arn
            self.creationDate = creationDate
            self.enabled = enabled
            self.description = description
            self.keyUsage = keyUsage
            self.keyState = keyState
            self.deletionDate = deletionDate
            self.validTo = validTo
            self.origin = origin
            self.customKeyStoreId = customKeyStoreId
            self.cloudHsmClusterId = cloudHsmClusterId
            self.expirationModel = expirationModel
            self.keyManager = keyManager
            self.customerMasterKeySpec = customerMasterKeySpec
            self.keySpec = keySpec
            self.encryptionAlgorithms = encryptionAlgorithms
            self.signingAlgorithms = signingAlgorithms
            self.keyAgreementAlgorithms = keyAgreementAlgorithms
            self.encapsulationAlgorithms = encapsulationAlgorithms
            self.multiRegion = multiRegion
            self.multiRegionConfiguration = multiRegionConfiguration
            self.pendingDeletionWindowInDays = pendingDeletionWindowInDays
            self.macAlgorithms = macAlgorithms
            self.xksKeyConfiguration = xksKeyConfiguration
            self.currentKeyMaterialId = currentKeyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case awsAccountId = "AWSAccountId"
            case keyId = "KeyId"
            case arn = "Arn"
            case creationDate = "CreationDate"
            case enabled = "Enabled"
            case description = "Description"
            case keyUsage = "KeyUsage"
            case keyState = "KeyState"
            case deletionDate = "DeletionDate"
            case validTo = "ValidTo"
            case origin = "Origin"
            case customKeyStoreId = "CustomKeyStoreId"
            case cloudHsmClusterId = "CloudHsmClusterId"
            case expirationModel = "ExpirationModel"
            case keyManager = "KeyManager"
            case customerMasterKeySpec = "CustomerMasterKeySpec"
            case keySpec = "KeySpec"
            case encryptionAlgorithms = "EncryptionAlgorithms"
            case signingAlgorithms = "SigningAlgorithms"
            case keyAgreementAlgorithms = "KeyAgreementAlgorithms"
            case encapsulationAlgorithms = "EncapsulationAlgorithms"
            case multiRegion = "MultiRegion"
            case multiRegionConfiguration = "MultiRegionConfiguration"
            case pendingDeletionWindowInDays = "PendingDeletionWindowInDays"
            case macAlgorithms = "MacAlgorithms"
            case xksKeyConfiguration = "XksKeyConfiguration"
            case currentKeyMaterialId = "CurrentKeyMaterialId"
        }
    }

    /// One alias, as ListAliases returns it.
    public struct AliasListEntry: Codable, Hashable, Sendable {
        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String?
        /// `AliasArn`: The alias ARN: `arn:aws:kms:REGION:ACCOUNT:alias/NAME`.
        public var aliasArn: String?
        /// `TargetKeyId`: The key the alias points to.
        public var targetKeyId: String?
        /// `CreationDate`: When it was created.
        @EpochSeconds public var creationDate: Date?
        /// `LastUpdatedDate`: When it was last changed.
        @EpochSeconds public var lastUpdatedDate: Date?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String? = nil,
            aliasArn: String? = nil,
            targetKeyId: String? = nil,
            creationDate: Date? = nil,
            lastUpdatedDate: Date? = nil
        ) {
            self.aliasName = aliasName
            self.aliasArn = aliasArn
            self.targetKeyId = targetKeyId
            self.creationDate = creationDate
            self.lastUpdatedDate = lastUpdatedDate
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
            case aliasArn = "AliasArn"
            case targetKeyId = "TargetKeyId"
            case creationDate = "CreationDate"
            case lastUpdatedDate = "LastUpdatedDate"
        }
    }

    /// One key, as ListKeys returns it.
    public struct KeyListEntry: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `KeyArn`: The key ARN.
        public var keyArn: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            keyArn: String? = nil
        ) {
            self.keyId = keyId
            self.keyArn = keyArn
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case keyArn = "KeyArn"
        }
    }

    /// A tag: a key/value pair on a KMS key.
    public struct Tag: Codable, Hashable, Sendable {
        /// `TagKey`: The tag's key.
        public var tagKey: String
        /// `TagValue`: The tag's value.
        public var tagValue: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            tagKey: String,
            tagValue: String
        ) {
            self.tagKey = tagKey
            self.tagValue = tagValue
        }

        enum CodingKeys: String, CodingKey {
            case tagKey = "TagKey"
            case tagValue = "TagValue"
        }
    }

    /// One rotation of a key's material, as ListKeyRotations returns it.
    public struct RotationsListEntry: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?
        /// `KeyMaterialDescription`: A description of the key material.
        public var keyMaterialDescription: String?
        /// `ImportState`: Whether imported material is present.
        public var importState: String?
        /// `KeyMaterialState`: Whether this key material is current.
        public var keyMaterialState: String?
        /// `ExpirationModel`: Whether imported key material expires.
        public var expirationModel: KMS.ExpirationModel?
        /// `ValidTo`: When imported key material expires.
        @EpochSeconds public var validTo: Date?
        /// `RotationDate`: When the rotation happened.
        @EpochSeconds public var rotationDate: Date?
        /// `RotationType`: How the rotation happened.
        public var rotationType: KMS.RotationType?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            keyMaterialId: String? = nil,
            keyMaterialDescription: String? = nil,
            importState: String? = nil,
            keyMaterialState: String? = nil,
            expirationModel: KMS.ExpirationModel? = nil,
            validTo: Date? = nil,
            rotationDate: Date? = nil,
            rotationType: KMS.RotationType? = nil
        ) {
            self.keyId = keyId
            self.keyMaterialId = keyMaterialId
            self.keyMaterialDescription = keyMaterialDescription
            self.importState = importState
            self.keyMaterialState = keyMaterialState
            self.expirationModel = expirationModel
            self.validTo = validTo
            self.rotationDate = rotationDate
            self.rotationType = rotationType
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case keyMaterialId = "KeyMaterialId"
            case keyMaterialDescription = "KeyMaterialDescription"
            case importState = "ImportState"
            case keyMaterialState = "KeyMaterialState"
            case expirationModel = "ExpirationModel"
            case validTo = "ValidTo"
            case rotationDate = "RotationDate"
            case rotationType = "RotationType"
        }
    }

    /// The keys related to a multi-Region key.
    public struct MultiRegionConfiguration: Codable, Hashable, Sendable {
        /// `MultiRegionKeyType`: Whether this key is the primary or a replica.
        public var multiRegionKeyType: KMS.MultiRegionKeyType?
        /// `PrimaryKey`: The primary key.
        public var primaryKey: KMS.MultiRegionKey?
        /// `ReplicaKeys`: The replica keys.
        public var replicaKeys: [KMS.MultiRegionKey]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            multiRegionKeyType: KMS.MultiRegionKeyType? = nil,
            primaryKey: KMS.MultiRegionKey? = nil,
            replicaKeys: [KMS.MultiRegionKey]? = nil
        ) {
            self.multiRegionKeyType = multiRegionKeyType
            self.primaryKey = primaryKey
            self.replicaKeys = replicaKeys
        }

        enum CodingKeys: String, CodingKey {
            case multiRegionKeyType = "MultiRegionKeyType"
            case primaryKey = "PrimaryKey"
            case replicaKeys = "ReplicaKeys"
        }
    }

    /// One key of a multi-Region set.
    public struct MultiRegionKey: Codable, Hashable, Sendable {
        /// `Arn`: The ARN.
        public var arn: String?
        /// `Region`: The Region.
        public var region: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            arn: String? = nil,
            region: String? = nil
        ) {
            self.arn = arn
            self.region = region
        }

        enum CodingKeys: String, CodingKey {
            case arn = "Arn"
            case region = "Region"
        }
    }

    /// The external key behind a key in an external key store.
    public struct XksKeyConfiguration: Codable, Hashable, Sendable {
        /// `Id`: The identifier.
        public var id: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            id: String? = nil
        ) {
            self.id = id
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
        }
    }

    /// An attested enclave that the result should be encrypted to.
    public struct RecipientInfo: Codable, Hashable, Sendable {
        /// `KeyEncryptionAlgorithm`: The algorithm for the recipient's public key.
        public var keyEncryptionAlgorithm: String?
        /// `AttestationDocument`: A Nitro Enclaves attestation document (not supported by Sigil).
        public var attestationDocument: Base64Blob?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyEncryptionAlgorithm: String? = nil,
            attestationDocument: Base64Blob? = nil
        ) {
            self.keyEncryptionAlgorithm = keyEncryptionAlgorithm
            self.attestationDocument = attestationDocument
        }

        enum CodingKeys: String, CodingKey {
            case keyEncryptionAlgorithm = "KeyEncryptionAlgorithm"
            case attestationDocument = "AttestationDocument"
        }
    }
}
