import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// The data-key operations: GenerateDataKey, GenerateDataKeyPair and their
/// WithoutPlaintext forms.
extension KeyHolderService {
    /// The length of a data key from `KeySpec` or `NumberOfBytes`, exactly one of which
    /// must be given.
    func dataKeyLength(keySpec: KMS.DataKeySpec?, numberOfBytes: Int?) throws -> Int {
        switch (keySpec, numberOfBytes) {
        case (nil, nil):
            throw KMSError.validation("Please specify either KeySpec or NumberOfBytes")
        case (.some, .some):
            throw KMSError.validation("Please specify either KeySpec or NumberOfBytes, not both")
        case (let spec?, nil):
            return try spec.validated(member: "KeySpec") == .aes128 ? 16 : 32
        case (nil, let count?):
            try checkNumberOfBytes(count)
            return count
        }
    }

    /// The model's range for `NumberOfBytes` (1 to 1024), worded as AWS words it.
    func checkNumberOfBytes(_ count: Int) throws {
        if count < 1 {
            throw KMSError.validation(
                "1 validation error detected: Value '\(count)' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
        if count > 1024 {
            throw KMSError.validation(
                "1 validation error detected: Value '\(count)' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")
        }
    }

    /// The key a data key is sealed under: a usable symmetric encryption key.
    func dataKeyWrappingKey(_ keyId: String, _ caller: Call, operation: String) throws -> KeyRecord {
        let key = try resolve(keyId, caller)
        try checkUsage(key, .encryptDecrypt, operation)
        guard key.spec.isSymmetric else {
            throw KMSError.invalidKeyUsage(
                "\(key.arn) is an asymmetric \(key.spec.kmsName) key: \(operation) needs a symmetric encryption key")
        }
        try checkUsable(key)
        return key
    }

    func generateDataKey(_ request: KMS.GenerateDataKeyRequest, _ caller: Call) throws -> KMS.GenerateDataKeyResponse {
        let length = try dataKeyLength(keySpec: request.keySpec, numberOfBytes: request.numberOfBytes)
        if request.recipient != nil {
            throw KMSError.unsupportedOperation("GenerateDataKey for a Nitro enclave recipient is not supported")
        }
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKey")
        if request.dryRun == true { throw dryRunSucceeded() }
        let dataKey = try SecureRandom.bytes(count: length)
        let blob = try sealSymmetric(dataKey, key: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyResponse(
            ciphertextBlob: Base64Blob(blob), plaintext: Base64Blob(dataKey), keyId: key.arn,
            keyMaterialId: keyMaterialID(key, version: key.currentVersion))
    }

    func generateDataKeyWithoutPlaintext(
        _ request: KMS.GenerateDataKeyWithoutPlaintextRequest, _ caller: Call
    ) throws -> KMS.GenerateDataKeyWithoutPlaintextResponse {
        let length = try dataKeyLength(keySpec: request.keySpec, numberOfBytes: request.numberOfBytes)
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyWithoutPlaintext")
        if request.dryRun == true { throw dryRunSucceeded() }
        let blob = try sealSymmetric(try SecureRandom.bytes(count: length), key: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyWithoutPlaintextResponse(
            ciphertextBlob: Base64Blob(blob), keyId: key.arn, keyMaterialId: keyMaterialID(key, version: key.currentVersion))
    }

    /// The key spec of a data key pair: the seven Sigil generates; the other specs KMS
    /// knows (SM2, Ed25519, ML-KEM) are refused as unsupported.
    func dataKeyPairSpec(_ spec: KMS.DataKeyPairSpec) throws -> KeySpec {
        let known = try spec.validated(member: "KeyPairSpec")
        guard let keySpec = KeySpec(known) else {
            throw KMSError.unsupportedOperation(
                "KeyPairSpec \(known.rawValue) is not supported; Sigil generates \(KeySpec.allAsymmetric.map(\.kmsName).joined(separator: ", "))")
        }
        return keySpec
    }

    /// Generates a key pair off the event loop and seals its PKCS#8 private key.
    private func makeDataKeyPair(
        _ spec: KeySpec, under key: KeyRecord, context: [String: String]?
    ) async throws -> (privateKey: [UInt8], sealedPrivateKey: [UInt8], publicKey: [UInt8]) {
        let (privateDER, publicDER) = try await offload {
            let pair = try AsymmetricPrivateKey(generating: spec)
            return (try pair.pkcs8DERRepresentation, pair.publicKey.derRepresentation)
        }
        let sealed = try sealSymmetric(privateDER, key: key, context: context)
        return (privateDER, sealed, publicDER)
    }

    func generateDataKeyPair(
        _ request: KMS.GenerateDataKeyPairRequest, _ caller: Call
    ) async throws -> KMS.GenerateDataKeyPairResponse {
        let spec = try dataKeyPairSpec(request.keyPairSpec)
        if request.recipient != nil {
            throw KMSError.unsupportedOperation("GenerateDataKeyPair for a Nitro enclave recipient is not supported")
        }
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyPair")
        if request.dryRun == true { throw dryRunSucceeded() }
        let pair = try await makeDataKeyPair(spec, under: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyPairResponse(
            privateKeyCiphertextBlob: Base64Blob(pair.sealedPrivateKey), privateKeyPlaintext: Base64Blob(pair.privateKey),
            publicKey: Base64Blob(pair.publicKey), keyId: key.arn, keyPairSpec: request.keyPairSpec,
            keyMaterialId: keyMaterialID(key, version: key.currentVersion))
    }

    func generateDataKeyPairWithoutPlaintext(
        _ request: KMS.GenerateDataKeyPairWithoutPlaintextRequest, _ caller: Call
    ) async throws -> KMS.GenerateDataKeyPairWithoutPlaintextResponse {
        let spec = try dataKeyPairSpec(request.keyPairSpec)
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyPairWithoutPlaintext")
        if request.dryRun == true { throw dryRunSucceeded() }
        let pair = try await makeDataKeyPair(spec, under: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyPairWithoutPlaintextResponse(
            privateKeyCiphertextBlob: Base64Blob(pair.sealedPrivateKey), publicKey: Base64Blob(pair.publicKey),
            keyId: key.arn, keyPairSpec: request.keyPairSpec, keyMaterialId: keyMaterialID(key, version: key.currentVersion))
    }
}
