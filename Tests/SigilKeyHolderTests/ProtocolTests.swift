import Foundation
import HTTPTypes
import HummingbirdTesting
import SigilKMS
import SigilKeyHolder
import SigilTestSupport
import Testing

@Suite("The KMS JSON protocol: authentication, framing, bad input")
struct ProtocolTests {
    @Test(arguments: StoreBackend.allCases) func unauthenticatedRequestsAreRefused(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let body = Data("{}".utf8)
            let target = KMSOperation.listKeys.target
            let unsigned = try await kms.raw(target: target, body: body, signing: .unsigned)
            #expect(unsigned.status.code == 400)
            #expect(KMSTestClient.error(of: unsigned).type == "MissingAuthenticationTokenException")
            let tampered = try await kms.raw(target: target, body: body, signing: .wrongSignature)
            #expect(tampered.status.code == 400)
            #expect(KMSTestClient.error(of: tampered).type == "InvalidSignatureException")
            let impostor = try await kms.raw(target: target, body: body, signing: .wrongSecret)
            #expect(KMSTestClient.error(of: impostor).type == "InvalidSignatureException")
            // An unknown access key.
            let stranger = SigV4.Signer(
                credentials: AWSCredentials(accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secretAccessKey: String(repeating: "s", count: 40)),
                region: "us-east-1")
            let strangerClient = KMSTestClient(client: kms.client, signer: stranger)
            try await strangerClient.expectFailure(KMS.ListKeysRequest(), "UnrecognizedClientException")
            // Another region's scope.
            let elsewhere = KMSTestClient(client: kms.client, signer: SigV4.Signer(credentials: kms.signer.credentials, region: "eu-west-1"))
            try await elsewhere.expectFailure(KMS.ListKeysRequest(), "InvalidSignatureException")
            // Nothing was done on behalf of the refused requests.
            let blob = try await kms.encrypt(try await kms.createKey().keyId, [1])
            let refusedDecrypt = try await kms.raw(
                target: KMSOperation.decrypt.target,
                body: try KMSJSON.encode(KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob))), signing: .unsigned)
            #expect(KMSTestClient.error(of: refusedDecrypt).type == "MissingAuthenticationTokenException")
            #expect(!String(decoding: Data(buffer: refusedDecrypt.body), as: UTF8.self).contains("Plaintext"))
        }
    }

    @Test(arguments: StoreBackend.allCases) func framingErrors(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let unknown = try await kms.raw(target: "TrentService.MakeCoffee", body: Data("{}".utf8))
            #expect(unknown.status.code == 400)
            #expect(KMSTestClient.error(of: unknown).type == "UnknownOperationException")
            let otherService = try await kms.raw(target: "DynamoDB_20120810.ListTables", body: Data("{}".utf8))
            #expect(KMSTestClient.error(of: otherService).type == "UnknownOperationException")
            let noTarget = try await kms.raw(target: nil, body: Data("{}".utf8))
            #expect(KMSTestClient.error(of: noTarget).type == "UnknownOperationException")

            let huge = Data(repeating: UInt8(ascii: "a"), count: 2 << 20)
            let tooLarge = try await kms.raw(target: KMSOperation.encrypt.target, body: huge)
            #expect(tooLarge.status.code == 413)

            for garbage in ["{", "not json", "[1,2]", "null", "\"text\"", "{\"KeyId\": 5}", "\u{0}\u{1}\u{2}"] {
                let response = try await kms.raw(target: KMSOperation.encrypt.target, body: Data(garbage.utf8))
                #expect(response.status.code == 400, "\(garbage)")
                #expect(KMSTestClient.error(of: response).type == "SerializationException", "\(garbage)")
            }
            let badBase64 = try await kms.raw(
                target: KMSOperation.encrypt.target, body: Data(#"{"KeyId":"alias/x","Plaintext":"not base64!"}"#.utf8))
            #expect(KMSTestClient.error(of: badBase64).type == "SerializationException")
            let missing = try await kms.raw(target: KMSOperation.encrypt.target, body: Data(#"{"Plaintext":"AQ=="}"#.utf8))
            #expect(KMSTestClient.error(of: missing).type == "ValidationException")
        }
    }

    /// Sends a corpus of bad requests at every operation this suite covers, then checks
    /// that every key still works exactly as before.
    @Test(arguments: StoreBackend.allCases) func badRequestCorpusChangesNothing(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let symmetric = try await kms.createKey()
            let rsa = try await kms.createKey(.rsa2048)
            let ecc = try await kms.createKey(.eccNistP256, usage: .signVerify)
            _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/keep", targetKeyId: symmetric.keyId))
            _ = try await kms.send(KMS.TagResourceRequest(keyId: symmetric.keyId, tags: [.init(tagKey: "t", tagValue: "v")]))
            let blob = try await kms.encrypt("alias/keep", [1, 2, 3], context: ["c": "1"])
            let id = symmetric.keyId

            let bodies: [(KMSOperation, String)] = [
                (.encrypt, #"{"KeyId":"\#(id)","Plaintext":""}"#),
                (.encrypt, #"{"KeyId":"\#(id)","Plaintext":"AQ==","EncryptionContext":{"a":1}}"#),
                (.encrypt, #"{"KeyId":"\#(id)","Plaintext":"AQ==","EncryptionAlgorithm":"RSAES_OAEP_SHA_1"}"#),
                (.encrypt, #"{"KeyId":"\#(rsa.keyId)","Plaintext":"AQ=="}"#),
                (.decrypt, #"{"CiphertextBlob":"AAAA"}"#),
                (.decrypt, #"{"CiphertextBlob":"\#(Data(blob).base64EncodedString())"}"#),
                (.decrypt, #"{"CiphertextBlob":"\#(Data(blob).base64EncodedString())","EncryptionContext":{"c":"1"},"KeyId":"\#(rsa.keyId)"}"#),
                (.decrypt, #"{"CiphertextBlob":12}"#),
                (.reEncrypt, #"{"CiphertextBlob":"AAAA","DestinationKeyId":"\#(id)"}"#),
                (.reEncrypt, #"{"CiphertextBlob":"\#(Data(blob).base64EncodedString())"}"#),
                (.generateDataKey, #"{"KeyId":"\#(id)","NumberOfBytes":4096}"#),
                (.generateDataKey, #"{"KeyId":"\#(id)","KeySpec":"AES_256","NumberOfBytes":32}"#),
                (.generateDataKey, #"{"KeyId":"\#(ecc.keyId)","KeySpec":"AES_256"}"#),
                (.generateDataKeyWithoutPlaintext, #"{"KeyId":[],"KeySpec":"AES_256"}"#),
                (.generateDataKeyPair, #"{"KeyId":"\#(id)","KeyPairSpec":"RSA_512"}"#),
                (.generateDataKeyPairWithoutPlaintext, #"{"KeyId":"\#(id)"}"#),
                (.enableKeyRotation, #"{"KeyId":"\#(id)","RotationPeriodInDays":3000}"#),
                (.enableKeyRotation, #"{"KeyId":"\#(ecc.keyId)"}"#),
                (.disableKeyRotation, #"{}"#),
                (.rotateKeyOnDemand, #"{"KeyId":"\#(rsa.keyId)"}"#),
                (.listKeyRotations, #"{"KeyId":"\#(id)","Limit":"ten"}"#),
                (.createAlias, #"{"AliasName":"alias/aws/x","TargetKeyId":"\#(id)"}"#),
                (.createAlias, #"{"AliasName":"alias/keep","TargetKeyId":"\#(rsa.keyId)"}"#),
                (.updateAlias, #"{"AliasName":"alias/keep","TargetKeyId":"\#(rsa.keyId)"}"#),
                (.updateAlias, #"{"AliasName":"alias/keep","TargetKeyId":"\#(UUID().uuidString)"}"#),
                (.deleteAlias, #"{"AliasName":"alias/"}"#),
                (.listAliases, #"{"Limit":0}"#),
                (.tagResource, #"{"KeyId":"\#(id)","Tags":[{"TagKey":"aws:no","TagValue":"x"}]}"#),
                (.tagResource, #"{"KeyId":"\#(id)","Tags":[{"TagKey":"t","TagValue":"changed"},{"TagKey":"aws:no","TagValue":"x"}]}"#),
                (.tagResource, #"{"KeyId":"\#(id)","Tags":[{"TagKey":"t"}]}"#),
                (.untagResource, #"{"KeyId":"\#(id)","TagKeys":"t"}"#),
                (.listResourceTags, #"{"KeyId":"alias/keep"}"#),
                (.sign, #"{"KeyId":"\#(ecc.keyId)","Message":"AQ==","SigningAlgorithm":"RSASSA_PSS_SHA_256"}"#),
                (.sign, #"{"KeyId":"\#(ecc.keyId)","Message":"AQ==","MessageType":"DIGEST","SigningAlgorithm":"ECDSA_SHA_256"}"#),
                (.verify, #"{"KeyId":"\#(ecc.keyId)","Message":"AQ==","Signature":"AQ==","SigningAlgorithm":"ECDSA_SHA_256"}"#),
                (.decrypt, #"{"CiphertextBlob":"AQ==","KeyId":"\#(rsa.keyId)","EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}"#),
            ]
            for (operation, body) in bodies {
                let response = try await kms.raw(target: operation.target, body: Data(body.utf8))
                #expect(response.status.code != 200, "\(operation) \(body)")
                #expect(response.status.code < 500, "\(operation) \(body)")
                let error = KMSTestClient.error(of: response)
                #expect(!error.type.isEmpty && !error.type.hasPrefix("HTTP"), "\(operation) \(body)")
            }
            // Each also unsigned, and with a wrong signature.
            for (operation, body) in bodies.prefix(8) {
                for signing in [KMSTestClient.Signing.unsigned, .wrongSignature] {
                    let response = try await kms.raw(target: operation.target, body: Data(body.utf8), signing: signing)
                    #expect(response.status.code == 400)
                }
            }

            // Everything still works, and nothing changed.
            #expect(try await kms.decrypt(blob, keyId: "alias/keep", context: ["c": "1"]) == [1, 2, 3])
            #expect(try await kms.send(KMS.ListResourceTagsRequest(keyId: id)).tags == [.init(tagKey: "t", tagValue: "v")])
            #expect(try await kms.send(KMS.ListAliasesRequest()).aliases?.map(\.targetKeyId) == [id])
            #expect(try await kms.send(KMS.GetKeyRotationStatusRequest(keyId: id)).keyRotationEnabled == false)
            #expect(try await kms.send(KMS.ListKeyRotationsRequest(keyId: id)).rotations == [])
            for key in [symmetric, rsa, ecc] {
                #expect(try await kms.send(KMS.DescribeKeyRequest(keyId: key.keyId)).keyMetadata?.keyState == .enabled)
            }
            let sealed = try await kms.send(
                KMS.EncryptRequest(keyId: rsa.keyId, plaintext: Base64Blob([4]), encryptionAlgorithm: .rsaesOaepSha256))
            let opened = try await kms.send(
                KMS.DecryptRequest(
                    ciphertextBlob: sealed.ciphertextBlob, keyId: rsa.keyId, encryptionAlgorithm: .rsaesOaepSha256))
            #expect(opened.plaintext?.bytes == [4])
            let signature = try await kms.send(
                KMS.SignRequest(keyId: ecc.keyId, message: Base64Blob([1]), signingAlgorithm: .ecdsaSha256))
            let verified = try await kms.send(
                KMS.VerifyRequest(
                    keyId: ecc.keyId, message: Base64Blob([1]), signature: try #require(signature.signature),
                    signingAlgorithm: .ecdsaSha256))
            #expect(verified.signatureValid == true)
            let dataKey = try await kms.send(KMS.GenerateDataKeyRequest(keyId: "alias/keep", keySpec: .aes128))
            #expect(try await kms.decrypt(try #require(dataKey.ciphertextBlob).bytes) == dataKey.plaintext?.bytes)
        }
    }
}
