import Foundation
import Sigil
import SigilKMS
import SigilKeyHolder
import SigilTestSupport
import Testing

@Suite("Sign, Verify, RSA Encrypt/Decrypt, GetPublicKey and key states")
struct AsymmetricOperationTests {
    @Test(arguments: [
        ("RSA_2048", "RSASSA_PSS_SHA_256"), ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512"), ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"), ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
    ])
    func signAndVerify(_ specName: String, _ algorithmName: String) async throws {
        try await withKeyHolder { kms, _ in
            let key = try await kms.createKey(KMS.KeySpec(rawValue: specName), usage: .signVerify)
            let algorithm = KMS.SigningAlgorithm(rawValue: algorithmName)
            let local = try SigningAlgorithm(kmsName: algorithmName)
            let publicKeyDER = try #require(try await kms.send(KMS.GetPublicKeyRequest(keyId: key.keyId)).publicKey).bytes
            let publicKey = try PublicKey(derRepresentation: publicKeyDER)
            let message = Array("a package to sign".utf8)

            let signed = try await kms.send(KMS.SignRequest(keyId: key.keyId, message: Base64Blob(message), signingAlgorithm: algorithm))
            #expect(signed.keyId == key.arn)
            #expect(signed.signingAlgorithm == algorithm)
            let signature = try #require(signed.signature).bytes
            #expect(try publicKey.isValidSignature(signature, for: message, algorithm: local))
            let verified = try await kms.send(
                KMS.VerifyRequest(keyId: key.keyId, message: Base64Blob(message), signature: Base64Blob(signature), signingAlgorithm: algorithm))
            #expect(verified.signatureValid == true)

            // DIGEST: the same signature space.
            let digest = try local.hashFunction.hash(message)
            let digestSigned = try await kms.send(
                KMS.SignRequest(keyId: key.keyId, message: Base64Blob(digest), messageType: .digest, signingAlgorithm: algorithm))
            #expect(try publicKey.isValidSignature(try #require(digestSigned.signature).bytes, for: message, algorithm: local))

            // A tampered signature or message fails as KMSInvalidSignatureException.
            var tampered = signature
            tampered[tampered.count / 2] ^= 0x10
            try await kms.expectFailure(
                KMS.VerifyRequest(keyId: key.keyId, message: Base64Blob(message), signature: Base64Blob(tampered), signingAlgorithm: algorithm),
                "KMSInvalidSignatureException", status: 400)
            try await kms.expectFailure(
                KMS.VerifyRequest(keyId: key.keyId, message: Base64Blob(message + [0]), signature: Base64Blob(signature), signingAlgorithm: algorithm),
                "KMSInvalidSignatureException")
            // Bad input.
            try await kms.expectFailure(
                KMS.SignRequest(keyId: key.keyId, message: Base64Blob([UInt8](repeating: 1, count: 4097)), signingAlgorithm: algorithm),
                "ValidationException")
            try await kms.expectFailure(
                KMS.SignRequest(keyId: key.keyId, message: Base64Blob(digest.dropLast()), messageType: .digest, signingAlgorithm: algorithm),
                "ValidationException")
            let wrongFamily: KMS.SigningAlgorithm = specName.hasPrefix("RSA") ? .ecdsaSha256 : .rsassaPssSha256
            try await kms.expectFailure(
                KMS.SignRequest(keyId: key.keyId, message: Base64Blob(message), signingAlgorithm: wrongFamily), "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionAlgorithm: .rsaesOaepSha256),
                "InvalidKeyUsageException")
        }
    }

    @Test(arguments: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    func rsaEncryptDecrypt(_ algorithmName: String) async throws {
        try await withKeyHolder { kms, _ in
            let key = try await kms.createKey(.rsa2048)
            let algorithm = KMS.EncryptionAlgorithm(rawValue: algorithmName)
            let padding: RSAEncryptionPadding = algorithmName.hasSuffix("_1") ? .oaepSHA1 : .oaepSHA256
            let info = try await kms.send(KMS.GetPublicKeyRequest(keyId: key.keyId))
            #expect(info.keySpec == .rsa2048)
            #expect(info.keyUsage == .encryptDecrypt)
            #expect(info.encryptionAlgorithms == [.rsaesOaepSha1, .rsaesOaepSha256])
            let publicKey = try AsymmetricPublicKey(derRepresentation: try #require(info.publicKey).bytes)

            // Offline encryption, decrypted by the key holder.
            let secret = Array("thirty-two bytes of a data key!!".utf8)
            let offline = try publicKey.encrypt(secret, padding: padding)
            let opened = try await kms.send(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(offline), keyId: key.keyId, encryptionAlgorithm: algorithm))
            #expect(opened.plaintext?.bytes == secret)
            #expect(opened.keyId == key.arn)
            #expect(opened.encryptionAlgorithm == algorithm)
            // Through Encrypt too.
            let limit = padding.maximumPlaintextLength(modulusBytes: 256)
            let longest = [UInt8](repeating: 7, count: limit)
            let sealed = try await kms.send(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob(longest), encryptionAlgorithm: algorithm))
            let reopened = try await kms.send(
                KMS.DecryptRequest(ciphertextBlob: sealed.ciphertextBlob, keyId: key.keyId, encryptionAlgorithm: algorithm))
            #expect(reopened.plaintext?.bytes == longest)

            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob(longest + [7]), encryptionAlgorithm: algorithm),
                "ValidationException")
            try await kms.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionContext: ["a": "b"], encryptionAlgorithm: algorithm),
                "ValidationException")
            let otherAlgorithm: KMS.EncryptionAlgorithm = algorithmName.hasSuffix("_1") ? .rsaesOaepSha256 : .rsaesOaepSha1
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(offline), keyId: key.keyId, encryptionAlgorithm: otherAlgorithm),
                "InvalidCiphertextException")
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(offline), encryptionAlgorithm: algorithm), "ValidationException")
            let signing = try await kms.createKey(.rsa2048, usage: .signVerify)
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(offline), keyId: signing.keyId, encryptionAlgorithm: algorithm),
                "InvalidKeyUsageException")
        }
    }

    @Test(arguments: StoreBackend.allCases) func keyStates(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey(.eccNistP256, usage: .signVerify)
            let sign = KMS.SignRequest(keyId: key.keyId, message: Base64Blob([1]), signingAlgorithm: .ecdsaSha256)
            _ = try await kms.send(sign)

            _ = try await kms.send(KMS.DisableKeyRequest(keyId: key.keyId))
            #expect(try await kms.send(KMS.DescribeKeyRequest(keyId: key.keyId)).keyMetadata?.keyState == .disabled)
            try await kms.expectFailure(sign, "DisabledException", status: 400)
            try await kms.expectFailure(KMS.GetPublicKeyRequest(keyId: key.keyId), "DisabledException")
            _ = try await kms.send(KMS.EnableKeyRequest(keyId: key.keyId))
            _ = try await kms.send(sign)

            let scheduled = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: key.arn!, pendingWindowInDays: 7))
            #expect(scheduled.keyState == .pendingDeletion)
            #expect(scheduled.pendingWindowInDays == 7)
            try await kms.expectFailure(sign, "KMSInvalidStateException", status: 400)
            try await kms.expectFailure(KMS.EnableKeyRequest(keyId: key.keyId), "KMSInvalidStateException")
            let canceled = try await kms.send(KMS.CancelKeyDeletionRequest(keyId: key.keyId))
            #expect(canceled.keyId == key.arn)
            #expect(try await kms.send(KMS.DescribeKeyRequest(keyId: key.keyId)).keyMetadata?.keyState == .disabled)
            try await kms.expectFailure(sign, "DisabledException")
            _ = try await kms.send(KMS.EnableKeyRequest(keyId: key.keyId))
            _ = try await kms.send(sign)

            for days in [6, 31] {
                try await kms.expectFailure(KMS.ScheduleKeyDeletionRequest(keyId: key.keyId, pendingWindowInDays: days), "ValidationException")
            }
            _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/signer", targetKeyId: key.keyId))
            try await kms.expectFailure(KMS.DisableKeyRequest(keyId: "alias/signer"), "NotFoundException", status: 400)
            _ = try await kms.send(KMS.SignRequest(keyId: "alias/signer", message: Base64Blob([1]), signingAlgorithm: .ecdsaSha256))

            let symmetric = try await kms.createKey()
            try await kms.expectFailure(KMS.GetPublicKeyRequest(keyId: symmetric.keyId), "UnsupportedOperationException")
            try await kms.expectFailure(
                KMS.SignRequest(keyId: symmetric.keyId, message: Base64Blob([1]), signingAlgorithm: .ecdsaSha256),
                "InvalidKeyUsageException")
            try await kms.expectFailure(KMS.CreateKeyRequest(keyUsage: .encryptDecrypt, keySpec: .eccNistP256), "ValidationException")
        }
    }
}
