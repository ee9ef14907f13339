import Foundation
import HTTPTypes
import HummingbirdTesting
import SigilKMS
import SigilTestSupport
import Testing

/// Every operation, not a sample: bodies that are not a JSON object, members of the wrong
/// JSON type, keys that do not exist. Each gets a KMS error with a 4xx status, and afterwards
/// every key still works and nothing changed.
@Suite struct MalformedRequestTests {
    static let notAnObject = ["not json at all", "[]", #""KeyId""#, #"{"KeyId":"#, "null", "42"]

    @Test(arguments: StoreBackend.allCases)
    func everyOperationRefusesBodiesThatAreNotAJSONObject(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            var refusals: [String: Int] = [:]
            for operation in KMSOperation.allCases {
                for body in Self.notAnObject {
                    let response = try await kms.raw(target: operation.target, body: Data(body.utf8))
                    let error = KMSTestClient.error(of: response)
                    #expect(response.status.code == 400, "\(operation) with \(body): \(response.status.code)")
                    #expect(error.type == "SerializationException" || error.type == "ValidationException",
                            "\(operation) with \(body): \(error.type)")
                    refusals[error.type, default: 0] += 1
                }
            }
            print("malformed bodies: \(KMSOperation.allCases.count) operations × \(Self.notAnObject.count) bodies refused: \(refusals)")
            #expect(try await kms.decrypt(try await kms.encrypt(key.keyId, [7], context: nil)) == [7])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func everyOperationTakingAKeyRefusesAWrongTypeAndAnUnknownKey(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, _ in
            let key = try await kms.createKey()
            let blob = try await kms.encrypt(key.keyId, [9], context: nil)
            let unknown = UUID().uuidString.lowercased()
            var checked = 0
            for operation in KMSOperation.allCases {
                // A number where the key id belongs: a serialization or validation error
                // for operations with a KeyId member (others ignore unknown members).
                let wrongType = try await kms.raw(target: operation.target, body: Data(#"{"KeyId":5}"#.utf8))
                if wrongType.status.code != 200 {
                    #expect((400..<500).contains(Int(wrongType.status.code)), "\(operation): \(wrongType.status.code)")
                    #expect(!KMSTestClient.error(of: wrongType).type.hasPrefix("HTTP"), "\(operation)")
                }
                // A key that does not exist, with every other member plausible.
                let body = #"{"KeyId":"\#(unknown)","Plaintext":"AQ==","Message":"AQ==","Signature":"AQ==","#
                    + #""SigningAlgorithm":"ECDSA_SHA_256","KeySpec":"AES_256","KeyPairSpec":"RSA_2048","#
                    + #""Description":"x","TagKeys":["t"],"Tags":[{"TagKey":"t","TagValue":"v"}],"#
                    + #""AliasName":"alias/new","TargetKeyId":"\#(unknown)","DestinationKeyId":"\#(unknown)","#
                    + #""CiphertextBlob":"\#(Data(blob).base64EncodedString())","PendingWindowInDays":7}"#
                let response = try await kms.raw(target: operation.target, body: Data(body.utf8))
                if [.createKey, .listKeys, .listAliases, .generateRandom].contains(operation) { continue }
                #expect(response.status.code != 200, "\(operation) succeeded with an unknown key")
                #expect((400..<500).contains(Int(response.status.code)), "\(operation): \(response.status.code)")
                checked += 1
            }
            print("unknown keys: \(checked) operations refused a key that does not exist")
            #expect(try await kms.decrypt(blob, keyId: key.keyId) == [9])
            #expect(try await kms.send(KMS.DescribeKeyRequest(keyId: key.keyId)).keyMetadata?.keyState == .enabled)
        }
    }
}
