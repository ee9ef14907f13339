import Foundation
import SigilCrypto
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

/// Key policies and identity policies enforced on every request, through the HTTP layer,
/// with principals of two accounts.
@Suite("Authorization: key policies, identity policies, cross-account use")
struct AuthorizationTests {
    static let accountA = "111122223333"
    static let accountB = "444455556666"

    /// The seed's key policy: the account (delegating to IAM), a key user, a key
    /// administrator, account B with a CallerAccount condition, and a Deny on Decrypt
    /// without the right encryption context that overrides every Allow.
    static let keyPolicy = """
        {"Version":"2012-10-17","Statement":[
         {"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountA):root"},"Action":"kms:*","Resource":"*"},
         {"Sid":"KeyUser","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountA):user/alice"},
          "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
         {"Sid":"KeyAdministrator","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountA):user/admin"},
          "Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*",
                    "kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource",
                    "kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
         {"Sid":"OtherAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountB):root"},
          "Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*",
          "Condition":{"StringEquals":{"kms:CallerAccount":"\(accountB)"}}},
         {"Sid":"TenantOnly","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*",
          "Condition":{"StringNotEquals":{"kms:EncryptionContext:tenant":"blue"}}}
        ]}
        """

    /// A client signing as a new principal of the store.
    static func client(
        _ kms: KMSTestClient, _ store: KeyStore, account: String, user: String? = nil, root: Bool = false,
        identityPolicy: String? = nil
    ) throws -> KMSTestClient {
        let (_, id, secret) = try store.addPrincipalWithAccessKey(
            account: account, kind: root ? .root : .user, name: user ?? "root", identityPolicy: identityPolicy)
        let credentials = AWSCredentials(
            accessKeyId: id, secretAccessKey: secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        return KMSTestClient(client: kms.client, signer: SigV4.Signer(credentials: credentials, region: "us-east-1"))
    }

    @Test(
        "a key user, a key administrator, another account and a condition Deny, each held to the key policy",
        arguments: StoreBackend.allCases)
    func seedScenarios(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let store = holder.store
            let alice = try Self.client(root, store, account: Self.accountA, user: "alice")
            let admin = try Self.client(root, store, account: Self.accountA, user: "admin")
            // The policy names account B: the key holder must know it.
            _ = try store.addPrincipal(account: Self.accountB, kind: .root, name: "root")
            let key = try #require(
                try await root.send(KMS.CreateKeyRequest(policy: Self.keyPolicy)).keyMetadata)
            let arn = try #require(key.arn)
            let blue = ["tenant": "blue"]

            // The key user: cryptography yes, administration no.
            let blob = try await alice.encrypt(key.keyId, [1, 2, 3], context: blue)
            #expect(try await alice.decrypt(blob, context: blue) == [1, 2, 3])
            _ = try await alice.send(KMS.GenerateDataKeyRequest(keyId: key.keyId, encryptionContext: blue, keySpec: .aes256))
            _ = try await alice.send(KMS.DescribeKeyRequest(keyId: arn))
            let refused = try await alice.expectFailure(
                KMS.ScheduleKeyDeletionRequest(keyId: key.keyId), "AccessDeniedException")
            #expect(refused?.message.contains("kms:ScheduleKeyDeletion") == true)
            #expect(refused?.message.contains("user/alice") == true)
            try await alice.expectFailure(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: Self.keyPolicy), "AccessDeniedException")
            try await alice.expectFailure(KMS.DisableKeyRequest(keyId: key.keyId), "AccessDeniedException")

            // The administrator: administration yes, cryptography no.
            _ = try await admin.send(KMS.DisableKeyRequest(keyId: key.keyId))
            _ = try await admin.send(KMS.EnableKeyRequest(keyId: key.keyId))
            _ = try await admin.send(KMS.GetKeyPolicyRequest(keyId: key.keyId))
            _ = try await admin.send(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: Self.keyPolicy))
            try await admin.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), encryptionContext: blue), "AccessDeniedException")
            try await admin.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1]), encryptionContext: blue),
                "AccessDeniedException")

            // The Deny on a condition overrides the key user's Allow (and the root's).
            let red = try await alice.encrypt(key.keyId, [4], context: ["tenant": "red"])
            let denied = try await alice.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(red), encryptionContext: ["tenant": "red"]), "AccessDeniedException")
            // A ciphertext's key refused is one answer, whatever the reason (nothing learnt of the key).
            #expect(denied?.message.contains("not allowed to access") == true, "\(denied?.message ?? "")")
            try await root.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(red), encryptionContext: ["tenant": "red"]), "AccessDeniedException")
            #expect(try await root.decrypt(blob, context: blue) == [1, 2, 3])
        }
    }

    @Test(
        "another account: its root by the key policy alone, its users only with their own identity policy too",
        arguments: StoreBackend.allCases)
    func crossAccount(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let store = holder.store
            let rootB = try Self.client(root, store, account: Self.accountB, root: true)
            let key = try #require(try await root.send(KMS.CreateKeyRequest(policy: Self.keyPolicy)).keyMetadata)
            let arn = try #require(key.arn)
            let identity = """
                {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"\(arn)"}}
                """
            let bob = try Self.client(root, store, account: Self.accountB, user: "bob")
            let carol = try Self.client(root, store, account: Self.accountB, user: "carol", identityPolicy: identity)

            // By key ARN only: a key id or alias names a key of the caller's own account.
            _ = try await rootB.send(KMS.DescribeKeyRequest(keyId: arn))
            try await rootB.expectFailure(KMS.DescribeKeyRequest(keyId: key.keyId), "NotFoundException")
            let blob = try await rootB.encrypt(arn, [9], context: ["tenant": "blue"])
            try await bob.expectFailure(
                KMS.EncryptRequest(keyId: arn, plaintext: Base64Blob([9]), encryptionContext: ["tenant": "blue"]),
                "AccessDeniedException")
            #expect(try await carol.decrypt(blob, context: ["tenant": "blue"]) == [9])
            // Carol's identity policy does not reach what A's key policy keeps from B.
            try await carol.expectFailure(KMS.DisableKeyRequest(keyId: arn), "AccessDeniedException")
            // B's own keys are B's: CreateKey as B's root makes a key in account B.
            let own = try #require(try await rootB.send(KMS.CreateKeyRequest()).keyMetadata)
            #expect(own.awsAccountId == Self.accountB)
            try await root.expectFailure(KMS.DescribeKeyRequest(keyId: own.keyId), "NotFoundException")
        }
    }

    @Test(
        "actions on no key need an identity policy; a principal with none may do nothing",
        arguments: StoreBackend.allCases)
    func accountActions(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let store = holder.store
            let nobody = try Self.client(root, store, account: Self.accountA, user: "nobody")
            let creator = try Self.client(
                root, store, account: Self.accountA, user: "creator",
                identityPolicy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateKey","kms:List*","kms:Describe*"],"Resource":"*"}]}"#)
            try await nobody.expectFailure(KMS.CreateKeyRequest(), "AccessDeniedException")
            try await nobody.expectFailure(KMS.ListKeysRequest(), "AccessDeniedException")
            try await nobody.expectFailure(KMS.GenerateRandomRequest(numberOfBytes: 8), "AccessDeniedException")
            // The default policy delegates to IAM: the creator's identity policy decides.
            let key = try #require(try await creator.send(KMS.CreateKeyRequest()).keyMetadata)
            _ = try await creator.send(KMS.DescribeKeyRequest(keyId: key.keyId))
            _ = try await creator.send(KMS.ListKeysRequest())
            try await creator.expectFailure(
                KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
            try await nobody.expectFailure(KMS.DescribeKeyRequest(keyId: key.keyId), "AccessDeniedException")
            _ = try await root.encrypt(key.keyId, [1])
        }
    }

    @Test(
        "Put/Get/ListKeyPolicies: malformed policies, unknown accounts and lockouts refused, nothing changed",
        arguments: StoreBackend.allCases)
    func keyPolicyOperations(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, _ in
            let key = try #require(try await root.send(KMS.CreateKeyRequest()).keyMetadata)
            let original = try #require(try await root.send(KMS.GetKeyPolicyRequest(keyId: key.keyId, policyName: "default")).policy)
            #expect(original.contains(":root"))
            #expect(try await root.send(KMS.ListKeyPoliciesRequest(keyId: key.keyId)).policyNames == ["default"])
            try await root.expectFailure(KMS.GetKeyPolicyRequest(keyId: key.keyId, policyName: "other"), "NotFoundException")

            let bad: [(String, String)] = [
                ("not json", "JSON"),
                (#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}]}"#, "Maybe"),
                (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringSoundsLike":{"kms:CallerAccount":"1"}}}]}"#, "StringSoundsLike"),
                (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"kms:*","Resource":"*"}]}"#, "999988887777"),
                ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + String(repeating: "x", count: 33_000) + "\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "32"),
            ]
            for (policy, named) in bad {
                let error = try await root.expectFailure(
                    KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: policy), "MalformedPolicyDocumentException")
                #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
            }
            // A policy that would lock the caller out, refused unless bypassed.
            let lockout = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/someone"},"Action":"kms:*","Resource":"*"}]}"#
            try await root.expectFailure(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: lockout), "MalformedPolicyDocumentException")
            #expect(try await root.send(KMS.GetKeyPolicyRequest(keyId: key.keyId)).policy == original)
            try await root.expectFailure(KMS.CreateKeyRequest(policy: lockout), "MalformedPolicyDocumentException")
            _ = try await root.send(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: lockout, bypassPolicyLockoutSafetyCheck: true))
            // Now locked out, as asked: even the root may not use or change the key.
            try await root.expectFailure(KMS.GetKeyPolicyRequest(keyId: key.keyId), "AccessDeniedException")
            try await root.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
        }
    }
}
