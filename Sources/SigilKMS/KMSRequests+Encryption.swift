// Encrypt, Decrypt and ReEncrypt. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
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
}
