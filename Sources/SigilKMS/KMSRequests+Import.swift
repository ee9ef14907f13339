public import Foundation

// The key material import operations. Sigil creates every key with its own (AWS_KMS)
// material, so it answers both as KMS answers them for such a key; the shapes are here so
// that the requests decode and the answer is KMS's. Members named as in the KMS API model.

extension KMS {
    /// The input of `GetParametersForImport`.
    public struct GetParametersForImportRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GetParametersForImportResponse
        public static var operation: KMSOperation { .getParametersForImport }

        /// `KeyId`: The key's id or key ARN (not an alias).
        public var keyId: String
        /// `WrappingAlgorithm`: How the key material would be wrapped, such as `RSAES_OAEP_SHA_256`.
        public var wrappingAlgorithm: String
        /// `WrappingKeySpec`: The wrapping key's spec, such as `RSA_4096`.
        public var wrappingKeySpec: String

        /// Creates the shape.
        public init(keyId: String, wrappingAlgorithm: String, wrappingKeySpec: String) {
            self.keyId = keyId
            self.wrappingAlgorithm = wrappingAlgorithm
            self.wrappingKeySpec = wrappingKeySpec
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case wrappingAlgorithm = "WrappingAlgorithm"
            case wrappingKeySpec = "WrappingKeySpec"
        }
    }

    /// The output of `GetParametersForImport`.
    public struct GetParametersForImportResponse: Codable, Hashable, Sendable {
        /// `KeyId`: The key ARN.
        public var keyId: String?
        /// `ImportToken`: The token ImportKeyMaterial takes back.
        public var importToken: Base64Blob?
        /// `PublicKey`: The wrapping public key, DER SubjectPublicKeyInfo.
        public var publicKey: Base64Blob?
        /// `ParametersValidTo`: When the token and public key expire.
        @EpochSeconds public var parametersValidTo: Date?

        /// Creates the shape; absent members are left out of the JSON.
        public init(keyId: String? = nil, importToken: Base64Blob? = nil, publicKey: Base64Blob? = nil, parametersValidTo: Date? = nil) {
            self.keyId = keyId
            self.importToken = importToken
            self.publicKey = publicKey
            self.parametersValidTo = parametersValidTo
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case importToken = "ImportToken"
            case publicKey = "PublicKey"
            case parametersValidTo = "ParametersValidTo"
        }
    }

    /// The input of `ImportKeyMaterial`.
    public struct ImportKeyMaterialRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ImportKeyMaterialResponse
        public static var operation: KMSOperation { .importKeyMaterial }

        /// `KeyId`: The key's id or key ARN (not an alias).
        public var keyId: String
        /// `ImportToken`: The token GetParametersForImport gave.
        public var importToken: Base64Blob
        /// `EncryptedKeyMaterial`: The key material, wrapped under the import public key.
        public var encryptedKeyMaterial: Base64Blob
        /// `ValidTo`: When the imported material expires.
        @EpochSeconds public var validTo: Date?
        /// `ExpirationModel`: Whether the imported material expires.
        public var expirationModel: KMS.ExpirationModel?
        /// `ImportType`: `NEW_KEY_MATERIAL` or `EXISTING_KEY_MATERIAL`.
        public var importType: String?
        /// `KeyMaterialDescription`: A description of the material.
        public var keyMaterialDescription: String?
        /// `KeyMaterialId`: The material being imported again.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String, importToken: Base64Blob, encryptedKeyMaterial: Base64Blob, validTo: Date? = nil,
            expirationModel: KMS.ExpirationModel? = nil, importType: String? = nil, keyMaterialDescription: String? = nil,
            keyMaterialId: String? = nil
        ) {
            self.keyId = keyId
            self.importToken = importToken
            self.encryptedKeyMaterial = encryptedKeyMaterial
            self.validTo = validTo
            self.expirationModel = expirationModel
            self.importType = importType
            self.keyMaterialDescription = keyMaterialDescription
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case importToken = "ImportToken"
            case encryptedKeyMaterial = "EncryptedKeyMaterial"
            case validTo = "ValidTo"
            case expirationModel = "ExpirationModel"
            case importType = "ImportType"
            case keyMaterialDescription = "KeyMaterialDescription"
            case keyMaterialId = "KeyMaterialId"
        }
    }

    /// The output of `ImportKeyMaterial`.
    public struct ImportKeyMaterialResponse: Codable, Hashable, Sendable {
        /// `KeyId`: The key ARN.
        public var keyId: String?
        /// `KeyMaterialId`: The id of the imported material.
        public var keyMaterialId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(keyId: String? = nil, keyMaterialId: String? = nil) {
            self.keyId = keyId
            self.keyMaterialId = keyMaterialId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case keyMaterialId = "KeyMaterialId"
        }
    }
}
