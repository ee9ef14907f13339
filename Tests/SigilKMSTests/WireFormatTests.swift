import Foundation
import SigilKMS
import Testing

@Suite struct WireFormatTests {
    func decodeError(_ type: (some Decodable).Type, _ json: String) -> KMSError? {
        do {
            _ = try KMSJSON.decode(type, from: Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    // MARK: Blobs

    @Test func base64BlobRoundTripsEveryLengthModuloThree() throws {
        for count in 0..<7 {
            let blob = Base64Blob((0..<count).map { UInt8($0 * 40) })
            let json = try KMSJSON.encode(["Plaintext": blob])
            #expect(String(decoding: json, as: UTF8.self) == #"{"Plaintext":"\#(Data(blob.bytes).base64EncodedString())"}"#)
            #expect(try KMSJSON.decode([String: Base64Blob].self, from: json)["Plaintext"] == blob)
        }
        #expect(Base64Blob(base64Encoded: "AP8=")?.bytes == [0, 255])
        #expect(Base64Blob(base64Encoded: "+/+/")?.bytes == [0xFB, 0xFF, 0xBF])
    }

    @Test(arguments: ["AP8", "AP8==", "A===", "AP=8", "=AP8", "AP8=AP8=", "AP 8", "AP8=\n", "-_8=", "AP8é"])
    func base64BlobRejectsInvalidBase64(_ text: String) {
        #expect(Base64Blob(base64Encoded: text) == nil)
        let json = String(decoding: try! JSONEncoder().encode(["KeyId": "k", "Plaintext": text]), as: UTF8.self)
        let error = decodeError(KMS.EncryptRequest.self, json)
        #expect(error?.type == "SerializationException")
        #expect(error?.message.contains("'Plaintext'") == true)
        #expect(error?.message.contains("not valid base64") == true)
    }

    @Test func base64BlobNeverPrintsItsBytes() {
        let secret = Base64Blob(Array("hunter2".utf8))
        #expect(secret.description == "Base64Blob(7 bytes)")
        let response = KMS.DecryptResponse(keyId: "k", plaintext: secret)
        #expect(!String(describing: response).contains("hunter2"))
        #expect(!String(describing: response).contains(secret.base64EncodedString))
    }

    // MARK: Timestamps

    @Test func timestampsAreEpochSecondsBothWays() throws {
        let json = #"{"KeyMetadata":{"KeyId":"k","CreationDate":1.7e9,"DeletionDate":1700000000.25,"Enabled":true}}"#
        let response = try KMSJSON.decode(KMS.DescribeKeyResponse.self, from: Data(json.utf8))
        #expect(response.keyMetadata?.creationDate == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(response.keyMetadata?.deletionDate == Date(timeIntervalSince1970: 1_700_000_000.25))
        #expect(response.keyMetadata?.validTo == nil)
        let encoded = String(decoding: try KMSJSON.encode(response), as: UTF8.self)
        #expect(encoded == #"{"KeyMetadata":{"CreationDate":1700000000,"DeletionDate":1700000000.25,"Enabled":true,"KeyId":"k"}}"#)
        // Whatever the decoder's date strategy, the wire format is the same.
        let plain = try JSONDecoder().decode(KMS.DescribeKeyResponse.self, from: Data(json.utf8))
        #expect(plain == response)
        #expect(try KMSJSON.decode(KMS.KeyMetadata.self, from: Data(#"{"KeyId":"k","CreationDate":null}"#.utf8)).creationDate == nil)
    }

    @Test func timestampsRejectStrings() {
        let error = decodeError(KMS.KeyMetadata.self, #"{"KeyId":"k","CreationDate":"2024-01-01"}"#)
        #expect(error?.type == "SerializationException")
        #expect(error?.message.contains("'CreationDate'") == true)
    }

    // MARK: Members and errors

    @Test func encodesMemberNamesAsTheModelAndLeavesOutAbsentOnes() throws {
        let request = KMS.CreateKeyRequest(
            description: "d", keyUsage: .signVerify, keySpec: .eccNistP256, tags: [KMS.Tag(tagKey: "a", tagValue: "b")])
        #expect(
            String(decoding: try KMSJSON.encode(request), as: UTF8.self)
                == #"{"Description":"d","KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY","Tags":[{"TagKey":"a","TagValue":"b"}]}"#)
        let metadata = KMS.KeyMetadata(
            awsAccountId: "111122223333", keyId: "k", arn: "arn:aws:kms:us-east-1:111122223333:key/k",
            keyState: .pendingDeletion, signingAlgorithms: [.rsassaPssSha256], pendingDeletionWindowInDays: 7)
        let json = String(decoding: try KMSJSON.encode(metadata), as: UTF8.self)
        #expect(json.contains(#""AWSAccountId":"111122223333""#))
        #expect(json.contains(#""Arn":"arn:aws:kms:us-east-1:111122223333:key/k""#))
        #expect(json.contains(#""KeyState":"PendingDeletion""#))
        #expect(json.contains(#""SigningAlgorithms":["RSASSA_PSS_SHA_256"]"#))
        #expect(json.contains(#""PendingDeletionWindowInDays":7"#))
        #expect(!json.contains("null"))
    }

    @Test func everyOperationHasRequestTypesThatRoundTrip() throws {
        let blob = Base64Blob([1, 2, 3])
        let requests: [any KMSRequest] = [
            KMS.CreateKeyRequest(keySpec: .rsa2048), KMS.DescribeKeyRequest(keyId: "k"), KMS.ListKeysRequest(limit: 2),
            KMS.GetPublicKeyRequest(keyId: "k"),
            KMS.SignRequest(keyId: "k", message: blob, signingAlgorithm: .ecdsaSha256),
            KMS.VerifyRequest(keyId: "k", message: blob, signature: blob, signingAlgorithm: .ecdsaSha256),
            KMS.EncryptRequest(keyId: "k", plaintext: blob), KMS.DecryptRequest(ciphertextBlob: blob),
            KMS.ReEncryptRequest(ciphertextBlob: blob, destinationKeyId: "k2"),
            KMS.GenerateDataKeyRequest(keyId: "k", keySpec: .aes256),
            KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: "k", numberOfBytes: 32),
            KMS.GenerateDataKeyPairRequest(keyId: "k", keyPairSpec: .eccNistP256),
            KMS.GenerateDataKeyPairWithoutPlaintextRequest(keyId: "k", keyPairSpec: .rsa2048),
            KMS.GenerateRandomRequest(numberOfBytes: 16), KMS.EnableKeyRequest(keyId: "k"), KMS.DisableKeyRequest(keyId: "k"),
            KMS.ScheduleKeyDeletionRequest(keyId: "k", pendingWindowInDays: 7), KMS.CancelKeyDeletionRequest(keyId: "k"),
            KMS.UpdateKeyDescriptionRequest(keyId: "k", description: "d"),
            KMS.CreateAliasRequest(aliasName: "alias/a", targetKeyId: "k"),
            KMS.UpdateAliasRequest(aliasName: "alias/a", targetKeyId: "k"), KMS.DeleteAliasRequest(aliasName: "alias/a"),
            KMS.ListAliasesRequest(), KMS.TagResourceRequest(keyId: "k", tags: [.init(tagKey: "a", tagValue: "b")]),
            KMS.UntagResourceRequest(keyId: "k", tagKeys: ["a"]), KMS.ListResourceTagsRequest(keyId: "k"),
            KMS.EnableKeyRotationRequest(keyId: "k", rotationPeriodInDays: 90), KMS.DisableKeyRotationRequest(keyId: "k"),
            KMS.GetKeyRotationStatusRequest(keyId: "k"), KMS.RotateKeyOnDemandRequest(keyId: "k"),
            KMS.ListKeyRotationsRequest(keyId: "k"),
            KMS.PutKeyPolicyRequest(keyId: "k", policy: "{}", bypassPolicyLockoutSafetyCheck: true),
            KMS.GetKeyPolicyRequest(keyId: "k", policyName: "default"), KMS.ListKeyPoliciesRequest(keyId: "k", limit: 5),
            KMS.GetParametersForImportRequest(keyId: "k", wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096"),
            KMS.ImportKeyMaterialRequest(
                keyId: "k", importToken: blob, encryptedKeyMaterial: blob, expirationModel: .keyMaterialDoesNotExpire),
        ]
        #expect(Set(requests.map { type(of: $0).operation }) == Set(KMSOperation.allCases))
        for request in requests {
            try roundTrip(request)
        }
    }

    private func roundTrip<Request: KMSRequest>(_ request: Request) throws {
        let data = try KMSJSON.encode(request)
        let again = try KMSJSON.decode(Request.self, from: data)
        #expect(try KMSJSON.encode(again) == data, "\(Request.operation)")
    }

    @Test func emptyBodiesDecodeAsEmptyObjects() throws {
        _ = try KMSJSON.decode(KMS.Empty.self, from: Data())
        _ = try KMSJSON.decode(KMS.ListAliasesRequest.self, from: Data(" \n".utf8))
        #expect(decodeError(KMS.DescribeKeyRequest.self, "")?.type == "ValidationException")
    }

    @Test func missingOrNullRequiredMembersAreValidationErrors() {
        let missing = decodeError(KMS.SignRequest.self, #"{"KeyId":"k","Message":"AA=="}"#)
        #expect(missing?.type == "ValidationException")
        #expect(
            missing?.message
                == "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null")
        #expect(decodeError(KMS.DescribeKeyRequest.self, #"{"KeyId":null}"#)?.message.contains("'keyId'") == true)
        let nested = decodeError(KMS.TagResourceRequest.self, #"{"KeyId":"k","Tags":[{"TagKey":"a"}]}"#)
        #expect(nested?.type == "ValidationException")
        #expect(nested?.message.contains("'tags[0].tagValue'") == true)
    }

    @Test(arguments: [
        (#"{"KeyId":5}"#, "'KeyId': expected a string"),
        (#"{"KeyId":"k","GrantTokens":"t"}"#, "'GrantTokens': expected a list"),
        (#"{"KeyId":"k","GrantTokens":[1]}"#, "'GrantTokens[0]': expected a string"),
        (#"{"KeyId":["k"]}"#, "'KeyId': expected a string"),
        (#"{"KeyId":{"a":1}}"#, "'KeyId': expected a string"),
        (#"{"KeyId":true}"#, "'KeyId': expected a string"),
    ])
    func wrongJSONTypesAreSerializationErrorsNamingTheMember(_ json: String, _ expected: String) {
        let error = decodeError(KMS.DescribeKeyRequest.self, json)
        #expect(error?.type == "SerializationException")
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func wrongTypesInNumbersBooleansAndMapsAreSerializationErrors() {
        #expect(decodeError(KMS.ListKeysRequest.self, #"{"Limit":"10"}"#)?.message.contains("'Limit': expected a number") == true)
        #expect(decodeError(KMS.ListKeysRequest.self, #"{"Limit":1.5}"#)?.type == "SerializationException")
        #expect(decodeError(KMS.CreateKeyRequest.self, #"{"MultiRegion":"yes"}"#)?.message.contains("expected a boolean") == true)
        let context = decodeError(KMS.EncryptRequest.self, #"{"KeyId":"k","Plaintext":"AA==","EncryptionContext":{"a":1}}"#)
        #expect(context?.type == "SerializationException")
        #expect(context?.message.contains("EncryptionContext.a") == true)
    }

    @Test(arguments: ["", "{", "[]", "\"x\"", "null", "12", "{\"KeyId\":\"k\"", "\u{FF}\u{FE}", "<html>"])
    func garbageBodiesAreSerializationErrors(_ body: String) {
        guard !body.isEmpty else { return }
        let error = decodeError(KMS.DescribeKeyRequest.self, body)
        #expect(error?.type == "SerializationException", "\(body): \(String(describing: error))")
    }

    @Test func unknownEnumValuesDecodeAndThenFailValidationLikeKMS() throws {
        let request = try KMSJSON.decode(KMS.CreateKeyRequest.self, from: Data(#"{"KeySpec":"RSA_1024"}"#.utf8))
        #expect(request.keySpec?.isKnown == false)
        do {
            _ = try request.keySpec!.validated(member: "KeySpec")
            Issue.record("RSA_1024 validated")
        } catch {
            #expect(error.type == "ValidationException")
            #expect(error.message.hasPrefix("1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy constraint"))
            #expect(error.message.contains("RSA_2048"))
        }
        #expect(try KMS.SigningAlgorithm.rsassaPssSha512.validated(member: "SigningAlgorithm") == "RSASSA_PSS_SHA_512")
    }

    // MARK: Errors

    @Test(arguments: [
        (KMSError.notFound(), 400), (.disabled(), 400), (.invalidState(), 400), (.alreadyExists(), 400),
        (.invalidCiphertext(), 400), (.incorrectKey(), 400), (.invalidKeyUsage(), 400), (.invalidSignature(), 400),
        (.unsupportedOperation(), 400), (.validation("v"), 400), (.accessDenied("a"), 400), (.throttling(), 400),
        (.unknownOperation(), 400), (.serialization("s"), 400), (.invalidRequestSignature("s"), 400),
        (.incompleteSignature("s"), 400), (.missingAuthenticationToken(), 400), (.unrecognizedClient(), 400),
        (.internalFailure(), 500), (.dependencyTimeout(), 500), (.keyUnavailable(), 500), (.limitExceeded("l"), 400),
        (.invalidAliasName("a"), 400), (.invalidArn("a"), 400), (.invalidMarker(), 400), (.invalidGrantToken("g"), 400),
        (.requestEntityTooLarge(), 413),
    ])
    func errorsCarryTheirStatusAndRoundTripThroughTheBody(_ error: KMSError, _ status: Int) throws {
        #expect(error.httpStatus == status)
        let body = try JSONSerialization.jsonObject(with: error.jsonBody) as? [String: String]
        // The members AWS sends: no `message` at all for the two errors AWS sends without one.
        if ["InvalidCiphertextException", "KMSInvalidSignatureException"].contains(error.type) {
            #expect(error.message.isEmpty)
            #expect(body == ["__type": error.type])
        } else {
            #expect(body == ["__type": error.type, "message": error.message])
        }
        let read = KMSError(httpStatus: status, body: error.jsonBody)
        #expect(read.type == error.type && read.message == error.message && read.httpStatus == status)
    }

    @Test func errorTypesLoseTheirNamespace() {
        let namespaced = KMSError(
            httpStatus: 400, body: Data(#"{"__type":"com.amazonaws.kms#NotFoundException","Message":"gone"}"#.utf8))
        #expect(namespaced.type == "NotFoundException" && namespaced.message == "gone" && namespaced == .notFound())
        let fromHeader = KMSError(httpStatus: 400, body: Data(), errorTypeHeader: "ThrottlingException:http://internal.amazon.com/")
        #expect(fromHeader.type == "ThrottlingException")
        let html = KMSError(httpStatus: 502, body: Data("<html>Bad gateway</html>".utf8))
        #expect(html.type == "HTTP502" && html.httpStatus == 502 && html.message.contains("Bad gateway"))
        #expect(KMSError(type: "com.amazonaws.kms#DisabledException", message: "").httpStatus == 400)
    }
}
