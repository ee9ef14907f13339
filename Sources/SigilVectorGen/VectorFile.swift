/// One JSON file of `vectors/`: a GnuTLS key's public half and signature cases for one
/// KMS signing algorithm. Readers decode the same shape (see
/// `Tests/VectorReplayTests`), so the member names are a format: extend, don't rename.
struct VectorFile: Codable {
    /// Format version of this file.
    var formatVersion = 1
    /// What made the signatures, such as `GnuTLS 3.7.9`.
    var generator: String
    /// The KMS signing algorithm name, such as `ECDSA_SHA_256`.
    var algorithm: String
    /// The KMS key spec of the signing key, such as `ECC_NIST_P256`.
    var keySpec: String
    /// The public key: DER SubjectPublicKeyInfo, base64.
    var publicKey: String
    /// How signatures are encoded: `DER` (ECDSA) or `RAW` (RSA, modulus-sized).
    var signatureFormat: String
    /// How `message` and `digest` are encoded.
    var messageEncoding = "hex"
    /// How `signature` is encoded.
    var signatureEncoding = "base64"
    var cases: [VectorCase]
}

/// One signature to check.
struct VectorCase: Codable {
    /// Unique within the file, from 1.
    var id: Int
    /// `RAW` (the message is hashed by the verifier) or `DIGEST` (already hashed).
    var messageType: String
    /// The message, hex; present when `messageType` is `RAW`.
    var message: String?
    /// The digest, hex; present when `messageType` is `DIGEST`.
    var digest: String?
    /// The signature, base64.
    var signature: String
    /// `valid` or `invalid`.
    var expected: String
    /// What the case checks, such as `flipped bit in signature`.
    var comment: String
}
