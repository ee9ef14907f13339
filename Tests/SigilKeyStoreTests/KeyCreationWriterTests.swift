import Foundation
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

/// Group commit for key creation: keys whose requests wait together are stored in one
/// transaction, each with its audit event, and a key that cannot be stored fails alone.
@Suite("Storing new keys in groups")
struct KeyCreationWriterTests {
    /// Holds the writer's first group inside its transaction until the test lets it go,
    /// and keeps the size of every group it sees.
    final class Gate: Sendable {
        private struct State {
            var groups: [[String]] = []
            var holding = true
            var inside = false
        }
        private let state = Locked(State())

        var groups: [[String]] { state.withLock { $0.groups } }
        var isInside: Bool { state.withLock { $0.inside } }
        func release() { state.withLock { $0.holding = false } }

        func enter(_ keys: [NewKey]) {
            state.withLock { state in
                state.groups.append(keys.map(\.record.id))
                state.inside = true
            }
            while state.withLock({ $0.holding }) { usleep(1000) }
            state.withLock { $0.inside = false }
        }
    }

    static func event(_ number: Int) -> AuditEvent {
        AuditEvent(requestID: "create-\(number)", region: StoreFixture.region, account: StoreFixture.account, operation: "CreateKey")
    }

    static func makeKey(_ store: KeyStore, _ number: Int) throws -> NewKey {
        try store.makeKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            tags: [KeyTag(key: "n", value: "\(number)")], audit: event(number))
    }

    /// Queues `keys` one after another behind a first group held by `gate`, so that they
    /// form the next group in this order; returns the tasks storing them, the first's first.
    static func queueBehindAHeldGroup(
        _ store: KeyStore, gate: Gate, first: NewKey, then keys: [NewKey]
    ) async throws -> [Task<KeyRecord, any Error>] {
        store.keyWriter.injectBeforeInsert { gate.enter($0) }
        var tasks = [Task { try await store.store(first) }]
        try await AuditWriterTests.eventually("the first group is inside its transaction") { gate.isInside }
        for (index, key) in keys.enumerated() {
            tasks.append(Task { try await store.store(key) })
            try await AuditWriterTests.eventually("key \(index + 1) is queued") { store.keyWriter.pendingCount == index + 1 }
        }
        gate.release()
        return tasks
    }

    @Test("keys that wait together go in one transaction, each with its tags and its event, in the order queued",
          arguments: StoreBackend.allCases)
    func keysWaitingTogetherShareATransaction(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let keys = try (0..<10).map { try Self.makeKey(store, $0) }
        let gate = Gate()
        let tasks = try await Self.queueBehindAHeldGroup(store, gate: gate, first: keys[0], then: Array(keys[1...]))
        for (task, key) in zip(tasks, keys) { #expect(try await task.value == key.record) }

        #expect(gate.groups == [[keys[0].record.id], keys[1...].map(\.record.id)])
        for (number, key) in keys.enumerated() {
            #expect(try store.key(id: key.record.id) == key.record)
            #expect(try store.tags(id: key.record.id) == [KeyTag(key: "n", value: "\(number)")])
            #expect(try store.symmetricKey(id: key.record.id, version: 1).count == AESGCM.keySize)
        }
        let events = try store.auditEvents().map(\.event).filter { $0.operation == "CreateKey" }
        #expect(events.map(\.requestID) == (0..<10).map { "create-\($0)" })
        #expect(events.map(\.keyARN) == keys.map(\.record.arn))
        #expect(try store.verifyAuditLog().isIntact)
    }

    @Test("a group that fails is tried key by key: the key that cannot be stored fails alone, without its event",
          arguments: StoreBackend.allCases)
    func aFailingKeyFailsAlone(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let stored = try Self.makeKey(store, 0)
        _ = try await store.store(stored)
        // The same key again: its id is taken, so its rows break the primary key.
        let fresh = try [1, 2].map { try Self.makeKey(store, $0) }
        let gate = Gate()
        let tasks = try await Self.queueBehindAHeldGroup(store, gate: gate, first: fresh[0], then: [stored, fresh[1]])
        #expect(try await tasks[0].value == fresh[0].record)
        await #expect(throws: KeyStoreError.self) { try await tasks[1].value }
        #expect(try await tasks[2].value == fresh[1].record)

        // The group of two failed whole, then each was tried alone.
        #expect(gate.groups == [[fresh[0].record.id], [stored.record.id, fresh[1].record.id],
                                [stored.record.id], [fresh[1].record.id]])
        for key in [stored, fresh[0], fresh[1]] { #expect(try store.key(id: key.record.id) == key.record) }
        let events = try store.auditEvents().map(\.event).filter { $0.operation == "CreateKey" }
        #expect(events.map(\.requestID) == ["create-0", "create-1", "create-2"])
        #expect(try store.verifyAuditLog().isIntact)
    }

    @Test("a key whose store is gone fails with a clear error rather than waiting")
    func storeGoneFailsClearly() async throws {
        var fixture: StoreFixture? = try StoreFixture()
        let key = try Self.makeKey(try #require(fixture).store, 0)
        let writer = try #require(fixture).store.keyWriter
        fixture = nil
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await writer.store(key) }
    }
}
