/// One JSON file of `vectors/`: a GnuTLS key's public half and signature cases for one
/// KMS signing algorithm. `sigil-vectorgen` writes it and `Tests/VectorReplayTests`
/// reads it, both through this one type, so the member names are a format: extend,
/// don't rename.
public struct SignatureVectorFile: Codable, Sendable {
    /// Format version of this file.
    public var formatVersion = 1
    /// What made the signatures, such as `GnuTLS 3.7.9`.
    public var generator: String
    /// The KMS signing algorithm name, such as `ECDSA_SHA_256`.
    public var algorithm: String
    /// The KMS key spec of the signing key, such as `ECC_NIST_P256`.
    public var keySpec: String
    /// The public key: DER SubjectPublicKeyInfo, base64.
    public var publicKey: String
    /// How signatures are encoded: `DER` (ECDSA) or `RAW` (RSA, modulus-sized).
    public var signatureFormat: String
    /// How `message` and `digest` are encoded.
    public var messageEncoding = "hex"
    /// How `signature` is encoded.
    public var signatureEncoding = "base64"
    public var cases: [SignatureVectorCase]

    public init(
        generator: String, algorithm: String, keySpec: String, publicKey: String, signatureFormat: String,
        cases: [SignatureVectorCase]
    ) {
        self.generator = generator
        self.algorithm = algorithm
        self.keySpec = keySpec
        self.publicKey = publicKey
        self.signatureFormat = signatureFormat
        self.cases = cases
    }
}

/// One signature to check.
public struct SignatureVectorCase: Codable, Sendable {
    /// Unique within the file, from 1.
    public var id: Int
    /// `RAW` (the message is hashed by the verifier) or `DIGEST` (already hashed).
    public var messageType: String
    /// The message, hex; present when `messageType` is `RAW`.
    public var message: String?
    /// The digest, hex; present when `messageType` is `DIGEST`.
    public var digest: String?
    /// The signature, base64.
    public var signature: String
    /// `valid` or `invalid`.
    public var expected: String
    /// What the case checks, such as `flipped bit in signature`.
    public var comment: String

    public init(
        id: Int, messageType: String, message: String? = nil, digest: String? = nil, signature: String,
        expected: String, comment: String
    ) {
        self.id = id
        self.messageType = messageType
        self.message = message
        self.digest = digest
        self.signature = signature
        self.expected = expected
        self.comment = comment
    }
}
