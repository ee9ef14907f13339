public import Foundation

// One request and one response type per operation, members named as in the KMS API model.

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

    /// The input of `Sign`.
    public struct SignRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.SignResponse
        public static var operation: KMSOperation { .sign }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Message`: The message, or its digest when `MessageType` is `DIGEST`.
        public var message: Base64Blob
        /// `MessageType`: Whether `Message` is the message (`RAW`, the default) or its digest (`DIGEST`).
        public var messageType: KMS.MessageType?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `SigningAlgorithm`: The signing algorithm.
        public var signingAlgorithm: KMS.SigningAlgorithm
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            message: Base64Blob,
            messageType: KMS.MessageType? = nil,
            grantTokens: [String]? = nil,
            signingAlgorithm: KMS.SigningAlgorithm,
            dryRun: Bool? = nil
        ) {
            self.keyId = keyId
            self.message = message
            self.messageType = messageType
            self.grantTokens = grantTokens
            self.signingAlgorithm = signingAlgorithm
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case message = "Message"
            case messageType = "MessageType"
            case grantTokens = "GrantTokens"
            case signingAlgorithm = "SigningAlgorithm"
            case dryRun = "DryRun"
        }
    }

    /// The output of `Sign`.
    public struct SignResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `Signature`: The signature: DER for ECDSA, the raw RSA block for RSA.
        public var signature: Base64Blob?
        /// `SigningAlgorithm`: The signing algorithm.
        public var signingAlgorithm: KMS.SigningAlgorithm?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            signature: Base64Blob? = nil,
            signingAlgorithm: KMS.SigningAlgorithm? = nil
        ) {
            self.keyId = keyId
            self.signature = signature
            self.signingAlgorithm = signingAlgorithm
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case signature = "Signature"
            case signingAlgorithm = "SigningAlgorithm"
        }
    }

    /// The input of `Verify`.
    public struct VerifyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.VerifyResponse
        public static var operation: KMSOperation { .verify }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Message`: The message, or its digest when `MessageType` is `DIGEST`.
        public var message: Base64Blob
        /// `MessageType`: Whether `Message` is the message (`RAW`, the default) or its digest (`DIGEST`).
        public var messageType: KMS.MessageType?
        /// `Signature`: The signature: DER for ECDSA, the raw RSA block for RSA.
        public var signature: Base64Blob
        /// `SigningAlgorithm`: The signing algorithm.
        public var signingAlgorithm: KMS.SigningAlgorithm
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            message: Base64Blob,
            messageType: KMS.MessageType? = nil,
            signature: Base64Blob,
            signingAlgorithm: KMS.SigningAlgorithm,
            grantTokens: [String]? = nil,
            dryRun: Bool? = nil
        ) {
            self.keyId = keyId
            self.message = message
            self.messageType = messageType
            self.signature = signature
            self.signingAlgorithm = signingAlgorithm
            self.grantTokens = grantTokens
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case message = "Message"
            case messageType = "MessageType"
            case signature = "Signature"
            case signingAlgorithm = "SigningAlgorithm"
            case grantTokens = "GrantTokens"
            case dryRun = "DryRun"
        }
    }

    /// The output of `Verify`.
    public struct VerifyResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `SignatureValid`: Whether the signature verified (a failed Verify is an error, so `true`).
        public var signatureValid: Bool?
        /// `SigningAlgorithm`: The signing algorithm.
        public var signingAlgorithm: KMS.SigningAlgorithm?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            signatureValid: Bool? = nil,
            signingAlgorithm: KMS.SigningAlgorithm? = nil
        ) {
            self.keyId = keyId
            self.signatureValid = signatureValid
            self.signingAlgorithm = signingAlgorithm
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case signatureValid = "SignatureValid"
            case signingAlgorithm = "SigningAlgorithm"
        }
    }

    /// The input of `Encrypt`.
    public struct EncryptRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.EncryptResponse
        public static var operation: KMSOperation { .encrypt }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Plaintext`: The plaintext bytes. Secret.
        public var plaintext: Base64Blob
        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `EncryptionAlgorithm`: The encryption algorithm; `SYMMETRIC_DEFAULT` when absent.
        public var encryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            plaintext: Base64Blob,
            encryptionContext: [String: String]? = nil,
            grantTokens: [String]? = nil,
            encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            dryRun: Bool? = nil
        ) {
            self.keyId = keyId
            self.plaintext = plaintext
            self.encryptionContext = encryptionContext
            self.grantTokens = grantTokens
            self.encryptionAlgorithm = encryptionAlgorithm
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case plaintext = "Plaintext"
            case encryptionContext = "EncryptionContext"
            case grantTokens = "GrantTokens"
            case encryptionAlgorithm = "EncryptionAlgorithm"
            case dryRun = "DryRun"
        }
    }

    /// The output of `Encrypt`.
    public struct EncryptResponse: Codable, Hashable, Sendable {
        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `EncryptionAlgorithm`: The encryption algorithm; `SYMMETRIC_DEFAULT` when absent.
        public var encryptionAlgorithm: KMS.EncryptionAlgorithm?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            keyId: String? = nil,
            encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.keyId = keyId
            self.encryptionAlgorithm = encryptionAlgorithm
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case keyId = "KeyId"
            case encryptionAlgorithm = "EncryptionAlgorithm"
        }
    }

    /// The input of `Decrypt`.
    public struct DecryptRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.DecryptResponse
        public static var operation: KMSOperation { .decrypt }

        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `EncryptionAlgorithm`: The encryption algorithm; `SYMMETRIC_DEFAULT` when absent.
        public var encryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `Recipient`: An enclave recipient (not supported by Sigil).
        public var recipient: KMS.RecipientInfo?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?
        /// `DryRunModifiers`: Modifiers of a dry run.
        public var dryRunModifiers: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            encryptionContext: [String: String]? = nil,
            grantTokens: [String]? = nil,
            keyId: String? = nil,
            encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            recipient: KMS.RecipientInfo? = nil,
            dryRun: Bool? = nil,
            dryRunModifiers: [String]? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.encryptionContext = encryptionContext
            self.grantTokens = grantTokens
            self.keyId = keyId
            self.encryptionAlgorithm = encryptionAlgorithm
            self.recipient = recipient
            self.dryRun = dryRun
            self.dryRunModifiers = dryRunModifiers
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case encryptionContext = "EncryptionContext"
            case grantTokens = "GrantTokens"
            case keyId = "KeyId"
            case encryptionAlgorithm = "EncryptionAlgorithm"
            case recipient = "Recipient"
            case dryRun = "DryRun"
            case dryRunModifiers = "DryRunModifiers"
        }
    }

    /// The output of `Decrypt`.
    public struct DecryptResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `Plaintext`: The plaintext bytes. Secret.
        public var plaintext: Base64Blob?
        /// `EncryptionAlgorithm`: The encryption algorithm; `SYMMETRIC_DEFAULT` when absent.
        public var encryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `CiphertextForRecipient`: The result encrypted to an enclave recipient (not supported by Sigil).
        public var ciphertextForRecipient: Base64Blob?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            plaintext: Base64Blob? = nil,
            encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            ciphertextForRecipient: Base64Blob? = nil,
            keyMaterialId: String? = nil
        ) {
            self.keyId = keyId
            self.plaintext = plaintext
            self.encryptionAlgorithm = encryptionAlgorithm
            self.ciphertextForRecipient = ciphertextForRecipient
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case plaintext = "Plaintext"
            case encryptionAlgorithm = "EncryptionAlgorithm"
            case ciphertextForRecipient = "CiphertextForRecipient"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The input of `ReEncrypt`.
    public struct ReEncryptRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ReEncryptResponse
        public static var operation: KMSOperation { .reEncrypt }

        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `SourceEncryptionContext`: The encryption context the ciphertext is bound to.
        public var sourceEncryptionContext: [String: String]?
        /// `SourceKeyId`: The key the ciphertext was encrypted under.
        public var sourceKeyId: String?
        /// `DestinationKeyId`: The key to re-encrypt under.
        public var destinationKeyId: String
        /// `DestinationEncryptionContext`: The encryption context to bind the new ciphertext to.
        public var destinationEncryptionContext: [String: String]?
        /// `SourceEncryptionAlgorithm`: The algorithm the ciphertext was encrypted with.
        public var sourceEncryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `DestinationEncryptionAlgorithm`: The algorithm to re-encrypt with.
        public var destinationEncryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?
        /// `DryRunModifiers`: Modifiers of a dry run.
        public var dryRunModifiers: [String]?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            sourceEncryptionContext: [String: String]? = nil,
            sourceKeyId: String? = nil,
            destinationKeyId: String,
            destinationEncryptionContext: [String: String]? = nil,
            sourceEncryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            destinationEncryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            grantTokens: [String]? = nil,
            dryRun: Bool? = nil,
            dryRunModifiers: [String]? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.sourceEncryptionContext = sourceEncryptionContext
            self.sourceKeyId = sourceKeyId
            self.destinationKeyId = destinationKeyId
            self.destinationEncryptionContext = destinationEncryptionContext
            self.sourceEncryptionAlgorithm = sourceEncryptionAlgorithm
            self.destinationEncryptionAlgorithm = destinationEncryptionAlgorithm
            self.grantTokens = grantTokens
            self.dryRun = dryRun
            self.dryRunModifiers = dryRunModifiers
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case sourceEncryptionContext = "SourceEncryptionContext"
            case sourceKeyId = "SourceKeyId"
            case destinationKeyId = "DestinationKeyId"
            case destinationEncryptionContext = "DestinationEncryptionContext"
            case sourceEncryptionAlgorithm = "SourceEncryptionAlgorithm"
            case destinationEncryptionAlgorithm = "DestinationEncryptionAlgorithm"
            case grantTokens = "GrantTokens"
            case dryRun = "DryRun"
            case dryRunModifiers = "DryRunModifiers"
        }
    }

    /// The output of `ReEncrypt`.
    public struct ReEncryptResponse: Codable, Hashable, Sendable {
        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `SourceKeyId`: The key the ciphertext was encrypted under.
        public var sourceKeyId: String?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `SourceEncryptionAlgorithm`: The algorithm the ciphertext was encrypted with.
        public var sourceEncryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `DestinationEncryptionAlgorithm`: The algorithm to re-encrypt with.
        public var destinationEncryptionAlgorithm: KMS.EncryptionAlgorithm?
        /// `SourceKeyMaterialId`: The key material the ciphertext was made with.
        public var sourceKeyMaterialId: String?
        /// `DestinationKeyMaterialId`: The key material the new ciphertext was made with.
        public var destinationKeyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            sourceKeyId: String? = nil,
            keyId: String? = nil,
            sourceEncryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            destinationEncryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
            sourceKeyMaterialId: String? = nil,
            destinationKeyMaterialId: String? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.sourceKeyId = sourceKeyId
            self.keyId = keyId
            self.sourceEncryptionAlgorithm = sourceEncryptionAlgorithm
            self.destinationEncryptionAlgorithm = destinationEncryptionAlgorithm
            self.sourceKeyMaterialId = sourceKeyMaterialId
            self.destinationKeyMaterialId = destinationKeyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case sourceKeyId = "SourceKeyId"
            case keyId = "KeyId"
            case sourceEncryptionAlgorithm = "SourceEncryptionAlgorithm"
            case destinationEncryptionAlgorithm = "DestinationEncryptionAlgorithm"
            case sourceKeyMaterialId = "SourceKeyMaterialId"
            case destinationKeyMaterialId = "DestinationKeyMaterialId"
        }
    }

    /// The input of `GenerateDataKey`.
    public struct GenerateDataKeyRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GenerateDataKeyResponse
        public static var operation: KMSOperation { .generateDataKey }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `NumberOfBytes`: The number of bytes.
        public var numberOfBytes: Int?
        /// `KeySpec`: The key spec.
        public var keySpec: KMS.DataKeySpec?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `Recipient`: An enclave recipient (not supported by Sigil).
        public var recipient: KMS.RecipientInfo?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            encryptionContext: [String: String]? = nil,
            numberOfBytes: Int? = nil,
            keySpec: KMS.DataKeySpec? = nil,
            grantTokens: [String]? = nil,
            recipient: KMS.RecipientInfo? = nil,
            dryRun: Bool? = nil
        ) {
            self.keyId = keyId
            self.encryptionContext = encryptionContext
            self.numberOfBytes = numberOfBytes
            self.keySpec = keySpec
            self.grantTokens = grantTokens
            self.recipient = recipient
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case encryptionContext = "EncryptionContext"
            case numberOfBytes = "NumberOfBytes"
            case keySpec = "KeySpec"
            case grantTokens = "GrantTokens"
            case recipient = "Recipient"
            case dryRun = "DryRun"
        }
    }

    /// The output of `GenerateDataKey`.
    public struct GenerateDataKeyResponse: Codable, Hashable, Sendable {
        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `Plaintext`: The plaintext bytes. Secret.
        public var plaintext: Base64Blob?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `CiphertextForRecipient`: The result encrypted to an enclave recipient (not supported by Sigil).
        public var ciphertextForRecipient: Base64Blob?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            plaintext: Base64Blob? = nil,
            keyId: String? = nil,
            ciphertextForRecipient: Base64Blob? = nil,
            keyMaterialId: String? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.plaintext = plaintext
            self.keyId = keyId
            self.ciphertextForRecipient = ciphertextForRecipient
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case plaintext = "Plaintext"
            case keyId = "KeyId"
            case ciphertextForRecipient = "CiphertextForRecipient"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The input of `GenerateDataKeyWithoutPlaintext`.
    public struct GenerateDataKeyWithoutPlaintextRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GenerateDataKeyWithoutPlaintextResponse
        public static var operation: KMSOperation { .generateDataKeyWithoutPlaintext }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `KeySpec`: The key spec.
        public var keySpec: KMS.DataKeySpec?
        /// `NumberOfBytes`: The number of bytes.
        public var numberOfBytes: Int?
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            encryptionContext: [String: String]? = nil,
            keySpec: KMS.DataKeySpec? = nil,
            numberOfBytes: Int? = nil,
            grantTokens: [String]? = nil,
            dryRun: Bool? = nil
        ) {
            self.keyId = keyId
            self.encryptionContext = encryptionContext
            self.keySpec = keySpec
            self.numberOfBytes = numberOfBytes
            self.grantTokens = grantTokens
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case encryptionContext = "EncryptionContext"
            case keySpec = "KeySpec"
            case numberOfBytes = "NumberOfBytes"
            case grantTokens = "GrantTokens"
            case dryRun = "DryRun"
        }
    }

    /// The output of `GenerateDataKeyWithoutPlaintext`.
    public struct GenerateDataKeyWithoutPlaintextResponse: Codable, Hashable, Sendable {
        /// `CiphertextBlob`: The ciphertext: what Decrypt takes back.
        public var ciphertextBlob: Base64Blob?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            ciphertextBlob: Base64Blob? = nil,
            keyId: String? = nil,
            keyMaterialId: String? = nil
        ) {
            self.ciphertextBlob = ciphertextBlob
            self.keyId = keyId
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case ciphertextBlob = "CiphertextBlob"
            case keyId = "KeyId"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The input of `GenerateDataKeyPair`.
    public struct GenerateDataKeyPairRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GenerateDataKeyPairResponse
        public static var operation: KMSOperation { .generateDataKeyPair }

        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `KeyPairSpec`: The type of the data key pair.
        public var keyPairSpec: KMS.DataKeyPairSpec
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `Recipient`: An enclave recipient (not supported by Sigil).
        public var recipient: KMS.RecipientInfo?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            encryptionContext: [String: String]? = nil,
            keyId: String,
            keyPairSpec: KMS.DataKeyPairSpec,
            grantTokens: [String]? = nil,
            recipient: KMS.RecipientInfo? = nil,
            dryRun: Bool? = nil
        ) {
            self.encryptionContext = encryptionContext
            self.keyId = keyId
            self.keyPairSpec = keyPairSpec
            self.grantTokens = grantTokens
            self.recipient = recipient
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case encryptionContext = "EncryptionContext"
            case keyId = "KeyId"
            case keyPairSpec = "KeyPairSpec"
            case grantTokens = "GrantTokens"
            case recipient = "Recipient"
            case dryRun = "DryRun"
        }
    }

    /// The output of `GenerateDataKeyPair`.
    public struct GenerateDataKeyPairResponse: Codable, Hashable, Sendable {
        /// `PrivateKeyCiphertextBlob`: The private key, encrypted under the KMS key.
        public var privateKeyCiphertextBlob: Base64Blob?
        /// `PrivateKeyPlaintext`: The private key, DER PKCS#8. Secret.
        public var privateKeyPlaintext: Base64Blob?
        /// `PublicKey`: The public key, DER SubjectPublicKeyInfo.
        public var publicKey: Base64Blob?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `KeyPairSpec`: The type of the data key pair.
        public var keyPairSpec: KMS.DataKeyPairSpec?
        /// `CiphertextForRecipient`: The result encrypted to an enclave recipient (not supported by Sigil).
        public var ciphertextForRecipient: Base64Blob?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            privateKeyCiphertextBlob: Base64Blob? = nil,
            privateKeyPlaintext: Base64Blob? = nil,
            publicKey: Base64Blob? = nil,
            keyId: String? = nil,
            keyPairSpec: KMS.DataKeyPairSpec? = nil,
            ciphertextForRecipient: Base64Blob? = nil,
            keyMaterialId: String? = nil
        ) {
            self.privateKeyCiphertextBlob = privateKeyCiphertextBlob
            self.privateKeyPlaintext = privateKeyPlaintext
            self.publicKey = publicKey
            self.keyId = keyId
            self.keyPairSpec = keyPairSpec
            self.ciphertextForRecipient = ciphertextForRecipient
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case privateKeyCiphertextBlob = "PrivateKeyCiphertextBlob"
            case privateKeyPlaintext = "PrivateKeyPlaintext"
            case publicKey = "PublicKey"
            case keyId = "KeyId"
            case keyPairSpec = "KeyPairSpec"
            case ciphertextForRecipient = "CiphertextForRecipient"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The input of `GenerateDataKeyPairWithoutPlaintext`.
    public struct GenerateDataKeyPairWithoutPlaintextRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GenerateDataKeyPairWithoutPlaintextResponse
        public static var operation: KMSOperation { .generateDataKeyPairWithoutPlaintext }

        /// `EncryptionContext`: Non-secret key/value pairs bound to the ciphertext; the same pairs must be given to decrypt.
        public var encryptionContext: [String: String]?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `KeyPairSpec`: The type of the data key pair.
        public var keyPairSpec: KMS.DataKeyPairSpec
        /// `GrantTokens`: Grant tokens (accepted and ignored by Sigil, which has no grants).
        public var grantTokens: [String]?
        /// `DryRun`: Checks permissions only, without doing the operation.
        public var dryRun: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            encryptionContext: [String: String]? = nil,
            keyId: String,
            keyPairSpec: KMS.DataKeyPairSpec,
            grantTokens: [String]? = nil,
            dryRun: Bool? = nil
        ) {
            self.encryptionContext = encryptionContext
            self.keyId = keyId
            self.keyPairSpec = keyPairSpec
            self.grantTokens = grantTokens
            self.dryRun = dryRun
        }

        enum CodingKeys: String, CodingKey {
            case encryptionContext = "EncryptionContext"
            case keyId = "KeyId"
            case keyPairSpec = "KeyPairSpec"
            case grantTokens = "GrantTokens"
            case dryRun = "DryRun"
        }
    }

    /// The output of `GenerateDataKeyPairWithoutPlaintext`.
    public struct GenerateDataKeyPairWithoutPlaintextResponse: Codable, Hashable, Sendable {
        /// `PrivateKeyCiphertextBlob`: The private key, encrypted under the KMS key.
        public var privateKeyCiphertextBlob: Base64Blob?
        /// `PublicKey`: The public key, DER SubjectPublicKeyInfo.
        public var publicKey: Base64Blob?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `KeyPairSpec`: The type of the data key pair.
        public var keyPairSpec: KMS.DataKeyPairSpec?
        /// `KeyMaterialId`: The key material that was used.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            privateKeyCiphertextBlob: Base64Blob? = nil,
            publicKey: Base64Blob? = nil,
            keyId: String? = nil,
            keyPairSpec: KMS.DataKeyPairSpec? = nil,
            keyMaterialId: String? = nil
        ) {
            self.privateKeyCiphertextBlob = privateKeyCiphertextBlob
            self.publicKey = publicKey
            self.keyId = keyId
            self.keyPairSpec = keyPairSpec
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case privateKeyCiphertextBlob = "PrivateKeyCiphertextBlob"
            case publicKey = "PublicKey"
            case keyId = "KeyId"
            case keyPairSpec = "KeyPairSpec"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The input of `GenerateRandom`.
    public struct GenerateRandomRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GenerateRandomResponse
        public static var operation: KMSOperation { .generateRandom }

        /// `NumberOfBytes`: The number of bytes.
        public var numberOfBytes: Int?
        /// `CustomKeyStoreId`: A custom key store (not supported by Sigil).
        public var customKeyStoreId: String?
        /// `Recipient`: An enclave recipient (not supported by Sigil).
        public var recipient: KMS.RecipientInfo?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            numberOfBytes: Int? = nil,
            customKeyStoreId: String? = nil,
            recipient: KMS.RecipientInfo? = nil
        ) {
            self.numberOfBytes = numberOfBytes
            self.customKeyStoreId = customKeyStoreId
            self.recipient = recipient
        }

        enum CodingKeys: String, CodingKey {
            case numberOfBytes = "NumberOfBytes"
            case customKeyStoreId = "CustomKeyStoreId"
            case recipient = "Recipient"
        }
    }

    /// The output of `GenerateRandom`.
    public struct GenerateRandomResponse: Codable, Hashable, Sendable {
        /// `Plaintext`: The plaintext bytes. Secret.
        public var plaintext: Base64Blob?
        /// `CiphertextForRecipient`: The result encrypted to an enclave recipient (not supported by Sigil).
        public var ciphertextForRecipient: Base64Blob?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            plaintext: Base64Blob? = nil,
            ciphertextForRecipient: Base64Blob? = nil
        ) {
            self.plaintext = plaintext
            self.ciphertextForRecipient = ciphertextForRecipient
        }

        enum CodingKeys: String, CodingKey {
            case plaintext = "Plaintext"
            case ciphertextForRecipient = "CiphertextForRecipient"
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

    /// The input of `CreateAlias`.
    public struct CreateAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .createAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String
        /// `TargetKeyId`: The key the alias points to.
        public var targetKeyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String,
            targetKeyId: String
        ) {
            self.aliasName = aliasName
            self.targetKeyId = targetKeyId
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
            case targetKeyId = "TargetKeyId"
        }
    }

    /// The input of `UpdateAlias`.
    public struct UpdateAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .updateAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String
        /// `TargetKeyId`: The key the alias points to.
        public var targetKeyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String,
            targetKeyId: String
        ) {
            self.aliasName = aliasName
            self.targetKeyId = targetKeyId
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
            case targetKeyId = "TargetKeyId"
        }
    }

    /// The input of `DeleteAlias`.
    public struct DeleteAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .deleteAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String
        ) {
            self.aliasName = aliasName
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
        }
    }

    /// The input of `ListAliases`.
    public struct ListAliasesRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListAliasesResponse
        public static var operation: KMSOperation { .listAliases }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
            limit: Int? = nil,
            marker: String? = nil
        ) {
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

    /// The output of `ListAliases`.
    public struct ListAliasesResponse: Codable, Hashable, Sendable {
        /// `Aliases`: One page of aliases.
        public var aliases: [KMS.AliasListEntry]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliases: [KMS.AliasListEntry]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.aliases = aliases
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case aliases = "Aliases"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }

    /// The input of `TagResource`.
    public struct TagResourceRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .tagResource }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Tags`: Tags.
        public var tags: [KMS.Tag]

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            tags: [KMS.Tag]
        ) {
            self.keyId = keyId
            self.tags = tags
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case tags = "Tags"
        }
    }

    /// The input of `UntagResource`.
    public struct UntagResourceRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .untagResource }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `TagKeys`: The keys of the tags to remove.
        public var tagKeys: [String]

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            tagKeys: [String]
        ) {
            self.keyId = keyId
            self.tagKeys = tagKeys
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case tagKeys = "TagKeys"
        }
    }

    /// The input of `ListResourceTags`.
    public struct ListResourceTagsRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListResourceTagsResponse
        public static var operation: KMSOperation { .listResourceTags }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            limit: Int? = nil,
            marker: String? = nil
        ) {
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

    /// The output of `ListResourceTags`.
    public struct ListResourceTagsResponse: Codable, Hashable, Sendable {
        /// `Tags`: Tags.
        public var tags: [KMS.Tag]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            tags: [KMS.Tag]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.tags = tags
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case tags = "Tags"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }

    /// The input of `EnableKeyRotation`.
    public struct EnableKeyRotationRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .enableKeyRotation }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `RotationPeriodInDays`: The period between automatic rotations, in days (90–2560).
        public var rotationPeriodInDays: Int?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            rotationPeriodInDays: Int? = nil
        ) {
            self.keyId = keyId
            self.rotationPeriodInDays = rotationPeriodInDays
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case rotationPeriodInDays = "RotationPeriodInDays"
        }
    }

    /// The input of `DisableKeyRotation`.
    public struct DisableKeyRotationRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .disableKeyRotation }

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

    /// The input of `GetKeyRotationStatus`.
    public struct GetKeyRotationStatusRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GetKeyRotationStatusResponse
        public static var operation: KMSOperation { .getKeyRotationStatus }

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

    /// The output of `GetKeyRotationStatus`.
    public struct GetKeyRotationStatusResponse: Codable, Hashable, Sendable {
        /// `KeyRotationEnabled`: Whether automatic rotation is on.
        public var keyRotationEnabled: Bool?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `RotationPeriodInDays`: The period between automatic rotations, in days (90–2560).
        public var rotationPeriodInDays: Int?
        /// `NextRotationDate`: When the key will next rotate automatically.
        @EpochSeconds public var nextRotationDate: Date?
        /// `OnDemandRotationStartDate`: When an on-demand rotation started, while it runs.
        @EpochSeconds public var onDemandRotationStartDate: Date?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyRotationEnabled: Bool? = nil,
            keyId: String? = nil,
            rotationPeriodInDays: Int? = nil,
            nextRotationDate: Date? = nil,
            onDemandRotationStartDate: Date? = nil
        ) {
            self.keyRotationEnabled = keyRotationEnabled
            self.keyId = keyId
            self.rotationPeriodInDays = rotationPeriodInDays
            self.nextRotationDate = nextRotationDate
            self.onDemandRotationStartDate = onDemandRotationStartDate
        }

        enum CodingKeys: String, CodingKey {
            case keyRotationEnabled = "KeyRotationEnabled"
            case keyId = "KeyId"
            case rotationPeriodInDays = "RotationPeriodInDays"
            case nextRotationDate = "NextRotationDate"
            case onDemandRotationStartDate = "OnDemandRotationStartDate"
        }
    }

    /// The input of `RotateKeyOnDemand`.
    public struct RotateKeyOnDemandRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.RotateKeyOnDemandResponse
        public static var operation: KMSOperation { .rotateKeyOnDemand }

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

    /// The output of `RotateKeyOnDemand`.
    public struct RotateKeyOnDemandResponse: Codable, Hashable, Sendable {
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

    /// The input of `ListKeyRotations`.
    public struct ListKeyRotationsRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListKeyRotationsResponse
        public static var operation: KMSOperation { .listKeyRotations }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `IncludeKeyMaterial`: Which key materials to list.
        public var includeKeyMaterial: KMS.IncludeKeyMaterial?
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            includeKeyMaterial: KMS.IncludeKeyMaterial? = nil,
            limit: Int? = nil,
            marker: String? = nil
        ) {
            self.keyId = keyId
            self.includeKeyMaterial = includeKeyMaterial
            self.limit = limit
            self.marker = marker
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case includeKeyMaterial = "IncludeKeyMaterial"
            case limit = "Limit"
            case marker = "Marker"
        }
    }

    /// The output of `ListKeyRotations`.
    public struct ListKeyRotationsResponse: Codable, Hashable, Sendable {
        /// `Rotations`: One page of rotations.
        public var rotations: [KMS.RotationsListEntry]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            rotations: [KMS.RotationsListEntry]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.rotations = rotations
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case rotations = "Rotations"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }
}
