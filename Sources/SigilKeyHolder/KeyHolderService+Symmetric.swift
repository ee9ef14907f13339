import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// The symmetric half of KMS: Encrypt and Decrypt with `SYMMETRIC_DEFAULT`, and the
/// ciphertext format the other symmetric operations share.
extension KeyHolderService {
    /// KMS's limit on an Encrypt plaintext.
    static let maximumPlaintext = 4096
    /// KMS's limit on a ciphertext blob (`CiphertextType`).
    static let maximumCiphertext = 6144

    // MARK: - Symmetric ciphertexts

    /// Checks that an `EncryptionAlgorithm` is absent or `SYMMETRIC_DEFAULT`, as a
    /// symmetric key needs.
    func checkSymmetricAlgorithm(_ algorithm: KMS.EncryptionAlgorithm?, for key: KeyRecord, member: String) throws {
        guard let algorithm, algorithm != .symmetricDefault else { return }
        let known = try algorithm.validated(member: member)
        throw KMSError.invalidKeyUsage(
            "\(key.arn) is a symmetric key: \(member) \(known.rawValue) is not compatible with it; use SYMMETRIC_DEFAULT")
    }

    /// Seals bytes under the current material of a symmetric key, bound to the context.
    ///
    /// No length limit here: Encrypt applies KMS's 4096 bytes; a data key pair's private
    /// key (up to ~2.4 KB) is sealed the same way.
    func sealSymmetric(_ plaintext: [UInt8], key: KeyRecord, context: [String: String]?) throws -> [UInt8] {
        guard key.spec.isSymmetric else { throw KMSError.internalFailure() }
        let version = key.currentVersion
        let material = try mapStoreErrors { try symmetricKey(key, version: version) }
        guard let aad = SymmetricCiphertext.aad(
            keyID: key.id, materialVersion: version, keyARN: key.arn, context: context)
        else {
            throw KMSError.validation("The encryption context is too large")
        }
        let nonce = try SecureRandom.bytes(count: SymmetricCiphertext.nonceSize)
        let sealed = try AESGCM.seal(plaintext, key: material, nonce: nonce, authenticating: aad)
        return SymmetricCiphertext(
            keyID: key.id, materialVersion: version, nonce: nonce, ciphertext: sealed.ciphertext, tag: sealed.tag
        ).bytes
    }

    /// Opens a symmetric ciphertext blob.
    ///
    /// - Parameters:
    ///   - blob: The blob from the request.
    ///   - context: The encryption context it must have been sealed with.
    ///   - expected: The key the caller named, if any, already authorized: the blob must
    ///     be of that key.
    ///   - action: The policy action on the blob's key, when not the operation's own.
    ///   - conditions: The `kms:` condition keys, when not those of the request's body.
    ///   - admitting: Whether to count the request against its quota on the blob's key.
    /// - Returns: The key that sealed it, the version of its material that did, and the plaintext.
    /// - Throws: `InvalidCiphertextException` for anything that is not an authentic blob
    ///   (including a different context); `IncorrectKeyException` when it is of another
    ///   key than `expected`; `AccessDeniedException`, worded as KMS words it, when the
    ///   blob names a key that does not exist here, does not suit it, or that the caller
    ///   may not use — the same answer for each, so a caller learns nothing of keys it
    ///   may not use; `DisabledException` and `KMSInvalidStateException` for a key that
    ///   cannot be used now.
    func openSymmetric(
        _ blob: [UInt8], context: [String: String]?, expected: KeyRecord?, caller: Call, action: String? = nil,
        conditions: [String: [String]]? = nil, admitting: Bool = true
    ) throws -> (key: KeyRecord, materialVersion: Int, plaintext: [UInt8]) {
        guard blob.count <= Self.maximumCiphertext else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to \(Self.maximumCiphertext)")
        }
        guard let parsed = SymmetricCiphertext(parsing: blob) else {
            throw KMSError.invalidCiphertext()
        }
        let key: KeyRecord
        if let expected {
            guard expected.id == parsed.keyID else {
                throw KMSError.incorrectKey()
            }
            key = expected
        } else {
            // The key may be another account's: its key policy decides, as in KMS.
            guard let found = try store.key(id: parsed.keyID), found.region == configuration.region,
                found.spec.isSymmetric, found.usage == .encryptDecrypt
            else {
                throw Self.ciphertextKeyRefused
            }
            do {
                try authorize(found, caller, action: action, conditions: conditions, admitting: admitting)
            } catch let error as KMSError where error.type == "AccessDeniedException" {
                throw Self.ciphertextKeyRefused
            }
            key = found
        }
        try checkUsable(key)
        guard parsed.materialVersion <= key.currentVersion,
            let aad = SymmetricCiphertext.aad(
                keyID: key.id, materialVersion: parsed.materialVersion, keyARN: key.arn, context: context)
        else {
            throw KMSError.invalidCiphertext()
        }
        let material = try symmetricKey(key, version: parsed.materialVersion)
        do {
            let plaintext = try AESGCM.open(
                parsed.ciphertext, tag: parsed.tag, key: material, nonce: parsed.nonce, authenticating: aad)
            return (key, parsed.materialVersion, plaintext)
        } catch let error as SigilError where error.code == .authenticationFailure {
            throw KMSError.invalidCiphertext()
        }
    }

    /// KMS's answer to a ciphertext whose key the caller cannot have: one answer whether
    /// the key is missing, elsewhere, unsuitable or not the caller's to use.
    static let ciphertextKeyRefused = KMSError.accessDenied(
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
            + "or you are not allowed to access.")

    func encryptSymmetric(_ request: KMS.EncryptRequest, key: KeyRecord) throws -> KMS.EncryptResponse {
        try checkSymmetricAlgorithm(request.encryptionAlgorithm, for: key, member: "EncryptionAlgorithm")
        try checkPlaintextLength(request.plaintext.count)
        if request.dryRun == true { throw dryRunSucceeded() }
        let blob = try sealSymmetric(request.plaintext.bytes, key: key, context: request.encryptionContext)
        return KMS.EncryptResponse(ciphertextBlob: Base64Blob(blob), keyId: key.arn, encryptionAlgorithm: .symmetricDefault)
    }

    func decryptSymmetric(_ request: KMS.DecryptRequest, blob: [UInt8], caller: Call) throws -> KMS.DecryptResponse {
        let expected = try request.keyId.map { try symmetricDecryptionKey(find($0, caller), caller, operation: "Decrypt") }
        if request.dryRun == true {
            _ = try openSymmetric(blob, context: request.encryptionContext, expected: expected, caller: caller)
            throw dryRunSucceeded()
        }
        let (key, version, plaintext) = try openSymmetric(
            blob, context: request.encryptionContext, expected: expected, caller: caller)
        return KMS.DecryptResponse(
            keyId: key.arn, plaintext: Base64Blob(plaintext), encryptionAlgorithm: .symmetricDefault,
            keyMaterialId: keyMaterialID(key, version: version))
    }

    /// The key a caller names for a symmetric decryption, authorized first (nothing about
    /// it is told before), then checked: an encryption key, symmetric. Its state is checked
    /// once the blob names it.
    func symmetricDecryptionKey(
        _ named: NamedKey, _ caller: Call, operation: String, action: String? = nil,
        conditions: [String: [String]]? = nil, admitting: Bool = true
    ) throws -> KeyRecord {
        try authorize(named, caller, action: action, conditions: conditions, admitting: admitting)
        let key = named.key
        try checkUsage(key, .encryptDecrypt, operation)
        guard key.spec.isSymmetric else {
            throw KMSError.invalidKeyUsage(
                "\(key.arn) is an asymmetric key: SYMMETRIC_DEFAULT is not compatible with it; name RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256")
        }
        return key
    }

    /// AWS's answer to a request with `DryRun` that would have succeeded.
    func dryRunSucceeded() -> KMSError {
        KMSError(type: "DryRunOperationException", message: "The request would have succeeded, but the DryRun option is set.")
    }

    /// The model's constraint on `Plaintext` (1 to 4096 bytes), worded as AWS words it.
    /// An RSA key's smaller limit is checked after, in AWS's own words for it.
    func checkPlaintextLength(_ count: Int) throws {
        if count < 1 {
            throw KMSError.validation(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        if count > Self.maximumPlaintext {
            throw KMSError.validation(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to \(Self.maximumPlaintext)")
        }
    }
}
