import Foundation
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

/// Every operation as every principal of a fixture, through the HTTP layer, against an
/// expected table written out by hand: no unexpected allow, no unexpected deny.
@Suite("Authorization matrix: every operation × every principal")
struct AuthorizationMatrixTests {
    static let accountA = AuthorizationTests.accountA
    static let accountB = AuthorizationTests.accountB

    /// The fixture's key policy: the account (delegating to IAM), a key user, a key
    /// administrator, and account B's root for Encrypt/Decrypt/DescribeKey.
    static let keyPolicy = """
        {"Version":"2012-10-17","Statement":[
         {"Sid":"Account","Effect":"Allow","Principal":{"AWS":"\(accountA)"},"Action":"kms:*","Resource":"*"},
         {"Sid":"KeyUser","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountA):user/alice"},
          "Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey","kms:Sign",
                    "kms:Verify","kms:GetPublicKey"],"Resource":"*"},
         {"Sid":"KeyAdministrator","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountA):user/admin"},
          "Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*",
                    "kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource",
                    "kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
         {"Sid":"OtherAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(accountB):root"},
          "Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*",
          "Condition":{"StringEquals":{"kms:CallerAccount":"\(accountB)"}}}
        ]}
        """

    /// What a cell's request met: allowed (it succeeded, or failed for a reason found
    /// only after authorization), denied, or an alias not found in the caller's account.
    enum Outcome: String, CustomStringConvertible {
        case allowed = "A", denied = "D", notFound = "N"
        var description: String { rawValue }
    }

    /// Each principal's row, in ``operations`` order: A allowed, D denied, N not found.
    static let expected: [(principal: String, row: String)] = [
        // Columns, in `operations` order: CreateKey DescribeKey ListKeys GetPublicKey Sign Verify
        // Encrypt Decrypt ReEncrypt GenerateDataKey(WithoutPlaintext) GenerateDataKeyPair(WithoutPlaintext)
        // GenerateRandom EnableKey DisableKey ScheduleKeyDeletion CancelKeyDeletion UpdateKeyDescription
        // CreateAlias UpdateAlias DeleteAlias ListAliases TagResource UntagResource ListResourceTags
        // EnableKeyRotation DisableKeyRotation GetKeyRotationStatus RotateKeyOnDemand ListKeyRotations
        // PutKeyPolicy GetKeyPolicy ListKeyPolicies GetParametersForImport ImportKeyMaterial (both refused
        // after authorization for a key of AWS_KMS origin: "allowed" here).
        ("root of A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("alice (key user)", "DADAAAAAAAAAADDDDDDDDDDDDDDDDDDDDDDD"),
        ("admin (key administrator)", "DADADDDDDDDDDDAAAAAAAADAAAAAADAAAAAD"),
        ("nobody (no policy)", "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD"),
        ("auditor (identity Describe*, List*, Get*)", "DAAADDDDDDDDDDDDDDDDDDADDADDADADAAAD"),
        ("root of B", "AAADDDAADDDDDADDDDDDNNADDDDDDDDDDDDD"),
        ("carol of B (identity Encrypt, Decrypt, DescribeKey)", "DADDDDAADDDDDDDDDDDDNNDDDDDDDDDDDDDD"),
        ("dave of B (no policy)", "DDDDDDDDDDDDDDDDDDDDNNDDDDDDDDDDDDDD"),
    ]

    /// The fixture's keys for one cell: made fresh, so no cell sees another's changes.
    struct Keys {
        let symmetric: String
        let signing: String
        let alias: String
        let ciphertext: [UInt8]
    }

    static let operations: [KMSOperation] = [
        .createKey, .describeKey, .listKeys, .getPublicKey, .sign, .verify, .encrypt, .decrypt, .reEncrypt,
        .generateDataKey, .generateDataKeyWithoutPlaintext, .generateDataKeyPair, .generateDataKeyPairWithoutPlaintext,
        .generateRandom, .enableKey, .disableKey, .scheduleKeyDeletion, .cancelKeyDeletion, .updateKeyDescription,
        .createAlias, .updateAlias, .deleteAlias, .listAliases, .tagResource, .untagResource, .listResourceTags,
        .enableKeyRotation, .disableKeyRotation, .getKeyRotationStatus, .rotateKeyOnDemand, .listKeyRotations,
        .putKeyPolicy, .getKeyPolicy, .listKeyPolicies, .getParametersForImport, .importKeyMaterial,
    ]

    /// Sends `operation` on the cell's keys, and says how it ended.
    static func attempt(_ operation: KMSOperation, _ kms: KMSTestClient, _ keys: Keys, cell: Int) async -> Outcome {
        let digest = Base64Blob([UInt8](repeating: 1, count: 32))
        do {
            switch operation {
            case .createKey: _ = try await kms.send(KMS.CreateKeyRequest())
            case .describeKey: _ = try await kms.send(KMS.DescribeKeyRequest(keyId: keys.symmetric))
            case .listKeys: _ = try await kms.send(KMS.ListKeysRequest())
            case .getPublicKey: _ = try await kms.send(KMS.GetPublicKeyRequest(keyId: keys.signing))
            case .sign:
                _ = try await kms.send(
                    KMS.SignRequest(keyId: keys.signing, message: digest, messageType: .digest, signingAlgorithm: .ecdsaSha256))
            case .verify:
                _ = try await kms.send(
                    KMS.VerifyRequest(
                        keyId: keys.signing, message: digest, messageType: .digest, signature: Base64Blob([0x30, 0x00]),
                        signingAlgorithm: .ecdsaSha256))
            case .encrypt: _ = try await kms.send(KMS.EncryptRequest(keyId: keys.symmetric, plaintext: Base64Blob([1])))
            case .decrypt: _ = try await kms.send(KMS.DecryptRequest(ciphertextBlob: Base64Blob(keys.ciphertext)))
            case .reEncrypt:
                _ = try await kms.send(
                    KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(keys.ciphertext), destinationKeyId: keys.symmetric))
            case .generateDataKey: _ = try await kms.send(KMS.GenerateDataKeyRequest(keyId: keys.symmetric, keySpec: .aes256))
            case .generateDataKeyWithoutPlaintext:
                _ = try await kms.send(KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: keys.symmetric, keySpec: .aes256))
            case .generateDataKeyPair:
                _ = try await kms.send(KMS.GenerateDataKeyPairRequest(keyId: keys.symmetric, keyPairSpec: .eccNistP256))
            case .generateDataKeyPairWithoutPlaintext:
                _ = try await kms.send(
                    KMS.GenerateDataKeyPairWithoutPlaintextRequest(keyId: keys.symmetric, keyPairSpec: .eccNistP256))
            case .generateRandom: _ = try await kms.send(KMS.GenerateRandomRequest(numberOfBytes: 16))
            case .enableKey: _ = try await kms.send(KMS.EnableKeyRequest(keyId: keys.symmetric))
            case .disableKey: _ = try await kms.send(KMS.DisableKeyRequest(keyId: keys.symmetric))
            case .scheduleKeyDeletion:
                _ = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: keys.symmetric, pendingWindowInDays: 7))
            case .cancelKeyDeletion: _ = try await kms.send(KMS.CancelKeyDeletionRequest(keyId: keys.symmetric))
            case .updateKeyDescription:
                _ = try await kms.send(KMS.UpdateKeyDescriptionRequest(keyId: keys.symmetric, description: "matrix"))
            case .createAlias:
                _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/new-\(cell)", targetKeyId: keys.symmetric))
            case .updateAlias: _ = try await kms.send(KMS.UpdateAliasRequest(aliasName: keys.alias, targetKeyId: keys.symmetric))
            case .deleteAlias: _ = try await kms.send(KMS.DeleteAliasRequest(aliasName: keys.alias))
            case .listAliases: _ = try await kms.send(KMS.ListAliasesRequest())
            case .tagResource:
                _ = try await kms.send(KMS.TagResourceRequest(keyId: keys.symmetric, tags: [.init(tagKey: "t", tagValue: "v")]))
            case .untagResource: _ = try await kms.send(KMS.UntagResourceRequest(keyId: keys.symmetric, tagKeys: ["t"]))
            case .listResourceTags: _ = try await kms.send(KMS.ListResourceTagsRequest(keyId: keys.symmetric))
            case .enableKeyRotation: _ = try await kms.send(KMS.EnableKeyRotationRequest(keyId: keys.symmetric))
            case .disableKeyRotation: _ = try await kms.send(KMS.DisableKeyRotationRequest(keyId: keys.symmetric))
            case .getKeyRotationStatus: _ = try await kms.send(KMS.GetKeyRotationStatusRequest(keyId: keys.symmetric))
            case .rotateKeyOnDemand: _ = try await kms.send(KMS.RotateKeyOnDemandRequest(keyId: keys.symmetric))
            case .listKeyRotations: _ = try await kms.send(KMS.ListKeyRotationsRequest(keyId: keys.symmetric))
            case .putKeyPolicy: _ = try await kms.send(KMS.PutKeyPolicyRequest(keyId: keys.symmetric, policy: keyPolicy))
            case .getKeyPolicy: _ = try await kms.send(KMS.GetKeyPolicyRequest(keyId: keys.symmetric))
            case .listKeyPolicies: _ = try await kms.send(KMS.ListKeyPoliciesRequest(keyId: keys.symmetric))
            case .getParametersForImport:
                _ = try await kms.send(
                    KMS.GetParametersForImportRequest(
                        keyId: keys.symmetric, wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096"))
            case .importKeyMaterial:
                _ = try await kms.send(
                    KMS.ImportKeyMaterialRequest(
                        keyId: keys.symmetric, importToken: Base64Blob([1]), encryptedKeyMaterial: Base64Blob([2])))
            }
            return .allowed
        } catch let error as KMSError {
            switch error.type {
            case "AccessDeniedException": return .denied
            case "NotFoundException": return .notFound
            default: return .allowed  // refused for what it asked, after authorization
            }
        } catch {
            Issue.record("\(operation): \(error)")
            return .denied
        }
    }

    @Test("every operation × every principal matches the expected table", arguments: StoreBackend.allCases)
    func matrix(backend: StoreBackend) async throws {
        #expect(Set(Self.operations) == Set(KMSOperation.allCases))
        try await withKeyHolder(backend, configure: { $0.quotas = .unlimited }) { root, holder in
            let store = holder.store
            let auditing = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Describe*","kms:List*","kms:Get*"],"Resource":"*"}]}"#
            let carolPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}"#
            let principals: [KMSTestClient] = [
                root,
                try AuthorizationTests.client(root, store, account: Self.accountA, user: "alice"),
                try AuthorizationTests.client(root, store, account: Self.accountA, user: "admin"),
                try AuthorizationTests.client(root, store, account: Self.accountA, user: "nobody"),
                try AuthorizationTests.client(root, store, account: Self.accountA, user: "auditor", identityPolicy: auditing),
                try AuthorizationTests.client(root, store, account: Self.accountB, root: true),
                try AuthorizationTests.client(root, store, account: Self.accountB, user: "carol", identityPolicy: carolPolicy),
                try AuthorizationTests.client(root, store, account: Self.accountB, user: "dave"),
            ]
            #expect(principals.count == Self.expected.count)
            var mismatches: [String] = []
            var cell = 0
            for (index, kms) in principals.enumerated() {
                let (name, row) = Self.expected[index]
                let expectedRow = Array(row)
                #expect(expectedRow.count == Self.operations.count, "\(name)")
                var actual = ""
                for (column, operation) in Self.operations.enumerated() {
                    cell += 1
                    let symmetric = try #require(try await root.send(KMS.CreateKeyRequest(policy: Self.keyPolicy)).keyMetadata)
                    let signing = try #require(
                        try await root.send(KMS.CreateKeyRequest(policy: Self.keyPolicy, keyUsage: .signVerify, keySpec: .eccNistP256))
                            .keyMetadata)
                    _ = try await root.send(KMS.CreateAliasRequest(aliasName: "alias/matrix-\(cell)", targetKeyId: symmetric.keyId))
                    let keys = Keys(
                        symmetric: try #require(symmetric.arn), signing: try #require(signing.arn), alias: "alias/matrix-\(cell)",
                        ciphertext: try await root.encrypt(symmetric.keyId, [7]))
                    let outcome = await Self.attempt(operation, kms, keys, cell: cell)
                    actual += outcome.rawValue
                    if String(expectedRow[column]) != outcome.rawValue {
                        mismatches.append("\(name) \(operation): expected \(expectedRow[column]), got \(outcome)")
                    }
                }
                print("authorization matrix: \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(actual)")
            }
            print("authorization matrix: \(principals.count) principals × \(Self.operations.count) operations = \(cell) decisions, \(mismatches.count) unexpected")
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }
}
