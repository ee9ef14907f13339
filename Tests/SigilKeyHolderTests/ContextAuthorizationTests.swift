import Foundation
import SigilKMS
import SigilKeyHolder
import SigilTestSupport
import Testing

/// Conditions on the encryption context hold for the context they are about: each side
/// of a ReEncrypt with its own, and a context whose keys differ only in case refused.
@Suite("Encryption-context conditions: ReEncrypt's two sides, keys that differ only in case")
struct ContextAuthorizationTests {
    static let root = #""Principal":{"AWS":"arn:aws:iam::111122223333:root"}"#

    /// The root may do everything, except an `action` whose `kms:EncryptionContext:tenant` is not `tenant`.
    static func onlyTenant(_ tenant: String, for action: String) -> String {
        """
        {"Version":"2012-10-17","Statement":[
         {"Effect":"Allow",\(root),"Action":"kms:*","Resource":"*"},
         {"Effect":"Deny","Principal":"*","Action":"\(action)","Resource":"*",
          "Condition":{"StringNotEquals":{"kms:EncryptionContext:tenant":"\(tenant)"}}}]}
        """
    }

    @Test(
        "kms:ReEncryptTo is decided with the destination's context, kms:ReEncryptFrom with the source's",
        arguments: StoreBackend.allCases)
    func eachSideItsOwnContext(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { client, _ in
            let source = try await client.createKey()
            let destination = try await client.createKey()
            // The destination takes only tenant=blue; the source gives only tenant=red.
            _ = try await client.send(
                KMS.PutKeyPolicyRequest(keyId: destination.keyId, policy: Self.onlyTenant("blue", for: "kms:ReEncryptTo")))
            _ = try await client.send(
                KMS.PutKeyPolicyRequest(keyId: source.keyId, policy: Self.onlyTenant("red", for: "kms:ReEncryptFrom")))
            let red = try await client.encrypt(source.keyId, [1, 2, 3], context: ["tenant": "red"])

            // red → blue: each side's condition holds for its own context.
            let moved = try await client.send(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(red), sourceEncryptionContext: ["tenant": "red"],
                    destinationKeyId: destination.keyId, destinationEncryptionContext: ["tenant": "blue"]))
            let blob = try #require(moved.ciphertextBlob).bytes
            #expect(try await client.decrypt(blob, context: ["tenant": "blue"]) == [1, 2, 3])

            // red → red: the destination refuses the context it would be given.
            let toRed = try await client.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(red), sourceEncryptionContext: ["tenant": "red"],
                    destinationKeyId: destination.keyId, destinationEncryptionContext: ["tenant": "red"]),
                "AccessDeniedException")
            #expect(toRed?.message.contains("kms:ReEncryptTo") == true, "\(toRed?.message ?? "")")

            // blue → blue: the source refuses, whatever the destination would take.
            let blue = try await client.encrypt(source.keyId, [4], context: ["tenant": "blue"])
            let fromBlue = try await client.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blue), sourceEncryptionContext: ["tenant": "blue"],
                    destinationKeyId: destination.keyId, destinationEncryptionContext: ["tenant": "blue"]),
                "AccessDeniedException")
            #expect(fromBlue?.message.contains("ciphertext") == true, "\(fromBlue?.message ?? "")")
        }
    }

    @Test(
        "kms:ReEncryptOnSameKey is true exactly when the source key is the destination key",
        arguments: StoreBackend.allCases)
    func reEncryptOnSameKey(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { client, _ in
            let policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow",\(Self.root),"Action":"kms:*","Resource":"*"},
                 {"Effect":"Deny","Principal":"*","Action":"kms:ReEncrypt*","Resource":"*",
                  "Condition":{"Bool":{"kms:ReEncryptOnSameKey":"true"}}}]}
                """
            let first = try #require(try await client.send(KMS.CreateKeyRequest(policy: policy)).keyMetadata)
            let second = try #require(try await client.send(KMS.CreateKeyRequest(policy: policy)).keyMetadata)
            let blob = try await client.encrypt(first.keyId, [7])
            try await client.expectFailure(
                KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(blob), destinationKeyId: first.keyId), "AccessDeniedException")
            _ = try await client.send(KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(blob), destinationKeyId: second.keyId))
        }
    }

    @Test(
        "a context whose keys differ only in case is refused, so no value slips past a condition",
        arguments: StoreBackend.allCases)
    func caseVariantKeysRefused(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { client, _ in
            let key = try await client.createKey()
            let allowBlue = """
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow",\(Self.root),"NotAction":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey","kms:ReEncrypt*"],"Resource":"*"},
                 {"Effect":"Allow",\(Self.root),"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey","kms:ReEncrypt*"],"Resource":"*",
                  "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"blue"}}}]}
                """
            _ = try await client.send(
                KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: allowBlue, bypassPolicyLockoutSafetyCheck: true))
            let smuggling = ["tenant": "blue", "Tenant": "red"]
            let blob = try await client.encrypt(key.keyId, [1], context: ["tenant": "blue"])

            let encrypt = try await client.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionContext: smuggling), "ValidationException")
            #expect(encrypt?.message.contains("differ only in case") == true, "\(encrypt?.message ?? "")")
            try await client.expectFailure(
                KMS.GenerateDataKeyRequest(keyId: key.keyId, encryptionContext: smuggling, keySpec: .aes256), "ValidationException")
            try await client.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), encryptionContext: smuggling), "ValidationException")
            try await client.expectFailure(
                KMS.ReEncryptRequest(
                    ciphertextBlob: Base64Blob(blob), sourceEncryptionContext: ["tenant": "blue"], destinationKeyId: key.keyId,
                    destinationEncryptionContext: smuggling),
                "ValidationException")
            // The condition itself still works for honest contexts.
            try await client.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionContext: ["tenant": "red"]),
                "AccessDeniedException")
            #expect(try await client.decrypt(blob, context: ["tenant": "blue"]) == [1])
        }
    }
}
