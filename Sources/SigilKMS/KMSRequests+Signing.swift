// Sign and Verify. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
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
}
