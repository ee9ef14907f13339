// The KMS JSON protocol: SigilKMS's decoding of every operation's request (what the key
// holder reads from anyone) and response (what the CLI reads from a key holder).
//
// Input: one control byte (its low six bits pick the operation, in KMSOperation order;
// its top bit picks the response rather than the request), then the JSON body.
// Invariant: what decodes encodes to bytes that decode and encode to the same bytes.
import Foundation
import SigilKMS

enum FuzzTarget {
    /// Every operation's request type; the response type comes with it.
    static let requestTypes: [any KMSRequest.Type] = [
        KMS.CreateKeyRequest.self,
        KMS.DescribeKeyRequest.self,
        KMS.ListKeysRequest.self,
        KMS.GetPublicKeyRequest.self,
        KMS.SignRequest.self,
        KMS.VerifyRequest.self,
        KMS.EncryptRequest.self,
        KMS.DecryptRequest.self,
        KMS.ReEncryptRequest.self,
        KMS.GenerateDataKeyRequest.self,
        KMS.GenerateDataKeyWithoutPlaintextRequest.self,
        KMS.GenerateDataKeyPairRequest.self,
        KMS.GenerateDataKeyPairWithoutPlaintextRequest.self,
        KMS.GenerateRandomRequest.self,
        KMS.EnableKeyRequest.self,
        KMS.DisableKeyRequest.self,
        KMS.ScheduleKeyDeletionRequest.self,
        KMS.CancelKeyDeletionRequest.self,
        KMS.UpdateKeyDescriptionRequest.self,
        KMS.PutKeyPolicyRequest.self,
        KMS.GetKeyPolicyRequest.self,
        KMS.ListKeyPoliciesRequest.self,
        KMS.CreateAliasRequest.self,
        KMS.UpdateAliasRequest.self,
        KMS.DeleteAliasRequest.self,
        KMS.ListAliasesRequest.self,
        KMS.TagResourceRequest.self,
        KMS.UntagResourceRequest.self,
        KMS.ListResourceTagsRequest.self,
        KMS.EnableKeyRotationRequest.self,
        KMS.DisableKeyRotationRequest.self,
        KMS.GetKeyRotationStatusRequest.self,
        KMS.RotateKeyOnDemandRequest.self,
        KMS.ListKeyRotationsRequest.self,
        KMS.GetParametersForImportRequest.self,
        KMS.ImportKeyMaterialRequest.self,
    ]

    /// The request type of each operation, in KMSOperation order. Building it checks that
    /// no operation was added without a type here.
    static let byOperation: [any KMSRequest.Type] = KMSOperation.allCases.map { operation in
        guard let type = requestTypes.first(where: { $0.operation == operation }) else {
            fatalError("the kms-json target lists no request type for \(operation)")
        }
        return type
    }

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let control = input.byte()
        let type = byOperation[Int(control & 0x3F) % byOperation.count]
        check(type, body: Data(input.rest), response: control & 0x80 != 0)
    }

    static func check<Request: KMSRequest>(_ type: Request.Type, body: Data, response: Bool) {
        if response {
            roundTrip(Request.Response.self, body: body)
        } else {
            roundTrip(Request.self, body: body)
        }
    }

    static func roundTrip<Value: Codable>(_ type: Value.Type, body: Data) {
        let value: Value
        do {
            value = try KMSJSON.decode(type, from: body)
        } catch {
            _ = "\(error)"
            return
        }
        guard let encoded = try? KMSJSON.encode(value) else {
            invariant(false, "\(type) decoded but does not encode")
            return
        }
        let again = try? KMSJSON.decode(type, from: encoded)
        invariant(again != nil, "\(type) does not decode what it encoded: \(String(decoding: encoded, as: UTF8.self))")
        let reencoded = again.flatMap { try? KMSJSON.encode($0) }
        invariant(reencoded == encoded, "\(type) changes on a second round trip: \(String(decoding: encoded, as: UTF8.self))")
    }

    static func seeds() throws -> [(String, [UInt8])] {
        let keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let response: UInt8 = 0x80
        func index(_ operation: KMSOperation) -> UInt8 { UInt8(KMSOperation.allCases.firstIndex(of: operation)!) }
        let bodies: [(String, UInt8, String)] = [
            ("list-keys", index(.listKeys), "{}"),
            ("create-key", index(.createKey), """
                {"Description":"d","KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY","Policy":"{}",
                 "Tags":[{"TagKey":"team","TagValue":"blue"}],"MultiRegion":false,"BypassPolicyLockoutSafetyCheck":true}
                """),
            ("create-key-response", index(.createKey) | response, """
                {"KeyMetadata":{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","Arn":"\(keyARN)",
                 "AWSAccountId":"111122223333","CreationDate":1767225600.25,"Enabled":true,"KeyState":"Enabled",
                 "KeyUsage":"SIGN_VERIFY","KeySpec":"ECC_NIST_P256","CustomerMasterKeySpec":"ECC_NIST_P256",
                 "SigningAlgorithms":["ECDSA_SHA_256"],"KeyManager":"CUSTOMER","Origin":"AWS_KMS","MultiRegion":false,
                 "Description":""}}
                """),
            ("sign", index(.sign), """
                {"KeyId":"alias/release","Message":"3q2+7w==","MessageType":"DIGEST",
                 "SigningAlgorithm":"ECDSA_SHA_256","GrantTokens":["token"]}
                """),
            ("encrypt", index(.encrypt), """
                {"KeyId":"\(keyARN)","Plaintext":"aGVsbG8=","EncryptionContext":{"tenant":"blue","":"x"},
                 "EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}
                """),
            ("decrypt-response", index(.decrypt) | response, """
                {"KeyId":"\(keyARN)","Plaintext":"AAECAwQFBgcICQ==","EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}
                """),
            ("re-encrypt", index(.reEncrypt), """
                {"CiphertextBlob":"AQIDBA==","SourceEncryptionContext":{"a":"b"},"SourceKeyId":"alias/a",
                 "DestinationKeyId":"alias/b","DestinationEncryptionContext":{},
                 "SourceEncryptionAlgorithm":"SYMMETRIC_DEFAULT","DestinationEncryptionAlgorithm":"RSAES_OAEP_SHA_1"}
                """),
            ("generate-data-key-pair-response", index(.generateDataKeyPair) | response, """
                {"KeyId":"\(keyARN)","KeyPairSpec":"ECC_NIST_P384","PublicKey":"MFkw","PrivateKeyCiphertextBlob":"AQ==",
                 "PrivateKeyPlaintext":"MIG2"}
                """),
            ("schedule-key-deletion", index(.scheduleKeyDeletion), #"{"KeyId":"k","PendingWindowInDays":7}"#),
            ("tag-resource", index(.tagResource), #"{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":""}]}"#),
            ("list-aliases-response", index(.listAliases) | response, """
                {"Aliases":[{"AliasName":"alias/a","AliasArn":"arn:aws:kms:us-east-1:111122223333:alias/a",
                 "TargetKeyId":"k","CreationDate":1700000000,"LastUpdatedDate":1.7e9}],"Truncated":true,"NextMarker":"m"}
                """),
            ("list-key-rotations-response", index(.listKeyRotations) | response, """
                {"Rotations":[{"KeyId":"k","RotationDate":1767225600,"RotationType":"ON_DEMAND"}],"Truncated":false}
                """),
        ]
        return bodies.map { name, control, text in (name, [control] + Array(text.utf8)) }
    }
}
