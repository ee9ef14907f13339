import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// ReEncrypt: a ciphertext opened under one key and sealed under another, in one request.
extension KeyHolderService {
    /// ReEncrypt: each side authorized with its own condition keys — `kms:ReEncryptFrom`
    /// on the source key with the source's algorithm and encryption context,
    /// `kms:ReEncryptTo` on the destination key with the destination's — and
    /// `kms:ReEncryptOnSameKey` on both. The destination first: a request that cannot
    /// succeed decrypts nothing.
    func reEncrypt(_ request: KMS.ReEncryptRequest, _ caller: Call) async throws -> KMS.ReEncryptResponse {
        guard let blob = request.ciphertextBlob, !blob.bytes.isEmpty else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
        }
        guard blob.count <= Self.maximumCiphertext else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to \(Self.maximumCiphertext)")
        }
        let sourceAlgorithm = request.sourceEncryptionAlgorithm ?? .symmetricDefault
        if sourceAlgorithm != .symmetricDefault { _ = try sourceAlgorithm.validated(member: "SourceEncryptionAlgorithm") }
        // Which key the ciphertext is of — from the blob, or SourceKeyId for RSA — before
        // either side is authorized, since both sides' conditions say whether it is the same.
        let destinationNamed = try find(request.destinationKeyId, caller)
        let sourceNamed = try request.sourceKeyId.map { try find($0, caller) }
        let sourceKeyID: String
        if sourceAlgorithm == .symmetricDefault {
            guard let parsed = SymmetricCiphertext(parsing: blob.bytes) else {
                throw KMSError.invalidCiphertext()
            }
            sourceKeyID = parsed.keyID
        } else {
            guard let sourceNamed else {
                throw KMSError.validation("SourceKeyId is required when the ciphertext was encrypted under an asymmetric key (\(sourceAlgorithm.rawValue))")
            }
            sourceKeyID = sourceNamed.key.id
        }
        let sameKey = ["kms:ReEncryptOnSameKey": [sourceKeyID == destinationNamed.key.id ? "true" : "false"]]
        let destinationConditions = encryptionConditions(
            request.destinationEncryptionAlgorithm, request.destinationEncryptionContext, extra: sameKey)
        let sourceConditions = encryptionConditions(
            request.sourceEncryptionAlgorithm, request.sourceEncryptionContext, extra: sameKey)

        try authorize(destinationNamed, caller, action: "kms:ReEncryptTo", conditions: destinationConditions)
        let destination = destinationNamed.key
        try checkUsage(destination, .encryptDecrypt, "ReEncrypt")
        let destinationPadding: RSAEncryptionPadding?
        if destination.spec.isSymmetric {
            try checkSymmetricAlgorithm(
                request.destinationEncryptionAlgorithm, for: destination, member: "DestinationEncryptionAlgorithm")
            destinationPadding = nil
        } else {
            destinationPadding = try rsaPadding(request.destinationEncryptionAlgorithm, for: destination)
            if request.destinationEncryptionContext?.isEmpty == false {
                throw KMSError.validation("DestinationEncryptionContext is not allowed with an asymmetric destination key")
            }
        }
        try checkUsable(destination)

        // One request, counted once against the quota (on the destination).
        let source: KeyRecord
        let plaintext: [UInt8]
        // The material that made the ciphertext, for a symmetric source.
        var sourceMaterialVersion: Int? = nil
        if sourceAlgorithm == .symmetricDefault {
            let expected = try sourceNamed.map {
                try symmetricDecryptionKey(
                    $0, caller, operation: "ReEncrypt", action: "kms:ReEncryptFrom", conditions: sourceConditions,
                    admitting: false)
            }
            let opened = try openSymmetric(
                blob.bytes, context: request.sourceEncryptionContext, expected: expected, caller: caller,
                action: "kms:ReEncryptFrom", conditions: sourceConditions, admitting: false)
            source = opened.key
            plaintext = opened.plaintext
            sourceMaterialVersion = opened.materialVersion
        } else {
            guard let sourceNamed else { throw KMSError.internalFailure() }
            try authorize(sourceNamed, caller, action: "kms:ReEncryptFrom", conditions: sourceConditions, admitting: false)
            source = sourceNamed.key
            try checkUsage(source, .encryptDecrypt, "ReEncrypt")
            guard !source.spec.isSymmetric else {
                throw KMSError.invalidKeyUsage("\(source.arn) is a symmetric key: use SourceEncryptionAlgorithm SYMMETRIC_DEFAULT")
            }
            let padding = try rsaPadding(sourceAlgorithm, for: source)
            if request.sourceEncryptionContext?.isEmpty == false {
                throw KMSError.validation("SourceEncryptionContext is not allowed with an asymmetric source key")
            }
            try checkUsable(source)
            plaintext = try await rsaDecrypt(blob.bytes, key: source, padding: padding)
        }
        if request.dryRun == true { throw dryRunSucceeded() }

        let ciphertext: [UInt8]
        if let padding = destinationPadding {
            guard let der = destination.publicKeyDER, let spec = destination.spec.asymmetric else {
                throw KMSError.internalFailure()
            }
            let limit = padding.maximumPlaintextLength(modulusBytes: spec.sizeInBits / 8)
            guard plaintext.count <= limit else {
                throw KMSError.validation(
                    "Algorithm \(request.destinationEncryptionAlgorithm?.rawValue ?? "") and key spec \(spec.kmsName) cannot encrypt data larger than \(limit) bytes.")
            }
            ciphertext = try AsymmetricPublicKey(derRepresentation: der).encrypt(plaintext, padding: padding)
        } else {
            ciphertext = try sealSymmetric(plaintext, key: destination, context: request.destinationEncryptionContext)
        }
        return KMS.ReEncryptResponse(
            ciphertextBlob: Base64Blob(ciphertext), sourceKeyId: source.arn, keyId: destination.arn,
            sourceEncryptionAlgorithm: sourceAlgorithm,
            destinationEncryptionAlgorithm: request.destinationEncryptionAlgorithm ?? .symmetricDefault,
            sourceKeyMaterialId: sourceMaterialVersion.map { keyMaterialID(source, version: $0) },
            destinationKeyMaterialId: destination.spec.isSymmetric
                ? keyMaterialID(destination, version: destination.currentVersion) : nil)
    }
}
