import Foundation
import Sigil
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("SYMMETRIC_DEFAULT Encrypt, Decrypt, ReEncrypt and data keys")
struct SymmetricOperationTests {
    @Test(arguments: StoreBackend.allCases) func encryptDecryptRoundTrip(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            for length in [1, 16, 4096] {
                let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                let blob = try await kms.encrypt(key.keyId, plaintext)
                // Header, nonce, ciphertext, tag.
                #expect(blob.count == 1 + 16 + 4 + 12 + length + 16)
                #expect(blob[0] == 1)
                // Without KeyId: the blob names its key.
                let response = try await kms.send(KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob)))
                #expect(response.plaintext?.bytes == plaintext)
                #expect(response.keyId == key.arn)
                #expect(response.encryptionAlgorithm == .symmetricDefault)
                // With the key id, the key ARN, and SYMMETRIC_DEFAULT named.
                #expect(try await kms.decrypt(blob, keyId: key.keyId) == plaintext)
                #expect(try await kms.decrypt(blob, keyId: key.arn!) == plaintext)
                let named = try await kms.send(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: key.keyId, encryptionAlgorithm: .symmetricDefault))
                #expect(named.plaintext?.bytes == plaintext)
            }
            // Two encryptions of one plaintext differ (fresh nonce).
            let first = try await kms.encrypt(key.keyId, [1, 2, 3])
            let second = try await kms.encrypt(key.keyId, [1, 2, 3])
            #expect(first != second)
            let encrypted = try await kms.send(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([9])))
            #expect(encrypted.keyId == key.arn)
            #expect(encrypted.encryptionAlgorithm == .symmetricDefault)
        }
    }

    @Test(arguments: StoreBackend.allCases) func encryptionContextIsBound(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            let context = ["purpose": "test", "tenant": "42", "ü": "ñ"]
            let blob = try await kms.encrypt(key.keyId, Array("secret".utf8), context: context)
            #expect(try await kms.decrypt(blob, context: context) == Array("secret".utf8))
            // Order in the JSON does not matter: the context is canonicalised.
            #expect(try await kms.decrypt(blob, context: ["tenant": "42", "ü": "ñ", "purpose": "test"]) == Array("secret".utf8))
            let wrongContexts: [[String: String]?] = [
                nil, [:], ["purpose": "test", "tenant": "42"], ["purpose": "test", "tenant": "43", "ü": "ñ"],
                ["purpose": "test", "tenant": "42", "ü": "ñ", "extra": ""], ["Purpose": "test", "tenant": "42", "ü": "ñ"],
            ]
            for wrong in wrongContexts {
                try await kms.expectFailure(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), encryptionContext: wrong),
                    "InvalidCiphertextException", status: 400)
            }
            // Without a context at encryption, any context at decryption is wrong; an
            // empty one equals none.
            let plain = try await kms.encrypt(key.keyId, [7])
            #expect(try await kms.decrypt(plain, context: [:]) == [7])
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(plain), encryptionContext: ["a": "b"]),
                "InvalidCiphertextException")
            // Length-prefixed pairs: moving a byte from key to value is a different context.
            let split = try await kms.encrypt(key.keyId, [8], context: ["ab": "c"])
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(split), encryptionContext: ["a": "bc"]),
                "InvalidCiphertextException")
        }
    }

    @Test(arguments: StoreBackend.allCases) func encryptDecryptErrors(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            let other = try await kms.createKey()
            let signing = try await kms.createKey(.eccNistP256, usage: .signVerify)
            let rsa = try await kms.createKey(.rsa2048, usage: .encryptDecrypt)
            let blob = try await kms.encrypt(key.keyId, [1, 2, 3])

            // Plaintext 1...4096.
            try await kms.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([])), "ValidationException")
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([UInt8](repeating: 1, count: 4097))),
                "ValidationException")
            // Algorithms.
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionAlgorithm: .rsaesOaepSha256),
                "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionAlgorithm: "AES_GCM"),
                "ValidationException")
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: key.keyId, encryptionAlgorithm: .rsaesOaepSha1),
                "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: rsa.keyId), "InvalidKeyUsageException")
            // Wrong key usage and unknown keys.
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: signing.keyId, plaintext: Base64Blob([1])), "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: UUID().uuidString.lowercased(), plaintext: Base64Blob([1])), "NotFoundException",
                status: 400)
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: UUID().uuidString.lowercased()),
                "NotFoundException", status: 400)
            // The wrong key named.
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: other.keyId), "IncorrectKeyException", status: 400)
            // Garbage, truncation and every single-bit flip of a few positions.
            for garbage: [UInt8] in [[0], [1, 2, 3], [UInt8](repeating: 0, count: 80), Array(blob.dropLast()), [2] + blob.dropFirst()] {
                try await kms.expectFailure(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(garbage)), "InvalidCiphertextException", status: 400)
            }
            for position in [1, 18, 20, 25, 40, blob.count - 1] {
                var altered = blob
                altered[position] ^= 0x01
                // A flip in the key id (bytes 1..<17) names a key that does not exist: KMS's
                // one answer for a ciphertext whose key the caller cannot have.
                try await kms.expectFailure(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(altered)),
                    (1..<17).contains(position) ? "AccessDeniedException" : "InvalidCiphertextException")
            }
            // A blob of an unknown material version.
            var future = blob
            future[20] = 9
            try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: Base64Blob(future)), "InvalidCiphertextException")
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob([UInt8](repeating: 1, count: 6145))), "ValidationException")
            try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: nil), "ValidationException")

            // Key states.
            _ = try await kms.send(KMS.DisableKeyRequest(keyId: key.keyId))
            try await kms.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "DisabledException", status: 400)
            try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob)), "DisabledException", status: 400)
            _ = try await kms.send(KMS.EnableKeyRequest(keyId: key.keyId))
            #expect(try await kms.decrypt(blob) == [1, 2, 3])
            _ = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: key.keyId, pendingWindowInDays: 7))
            try await kms.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "KMSInvalidStateException", status: 400)
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob)), "KMSInvalidStateException", status: 400)
            _ = try await kms.send(KMS.CancelKeyDeletionRequest(keyId: key.keyId))
            try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob)), "DisabledException")
            _ = try await kms.send(KMS.EnableKeyRequest(keyId: key.keyId))
            #expect(try await kms.decrypt(blob, keyId: key.keyId) == [1, 2, 3])
        }
    }

    @Test(arguments: StoreBackend.allCases) func reEncrypt(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let source = try await kms.createKey()
            let destination = try await kms.createKey()
            let rsa = try await kms.createKey(.rsa2048)
            let plaintext = Array("a data key of thirty-two bytes!!".utf8)
            let blob = try await kms.encrypt(source.keyId, plaintext, context: ["a": "1"])

            // Symmetric to symmetric, with a new context.
            let moved = try await kms.send(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], destinationKeyId: destination.keyId,
                    destinationEncryptionContext: ["b": "2"]))
            #expect(moved.sourceKeyId == source.arn)
            #expect(moved.keyId == destination.arn)
            #expect(moved.sourceEncryptionAlgorithm == .symmetricDefault)
            #expect(moved.destinationEncryptionAlgorithm == .symmetricDefault)
            let movedBlob = try #require(moved.ciphertextBlob).bytes
            #expect(try await kms.decrypt(movedBlob, keyId: destination.keyId, context: ["b": "2"]) == plaintext)
            try await kms.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(movedBlob), encryptionContext: ["a": "1"]),
                "InvalidCiphertextException")
            // The source context must match; a SourceKeyId must be the right key.
            try await kms.expectFailure(
                KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(blob), destinationKeyId: destination.keyId),
                "InvalidCiphertextException")
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], sourceKeyId: destination.keyId,
                    destinationKeyId: destination.keyId),
                "IncorrectKeyException")

            // Symmetric to RSA, then RSA back to symmetric.
            let toRSA = try await kms.send(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], destinationKeyId: rsa.keyId,
                    destinationEncryptionAlgorithm: .rsaesOaepSha256))
            #expect(toRSA.keyId == rsa.arn)
            #expect(toRSA.destinationEncryptionAlgorithm == .rsaesOaepSha256)
            let rsaBlob = try #require(toRSA.ciphertextBlob).bytes
            #expect(rsaBlob.count == 256)
            let opened = try await kms.send(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(rsaBlob), keyId: rsa.keyId, encryptionAlgorithm: .rsaesOaepSha256))
            #expect(opened.plaintext?.bytes == plaintext)
            // An asymmetric source needs SourceKeyId.
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(rsaBlob), destinationKeyId: destination.keyId,
                    sourceEncryptionAlgorithm: .rsaesOaepSha256),
                "ValidationException")
            let back = try await kms.send(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(rsaBlob), sourceKeyId: rsa.keyId, destinationKeyId: source.keyId,
                    destinationEncryptionContext: ["c": "3"], sourceEncryptionAlgorithm: .rsaesOaepSha256))
            #expect(back.sourceKeyId == rsa.arn)
            #expect(back.sourceEncryptionAlgorithm == .rsaesOaepSha256)
            #expect(try await kms.decrypt(try #require(back.ciphertextBlob).bytes, context: ["c": "3"]) == plaintext)
            // The wrong OAEP hash does not decrypt.
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(rsaBlob), sourceKeyId: rsa.keyId, destinationKeyId: source.keyId,
                    sourceEncryptionAlgorithm: .rsaesOaepSha1),
                "InvalidCiphertextException")
            // An RSA destination without an OAEP algorithm, or with a context.
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], destinationKeyId: rsa.keyId),
                "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], destinationKeyId: rsa.keyId,
                    destinationEncryptionContext: ["x": "y"], destinationEncryptionAlgorithm: .rsaesOaepSha1),
                "ValidationException")
            // A plaintext too long for RSA-2048 OAEP.
            let long = try await kms.encrypt(source.keyId, [UInt8](repeating: 5, count: 300))
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(long), destinationKeyId: rsa.keyId,
                    destinationEncryptionAlgorithm: .rsaesOaepSha256),
                "ValidationException")
            // Destination states and unknown keys.
            try await kms.expectFailure(
                KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(blob), destinationKeyId: "alias/none"), "NotFoundException")
            _ = try await kms.send(KMS.DisableKeyRequest(keyId: destination.keyId))
            try await kms.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["a": "1"], destinationKeyId: destination.keyId),
                "DisabledException")
            try await kms.expectFailure(
                KMS.ReEncryptRequest(ciphertextBlob: Base64Blob([1, 2, 3]), destinationKeyId: source.keyId),
                "InvalidCiphertextException")
        }
    }

    @Test(arguments: StoreBackend.allCases) func generateDataKey(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/data", targetKeyId: key.keyId))
            for (spec, count) in [(KMS.DataKeySpec.aes256, 32), (.aes128, 16)] {
                let response = try await kms.send(
                    KMS.GenerateDataKeyRequest(keyId: "alias/data", encryptionContext: ["k": "v"], keySpec: spec))
                let dataKey = try #require(response.plaintext).bytes
                #expect(dataKey.count == count)
                #expect(response.keyId == key.arn)
                let blob = try #require(response.ciphertextBlob).bytes
                #expect(try await kms.decrypt(blob, context: ["k": "v"]) == dataKey)
                try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob)), "InvalidCiphertextException")
            }
            for count in [1, 64, 1024] {
                let response = try await kms.send(KMS.GenerateDataKeyRequest(keyId: key.keyId, numberOfBytes: count))
                #expect(response.plaintext?.count == count)
                #expect(try await kms.decrypt(try #require(response.ciphertextBlob).bytes) == response.plaintext?.bytes)
            }
            let without = try await kms.send(KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: key.arn!, keySpec: .aes256))
            #expect(without.keyId == key.arn)
            #expect(try await kms.decrypt(try #require(without.ciphertextBlob).bytes).count == 32)

            // Exactly one of KeySpec and NumberOfBytes; in range; a known spec.
            try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: key.keyId), "ValidationException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyRequest(keyId: key.keyId, numberOfBytes: 32, keySpec: .aes256), "ValidationException")
            for count in [0, -1, 1025] {
                try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: key.keyId, numberOfBytes: count), "ValidationException")
            }
            try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: key.keyId, keySpec: "AES_512"), "ValidationException")
            try await kms.expectFailure(KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: key.keyId), "ValidationException")
            // Only symmetric encryption keys.
            let rsa = try await kms.createKey(.rsa2048)
            try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: rsa.keyId, keySpec: .aes256), "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: rsa.keyId, keySpec: .aes256), "InvalidKeyUsageException")
            try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: "alias/nope", keySpec: .aes256), "NotFoundException")
            _ = try await kms.send(KMS.DisableKeyRequest(keyId: key.keyId))
            try await kms.expectFailure(KMS.GenerateDataKeyRequest(keyId: key.keyId, keySpec: .aes256), "DisabledException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: key.keyId, numberOfBytes: 8), "DisabledException")
        }
    }

    @Test(arguments: ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"])
    func generateDataKeyPair(_ specName: String) async throws {
        try await withKeyHolder { kms, _ in
            let key = try await kms.createKey()
            let spec = KMS.DataKeyPairSpec(rawValue: specName)
            let response = try await kms.send(
                KMS.GenerateDataKeyPairRequest(encryptionContext: ["pair": specName], keyId: key.keyId, keyPairSpec: spec))
            #expect(response.keyId == key.arn)
            #expect(response.keyPairSpec == spec)
            let privateDER = try #require(response.privateKeyPlaintext).bytes
            let publicDER = try #require(response.publicKey).bytes
            let privateKey = try AsymmetricPrivateKey(pkcs8DERRepresentation: privateDER)
            #expect(privateKey.publicKey.derRepresentation == publicDER)
            #expect(privateKey.publicKey.keySpec?.kmsName == specName)
            // The encrypted half decrypts, through Decrypt, to the same PKCS#8 key.
            let sealed = try #require(response.privateKeyCiphertextBlob).bytes
            #expect(try await kms.decrypt(sealed, keyId: key.keyId, context: ["pair": specName]) == privateDER)
            try await kms.expectFailure(KMS.DecryptRequest(ciphertextBlob: Base64Blob(sealed)), "InvalidCiphertextException")

            let without = try await kms.send(
                KMS.GenerateDataKeyPairWithoutPlaintextRequest(keyId: key.keyId, keyPairSpec: spec))
            #expect(without.keyPairSpec == spec)
            let opened = try await kms.decrypt(try #require(without.privateKeyCiphertextBlob).bytes)
            let reopened = try AsymmetricPrivateKey(pkcs8DERRepresentation: opened)
            #expect(reopened.publicKey.derRepresentation == without.publicKey?.bytes)
            #expect(opened != privateDER)
        }
    }

    @Test(arguments: StoreBackend.allCases) func generateDataKeyPairErrors(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            let rsa = try await kms.createKey(.rsa2048)
            try await kms.expectFailure(KMS.GenerateDataKeyPairRequest(keyId: key.keyId, keyPairSpec: "RSA_1024"), "ValidationException")
            try await kms.expectFailure(KMS.GenerateDataKeyPairRequest(keyId: key.keyId, keyPairSpec: .sm2), "UnsupportedOperationException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyPairWithoutPlaintextRequest(keyId: key.keyId, keyPairSpec: .mlKem768),
                "UnsupportedOperationException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyPairRequest(keyId: rsa.keyId, keyPairSpec: .eccNistP256), "InvalidKeyUsageException")
            try await kms.expectFailure(
                KMS.GenerateDataKeyPairRequest(keyId: UUID().uuidString, keyPairSpec: .eccNistP256), "NotFoundException")
            let missing = try await kms.raw(
                target: KMSOperation.generateDataKeyPair.target, body: Data(#"{"KeyId":"\#(key.keyId)"}"#.utf8))
            #expect(KMSTestClient.error(of: missing).type == "ValidationException")
            _ = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: key.keyId))
            try await kms.expectFailure(
                KMS.GenerateDataKeyPairRequest(keyId: key.keyId, keyPairSpec: .eccNistP256), "KMSInvalidStateException")
        }
    }
}
