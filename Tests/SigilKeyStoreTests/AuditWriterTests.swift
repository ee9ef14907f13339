import Foundation
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

/// The group-commit writer as a server uses it: a durable record returns only once its
/// batch has committed, fails when the batch does, and events that arrive while a
/// commit runs share the next one.
@Suite("The audit log's group-commit writer")
struct AuditWriterTests {
    /// An event numbered so that batches can be read back.
    static func event(_ number: Int) -> AuditEvent {
        AuditEvent(
            requestID: "request-\(number)", region: StoreFixture.region, account: StoreFixture.account,
            operation: "Sign")
    }

    /// A commit closure that keeps what it commits, can be made to fail, and can hold
    /// the writer's thread inside a commit until the test lets it go.
    final class Committer: Sendable {
        private struct State {
            var batches: [[String]] = []
            var failing = false
            var holding = false
            var inside = false
            var joiningLate = false
        }
        private let state = Locked(State())

        var batches: [[String]] { state.withLock { $0.batches } }
        /// Whether the writer's thread is inside a held commit.
        var isInside: Bool { state.withLock { $0.inside } }

        func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }
        func hold() { state.withLock { $0.holding = true } }
        func release() { state.withLock { $0.holding = false } }
        /// Makes each commit take in, after its hold, the events recorded since its batch
        /// was taken, as a commit that waited for the writers' lock does.
        func joinLate() { state.withLock { $0.joiningLate = true } }

        /// The commit: runs on the writer's thread, never on a task's.
        func commit(_ events: [AuditEvent], takeLate: () -> [AuditEvent]) throws {
            state.withLock { $0.inside = true }
            while state.withLock({ $0.holding }) { usleep(1000) }
            let (failing, joiningLate) = state.withLock { state in
                state.inside = false
                return (state.failing, state.joiningLate)
            }
            let batch = joiningLate ? events + takeLate() : events
            if failing { throw KeyStoreError(.storageFailure, "the disk is full (injected)") }
            state.withLock { $0.batches.append(batch.map(\.requestID)) }
        }
    }

    /// Waits for a condition that another thread makes true.
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<5000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestFailure("never happened: \(what)")
    }

    @Test("a durable record returns once its batch has committed")
    func durableRecordWaitsForItsCommit() async throws {
        let committer = Committer()
        let writer = AuditWriter(commit: committer.commit)
        try await writer.recordDurably(Self.event(1))
        #expect(committer.batches == [["request-1"]])
        #expect(writer.pendingCount == 0)
    }

    /// The batches of a writer whose first commit is held while twenty durable events
    /// are recorded; `joiningLate` makes commits take in the events recorded meanwhile.
    static func batchesAfterAHeldCommit(joiningLate: Bool) async throws -> (batches: [[String]], pending: Int) {
        let committer = Committer()
        let writer = AuditWriter(commit: committer.commit)
        if joiningLate { committer.joinLate() }
        committer.hold()
        let first = Task { try await writer.recordDurably(Self.event(0)) }
        try await Self.eventually("the first commit starts") { committer.isInside }
        let others = (1...20).map { number in Task { try await writer.recordDurably(Self.event(number)) } }
        try await Self.eventually("twenty events wait") { writer.pendingCount == 21 }
        committer.release()
        try await first.value
        for task in others { try await task.value }
        return (committer.batches, writer.pendingCount)
    }

    @Test("an idle writer commits at once; events that arrive during a commit share the next one")
    func eventsArrivingDuringACommitShareTheNext() async throws {
        let (batches, pending) = try await Self.batchesAfterAHeldCommit(joiningLate: false)
        #expect(batches.count == 2)
        #expect(batches.first == ["request-0"])
        #expect(Set(batches.last ?? []) == Set((1...20).map { "request-\($0)" }))
        #expect(pending == 0)
    }

    @Test("a commit that waits takes in the events recorded meanwhile; they commit with it")
    func eventsArrivingWhileACommitWaitsJoinIt() async throws {
        let (batches, pending) = try await Self.batchesAfterAHeldCommit(joiningLate: true)
        #expect(batches.count == 1)
        #expect(batches.first?.first == "request-0")
        #expect(Set(batches.first ?? []) == Set((0...20).map { "request-\($0)" }))
        #expect(pending == 0)
    }

    @Test("events a failed commit took in fail with it: durable ones are dropped, queued ones kept, in order")
    func lateEventsOfAFailedCommitFailWithIt() async throws {
        let committer = Committer()
        let writer = AuditWriter(commit: committer.commit)
        committer.joinLate()
        committer.hold()
        try writer.record(Self.event(0))
        try await Self.eventually("the first commit starts") { committer.isInside }
        try writer.record(Self.event(1))
        let durable = Task { try await writer.recordDurably(Self.event(2)) }
        try writer.record(Self.event(3))
        try await Self.eventually("three events wait") { writer.pendingCount == 4 }
        committer.fail(true)
        committer.release()
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await durable.value }
        committer.fail(false)
        try writer.flush()
        #expect(committer.batches.flatMap { $0 } == ["request-0", "request-1", "request-3"])
        #expect(writer.pendingCount == 0)
    }

    @Test("a failed commit fails its durable records and drops their events; queued ones are kept and retried")
    func failedCommitFailsDurableRecords() async throws {
        let committer = Committer()
        let writer = AuditWriter(commit: committer.commit)
        committer.hold()
        try writer.record(Self.event(0))
        try await Self.eventually("the first commit starts") { committer.isInside }
        try writer.record(Self.event(1))
        let durable = Task { try await writer.recordDurably(Self.event(2)) }
        try await Self.eventually("two events wait") { writer.pendingCount == 3 }
        committer.fail(true)
        committer.release()
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await durable.value }
        #expect(writer.lastFailure?.message.contains("the disk is full") == true)
        // Another durable record during the outage fails too, at once or at the retry.
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await writer.recordDurably(Self.event(3)) }

        committer.fail(false)
        try writer.flush()
        try await writer.recordDurably(Self.event(4))
        // Events 0 and 1, queued without a waiter, survived the failures, in order; 2 and
        // 3 were refused to their callers and are nowhere.
        #expect(committer.batches.flatMap { $0 } == ["request-0", "request-1", "request-4"])
        #expect(writer.pendingCount == 0)
        #expect(writer.lastFailure == nil)
    }

    @Test("a full queue refuses a durable record at once")
    func fullQueueRefusesDurableRecords() async throws {
        let committer = Committer()
        let writer = AuditWriter(maximumPending: 2, commit: committer.commit)
        committer.hold()
        try writer.record(Self.event(0))
        try await Self.eventually("the first commit starts") { committer.isInside }
        try writer.record(Self.event(1))
        try writer.record(Self.event(2))
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await writer.recordDurably(Self.event(3)) }
        committer.release()
        try writer.flush()
        #expect(committer.batches.flatMap { $0 } == ["request-0", "request-1", "request-2"])
    }

    @Test("the store's durable record: in the log once it returns; an injected fault keeps it out")
    func storeRecordsDurably() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        try await store.recordAuditDurably(Self.event(1))
        // Another connection sees it without a flush.
        #expect(try fixture.reopen().auditEvents().map(\.event.requestID) == ["request-1"])

        store.auditWriter.injectFault { _ in throw KeyStoreError(.storageFailure, "injected") }
        await #expect(throws: KeyStoreError(.storageFailure, "")) { try await store.recordAuditDurably(Self.event(2)) }
        store.auditWriter.injectFault(nil)
        try await store.recordAuditDurably(Self.event(3))
        #expect(try store.auditEvents().map(\.event.requestID) == ["request-1", "request-3"])
        #expect(try store.verifyAuditLog().isIntact)
    }
}
