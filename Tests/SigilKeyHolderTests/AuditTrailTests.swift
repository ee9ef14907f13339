import Foundation
import HTTPTypes
import HummingbirdTesting
import SigilCrypto
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

/// Every request, allowed, denied or failed, becomes one event of the hash-chained log.
@Suite("The audit trail of requests")
struct AuditTrailTests {
    @Test(
        "successes, denials, failures and unauthenticated requests each leave one event, with no secret in it",
        arguments: StoreBackend.allCases)
    func everyRequestIsOneEvent(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let store = holder.store
            let key = try #require(try await root.send(KMS.CreateKeyRequest(description: "audited")).keyMetadata)
            let arn = try #require(key.arn)
            let secretValue = "context-value-that-must-not-be-logged"
            let blob = try await root.encrypt(key.keyId, Array("plaintext-never-logged".utf8), context: ["purpose": secretValue])
            _ = try await root.send(KMS.DisableKeyRequest(keyId: key.keyId))
            try await root.expectFailure(
                KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), encryptionContext: ["purpose": secretValue]),
                "DisabledException")
            let nobody = try AuthorizationTests.client(root, store, account: "111122223333", user: "nobody")
            let id = nobody.signer.credentials.accessKeyId
            let secret = nobody.signer.credentials.secretAccessKey
            try await nobody.expectFailure(KMS.DescribeKeyRequest(keyId: arn), "AccessDeniedException")
            let unsigned = try await root.raw(
                target: KMSOperation.listKeys.target, body: Data("{}".utf8), signing: .unsigned)
            #expect(unsigned.status.code == 400)

            try store.flushAudit()
            let events = try store.auditEvents().map(\.event)
            #expect(events.map(\.operation) == ["CreateKey", "Encrypt", "DisableKey", "Decrypt", "DescribeKey", "ListKeys"])
            #expect(events.map(\.outcome) == [.success, .success, .success, .failed, .denied, .denied])
            #expect(events.map(\.errorCode) == [nil, nil, nil, "DisabledException", "AccessDeniedException", "MissingAuthenticationTokenException"])
            #expect(events[0].keyARN == arn && events[0].algorithm == "SYMMETRIC_DEFAULT")
            #expect(events[1].keyARN == arn && events[1].encryptionContextKeys == ["purpose"])
            #expect(events[3].keyARN == arn)
            #expect(events[4].principalARN == "arn:aws:iam::111122223333:user/nobody" && events[4].accessKeyID == id)
            #expect(events[0].principalARN == "arn:aws:iam::111122223333:root")
            #expect(events[5].principalARN == nil)
            #expect(Set(events.map(\.requestID)).count == events.count)
            let verification = try store.verifyAuditLog()
            #expect(verification.eventCount == events.count)
            #expect(verification.firstBroken == nil)

            // Nothing secret in the events: no context value, no plaintext, no secret key.
            let exported = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID()).jsonl")
            #expect(FileManager.default.createFile(atPath: exported.path, contents: nil))
            defer { try? FileManager.default.removeItem(at: exported) }
            let handle = try FileHandle(forWritingTo: exported)
            #expect(try store.exportAuditLog(to: handle) == events.count)
            try handle.close()
            let text = try String(contentsOf: exported, encoding: .utf8)
            #expect(!text.contains(secretValue))
            #expect(!text.contains("plaintext-never-logged"))
            #expect(!text.contains(secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }))
            #expect(text.contains("\"eventName\":\"Decrypt\""))
        }
    }

    @Test(
        "a state change and its event commit together: a refused change leaves only the refusal",
        arguments: StoreBackend.allCases)
    func mutationsAndTheirEvents(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let key = try #require(try await root.send(KMS.CreateKeyRequest()).keyMetadata)
            _ = try await root.send(KMS.CreateAliasRequest(aliasName: "alias/audited", targetKeyId: key.keyId))
            try await root.expectFailure(
                KMS.CreateAliasRequest(aliasName: "alias/audited", targetKeyId: key.keyId), "AlreadyExistsException")
            try holder.store.flushAudit()
            let events = try holder.store.auditEvents().map(\.event)
            #expect(events.map(\.operation) == ["CreateKey", "CreateAlias", "CreateAlias"])
            #expect(events.map(\.outcome) == [.success, .success, .failed])
            #expect(events[2].errorCode == "AlreadyExistsException")
            #expect(try holder.store.verifyAuditLog().firstBroken == nil)
        }
    }
}

@Suite("Scheduled deletions in the audit trail")
struct ScheduledDeletionAuditTests {
    @Test("a deletion carried out when its waiting period ends is an event of the log", arguments: StoreBackend.allCases)
    func scheduledDeletionIsAudited(backend: StoreBackend) async throws {
        let clock = Locked(Date())
        // Live: the scheduler runs as a service of the application, which router tests skip.
        try await withKeyHolder(
            backend, configure: {
                $0.now = { clock.withLock { $0 } }
                $0.deletionCheckInterval = .milliseconds(20)
                $0.quotas = .unlimited
            }, setup: .live
        ) { client, holder in
            // Signed on the key holder's clock: a run that waits long for a thread must not
            // drift past SigV4's five minutes of skew.
            var kms = client
            kms.signingTime = { clock.withLock { $0 } }
            let key = try #require(try await kms.send(KMS.CreateKeyRequest()).keyMetadata)
            _ = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: key.keyId, pendingWindowInDays: 7))
            clock.withLock { $0 = $0.addingTimeInterval(8 * 86400) }
            var deleted = false
            for _ in 0..<200 where !deleted {
                try await Task.sleep(for: .milliseconds(20))
                deleted = try holder.store.key(id: key.keyId) == nil
            }
            #expect(deleted)
            try holder.store.flushAudit()
            let events = try holder.store.auditEvents().map(\.event)
            #expect(events.map(\.operation) == ["CreateKey", "ScheduleKeyDeletion", "DeleteKey"])
            #expect(events.last?.keyARN == key.arn && events.last?.principalARN == nil)
            #expect(try holder.store.verifyAuditLog().firstBroken == nil)
        }
    }
}
