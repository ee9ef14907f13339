// The data-key operations and GenerateRandom. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
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
}
