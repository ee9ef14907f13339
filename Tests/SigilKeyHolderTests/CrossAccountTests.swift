import Foundation
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

/// KMS's rule for keys shared with another account: the key policy may let that account
/// *use* a key (the operations whose "Cross-account use" is Yes in the KMS API reference),
/// never *manage* it, whatever the policy grants. Every operation is tried by the owner and
/// by principals of a partner account that both the key policy and their own identity
/// policy grant `kms:*`; after each refused call the owner's keys, policies, aliases and
/// tags are as they were.
@Suite("Cross-account: another account may use a key, never manage it")
struct CrossAccountTests {
    static let owner = AuthorizationTests.accountA
    static let partner = AuthorizationTests.accountB

    /// The owner's root and the partner's root, each `kms:*`.
    static let sharedPolicy = """
        {"Version":"2012-10-17","Statement":[
         {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(owner):root"},"Action":"kms:*","Resource":"*"},
         {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(partner):root"},"Action":"kms:*","Resource":"*"}
        ]}
        """
    static let everything = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#

    /// The owner's keys a matrix runs against, named by ARN (the only way another account can name them).
    struct Keys: Sendable {
        let symmetric: String
        let signing: String
        let blob: [UInt8]
        let signature: [UInt8]
        let digest = [UInt8](repeating: 7, count: 32)
        /// The owner's alias on the symmetric key.
        let ownerAlias: String
        /// An alias the caller owns on a key of its own (UpdateAlias tries to move it).
        let callerAlias: String
    }

    /// What a call must come to.
    enum Outcome: Equatable, CustomStringConvertible {
        case succeeds
        case fails(String)

        var description: String {
            switch self {
            case .succeeds: "succeeds"
            case .fails(let type): type
            }
        }
    }

    /// What a caller of the partner account gets for each operation on the owner's keys.
    static func partnerOutcome(_ operation: KMSOperation) -> Outcome {
        switch operation {
        // On no particular key: they act in the partner's own account.
        case .createKey, .listKeys, .generateRandom: return .succeeds
        // The alias name is looked up in the caller's own account, where it does not exist.
        case .deleteAlias: return .fails("NotFoundException")
        default: return operation.allowsCrossAccountUse ? .succeeds : .fails("AccessDeniedException")
        }
    }

    /// The owner's order: every operation once, so that each state change is undone by the next.
    static let ownerOrder: [KMSOperation] = {
        let undoing: [KMSOperation] = [.scheduleKeyDeletion, .cancelKeyDeletion, .disableKey, .enableKey]
        return KMSOperation.allCases.filter { !undoing.contains($0) } + undoing
    }()

    /// Performs one call of `operation` on the owner's keys.
    ///
    /// - Throws: ``KMSError`` when the key holder refuses it.
    static func call(_ operation: KMSOperation, _ client: KMSTestClient, account: String, _ keys: Keys) async throws {
        let key = keys.symmetric
        switch operation {
        case .createKey:
            let made = try await client.send(KMS.CreateKeyRequest())
            #expect(made.keyMetadata?.arn?.contains(":\(account):") == true, "CreateKey made a key in another account")
        case .listKeys:
            let listed = try await client.send(KMS.ListKeysRequest())
            #expect(listed.keys?.allSatisfy { $0.keyArn?.contains(":\(account):") == true } == true)
        case .generateRandom: _ = try await client.send(KMS.GenerateRandomRequest(numberOfBytes: 16))
        case .describeKey: _ = try await client.send(KMS.DescribeKeyRequest(keyId: key))
        case .getPublicKey: _ = try await client.send(KMS.GetPublicKeyRequest(keyId: keys.signing))
        case .sign:
            _ = try await client.send(
                KMS.SignRequest(
                    keyId: keys.signing, message: Base64Blob(keys.digest), messageType: .digest, signingAlgorithm: .ecdsaSha256))
        case .verify:
            _ = try await client.send(
                KMS.VerifyRequest(
                    keyId: keys.signing, message: Base64Blob(keys.digest), messageType: .digest,
                    signature: Base64Blob(keys.signature), signingAlgorithm: .ecdsaSha256))
        case .encrypt: _ = try await client.send(KMS.EncryptRequest(keyId: key, plaintext: Base64Blob([1, 2])))
        case .decrypt: _ = try await client.send(KMS.DecryptRequest(ciphertextBlob: Base64Blob(keys.blob), keyId: key))
        case .reEncrypt:
            _ = try await client.send(KMS.ReEncryptRequest(ciphertextBlob: Base64Blob(keys.blob), destinationKeyId: key))
        case .generateDataKey: _ = try await client.send(KMS.GenerateDataKeyRequest(keyId: key, keySpec: .aes256))
        case .generateDataKeyWithoutPlaintext:
            _ = try await client.send(KMS.GenerateDataKeyWithoutPlaintextRequest(keyId: key, keySpec: .aes256))
        case .generateDataKeyPair:
            _ = try await client.send(KMS.GenerateDataKeyPairRequest(keyId: key, keyPairSpec: .init(rawValue: "ECC_NIST_P256")))
        case .generateDataKeyPairWithoutPlaintext:
            _ = try await client.send(
                KMS.GenerateDataKeyPairWithoutPlaintextRequest(keyId: key, keyPairSpec: .init(rawValue: "ECC_NIST_P256")))
        case .enableKey: _ = try await client.send(KMS.EnableKeyRequest(keyId: key))
        case .disableKey: _ = try await client.send(KMS.DisableKeyRequest(keyId: key))
        case .scheduleKeyDeletion: _ = try await client.send(KMS.ScheduleKeyDeletionRequest(keyId: key, pendingWindowInDays: 7))
        case .cancelKeyDeletion: _ = try await client.send(KMS.CancelKeyDeletionRequest(keyId: key))
        case .updateKeyDescription: _ = try await client.send(KMS.UpdateKeyDescriptionRequest(keyId: key, description: "mine now"))
        case .createAlias: _ = try await client.send(KMS.CreateAliasRequest(aliasName: "alias/taken", targetKeyId: key))
        case .updateAlias: _ = try await client.send(KMS.UpdateAliasRequest(aliasName: keys.callerAlias, targetKeyId: key))
        case .deleteAlias: _ = try await client.send(KMS.DeleteAliasRequest(aliasName: keys.ownerAlias))
        case .listAliases: _ = try await client.send(KMS.ListAliasesRequest(keyId: key))
        case .tagResource:
            _ = try await client.send(KMS.TagResourceRequest(keyId: key, tags: [KMS.Tag(tagKey: "owner", tagValue: "partner")]))
        case .untagResource: _ = try await client.send(KMS.UntagResourceRequest(keyId: key, tagKeys: ["team"]))
        case .listResourceTags: _ = try await client.send(KMS.ListResourceTagsRequest(keyId: key))
        case .enableKeyRotation: _ = try await client.send(KMS.EnableKeyRotationRequest(keyId: key))
        case .disableKeyRotation: _ = try await client.send(KMS.DisableKeyRotationRequest(keyId: key))
        case .getKeyRotationStatus: _ = try await client.send(KMS.GetKeyRotationStatusRequest(keyId: key))
        case .rotateKeyOnDemand: _ = try await client.send(KMS.RotateKeyOnDemandRequest(keyId: key))
        case .listKeyRotations: _ = try await client.send(KMS.ListKeyRotationsRequest(keyId: key))
        case .putKeyPolicy:
            // The partner's try would lock the owner out; the owner puts the shared policy back.
            let lockout = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(partner):root"},"Action":"kms:*","Resource":"*"}]}
                """
            let policy = account == owner ? sharedPolicy : lockout
            _ = try await client.send(KMS.PutKeyPolicyRequest(keyId: key, policy: policy, bypassPolicyLockoutSafetyCheck: true))
        case .getKeyPolicy: _ = try await client.send(KMS.GetKeyPolicyRequest(keyId: key))
        case .listKeyPolicies: _ = try await client.send(KMS.ListKeyPoliciesRequest(keyId: key))
        case .getParametersForImport:
            _ = try await client.send(
                KMS.GetParametersForImportRequest(keyId: key, wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096"))
        case .importKeyMaterial:
            _ = try await client.send(
                KMS.ImportKeyMaterialRequest(keyId: key, importToken: Base64Blob([1]), encryptedKeyMaterial: Base64Blob([2])))
        }
    }

    /// Everything about the owner's keys a refused call could have changed, as the owner sees it.
    struct Snapshot: Equatable {
        var metadata: [KMS.KeyMetadata?]
        var policies: [String?]
        var aliases: [String]
        var tags: [String]
        var rotation: Bool?
        var rotations: Int

        init(_ owner: KMSTestClient, _ keys: Keys) async throws {
            metadata = []
            policies = []
            for key in [keys.symmetric, keys.signing] {
                metadata.append(try await owner.send(KMS.DescribeKeyRequest(keyId: key)).keyMetadata)
                policies.append(try await owner.send(KMS.GetKeyPolicyRequest(keyId: key)).policy)
            }
            aliases = (try await owner.send(KMS.ListAliasesRequest()).aliases ?? []).map { "\($0.aliasName ?? "")→\($0.targetKeyId ?? "")" }
            tags = (try await owner.send(KMS.ListResourceTagsRequest(keyId: keys.symmetric)).tags ?? []).map { "\($0.tagKey)=\($0.tagValue)" }
            rotation = try await owner.send(KMS.GetKeyRotationStatusRequest(keyId: keys.symmetric)).keyRotationEnabled
            rotations = try await owner.send(KMS.ListKeyRotationsRequest(keyId: keys.symmetric)).rotations?.count ?? 0
        }
    }

    /// The owner's shared keys, an alias and a tag; a ciphertext and a signature to use.
    static func ownerKeys(_ owner: KMSTestClient, ownerAlias: String, callerAlias: String) async throws -> Keys {
        let symmetric = try #require(try await owner.send(KMS.CreateKeyRequest(policy: sharedPolicy)).keyMetadata?.arn)
        let signing = try #require(
            try await owner.send(KMS.CreateKeyRequest(policy: sharedPolicy, keyUsage: .signVerify, keySpec: .eccNistP256))
                .keyMetadata?.arn)
        _ = try await owner.send(KMS.CreateAliasRequest(aliasName: ownerAlias, targetKeyId: symmetric))
        _ = try await owner.send(KMS.TagResourceRequest(keyId: symmetric, tags: [KMS.Tag(tagKey: "team", tagValue: "owners")]))
        let blob = try await owner.encrypt(symmetric, [4, 5, 6])
        let digest = [UInt8](repeating: 7, count: 32)
        let signature = try #require(
            try await owner.send(
                KMS.SignRequest(keyId: signing, message: Base64Blob(digest), messageType: .digest, signingAlgorithm: .ecdsaSha256)
            ).signature?.bytes)
        return Keys(
            symmetric: symmetric, signing: signing, blob: blob, signature: signature, ownerAlias: ownerAlias,
            callerAlias: callerAlias)
    }

    @Test(
        "every operation on a shared key: the owner may do all, a partner granted kms:* only what KMS allows across accounts, changing nothing",
        arguments: StoreBackend.allCases, ["partner root", "partner user"])
    func operationMatrix(backend: StoreBackend, partnerPrincipal: String) async throws {
        try await withKeyHolder(backend) { owner, holder in
            let store = holder.store
            let caller =
                partnerPrincipal == "partner root"
                ? try AuthorizationTests.client(owner, store, account: Self.partner, root: true)
                : try AuthorizationTests.client(
                    owner, store, account: Self.partner, user: "partner", identityPolicy: Self.everything)
            // The caller's own key and alias, which UpdateAlias tries to move onto the owner's key.
            let callerKey = try #require(try await caller.send(KMS.CreateKeyRequest()).keyMetadata?.keyId)
            _ = try await caller.send(KMS.CreateAliasRequest(aliasName: "alias/partner", targetKeyId: callerKey))
            let keys = try await Self.ownerKeys(owner, ownerAlias: "alias/shared", callerAlias: "alias/partner")

            var refused = 0
            for operation in KMSOperation.allCases {
                let before = try await Snapshot(owner, keys)
                let expected = Self.partnerOutcome(operation)
                let outcome: Outcome
                do {
                    try await Self.call(operation, caller, account: Self.partner, keys)
                    outcome = .succeeds
                } catch let error as KMSError {
                    outcome = .fails(error.type)
                    #expect(error.httpStatus == KMSError.defaultStatus(for: error.type), "\(operation): \(error)")
                }
                #expect(outcome == expected, "\(partnerPrincipal) \(operation): \(outcome), expected \(expected)")
                if expected != .succeeds {
                    refused += 1
                    let after = try await Snapshot(owner, keys)
                    #expect(after == before, "\(partnerPrincipal) \(operation) changed the owner's keys")
                }
            }
            // Every management operation was tried and refused.
            #expect(refused == KMSOperation.allCases.filter { Self.partnerOutcome($0) != .succeeds }.count)
            #expect(refused >= 19)
            // The owner's alias still names the owner's key; the caller's alias still its own.
            #expect(try store.alias("alias/shared", account: Self.owner, region: "us-east-1")?.keyID != nil)
            #expect(try store.alias("alias/partner", account: Self.partner, region: "us-east-1")?.keyID == callerKey)
            #expect(try store.alias("alias/taken", account: Self.partner, region: "us-east-1") == nil)

            // The owner, granted the same, may do everything (each state change undone by the next).
            let ownerKeys = try await Self.ownerKeys(owner, ownerAlias: "alias/own", callerAlias: "alias/mine")
            let ownerKey = try #require(try await owner.send(KMS.CreateKeyRequest()).keyMetadata?.keyId)
            _ = try await owner.send(KMS.CreateAliasRequest(aliasName: "alias/mine", targetKeyId: ownerKey))
            for operation in Self.ownerOrder {
                do {
                    try await Self.call(operation, owner, account: Self.owner, ownerKeys)
                } catch let error as KMSError
                    where [.getParametersForImport, .importKeyMaterial].contains(operation)
                    && error.type == "UnsupportedOperationException"
                {
                    // Authorized, then refused as KMS refuses it for a key of AWS_KMS origin.
                } catch {
                    Issue.record("the owner's \(operation) failed: \(error)")
                }
            }
        }
    }

    @Test(
        "a key ARN of another account: the same refusal whether the key exists, is not shared, or is not there at all",
        arguments: StoreBackend.allCases)
    func nothingLearntOfOtherAccountsKeys(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { owner, holder in
            let stranger = try AuthorizationTests.client(owner, holder.store, account: "777788889999", root: true)
            let unshared = try #require(try await owner.send(KMS.CreateKeyRequest()).keyMetadata)
            let unsharedARN = try #require(unshared.arn)
            let missingARN = unsharedARN.replacingOccurrences(of: unshared.keyId, with: UUID().uuidString.lowercased())
            _ = try await owner.send(KMS.CreateAliasRequest(aliasName: "alias/private", targetKeyId: unshared.keyId))
            let aliasARN = "arn:aws:kms:us-east-1:\(Self.owner):alias/private"
            for arn in [unsharedARN, missingARN, aliasARN] {
                let described = try await stranger.expectFailure(KMS.DescribeKeyRequest(keyId: arn), "AccessDeniedException")
                let expectedMessage =
                    "User: arn:aws:iam::777788889999:root is not authorized to perform: kms:DescribeKey on resource: \(arn) "
                    + "because no key policy or identity policy allows the kms:DescribeKey action"
                #expect(described?.message == expectedMessage)
                // Nothing of the key behind the alias.
                #expect(described?.message.contains(unshared.keyId) == (arn == unsharedARN))
                let disabled = try await stranger.expectFailure(KMS.DisableKeyRequest(keyId: arn == aliasARN ? unsharedARN : arn), "AccessDeniedException")
                #expect(disabled?.message.contains("cannot be performed on a key of another account") == true)
                try await stranger.expectFailure(KMS.ListAliasesRequest(keyId: arn == aliasARN ? unsharedARN : arn), "AccessDeniedException")
            }
        }
    }

    @Test(
        "authorised before revealing: a caller without permission learns nothing of a key's usage, type or existence",
        arguments: StoreBackend.allCases)
    func authorizeBeforeRevealing(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { owner, holder in
            let nobody = try AuthorizationTests.client(owner, holder.store, account: Self.owner, user: "nobody")
            let rsa = try await owner.createKey(.rsa2048, usage: .encryptDecrypt)
            let signing = try await owner.createKey(.eccNistP256, usage: .signVerify)
            let symmetric = try await owner.createKey()
            let blob = try await owner.encrypt(symmetric.keyId, [1, 2, 3])

            // Named keys of any usage or type: AccessDenied before any other check.
            for key in [rsa, signing, symmetric] {
                let error = try await nobody.expectFailure(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: key.keyId), "AccessDeniedException")
                #expect(error?.message.contains("ENCRYPT_DECRYPT") == false)
                #expect(error?.message.contains("SIGN_VERIFY") == false)
                #expect(error?.message.contains("asymmetric") == false)
            }
            // The owner, who may use the key, is told why it does not suit.
            try await owner.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), keyId: signing.keyId), "InvalidKeyUsageException")

            // A ciphertext naming a key: the same answer whether that key exists, suits, or is not the caller's.
            let forged = Self.blob(blob, namingKey: UUID().uuidString)
            let naming = Self.blob(blob, namingKey: signing.keyId)
            var answers: Set<String> = []
            for candidate in [blob, forged, naming] {
                let error = try await nobody.expectFailure(
                    KMS.DecryptRequest(ciphertextBlob: Base64Blob(candidate)), "AccessDeniedException")
                answers.insert(error?.message ?? "")
            }
            #expect(answers.count == 1, "\(answers)")
            #expect(try await owner.decrypt(blob) == [1, 2, 3])
        }
    }

    /// A symmetric ciphertext blob made to name another key: its bytes 1..<17 are the
    /// key's UUID (SymmetricCiphertext's format).
    static func blob(_ blob: [UInt8], namingKey keyID: String) -> [UInt8] {
        guard let uuid = UUID(uuidString: keyID) else { return blob }
        var renamed = blob
        withUnsafeBytes(of: uuid.uuid) { renamed.replaceSubrange(1..<17, with: $0) }
        return renamed
    }
}
