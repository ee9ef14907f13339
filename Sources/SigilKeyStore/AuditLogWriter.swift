import Foundation
import SigilCrypto

/// Appends the events of requests that change nothing (Sign, Decrypt, GenerateDataKey,
/// refusals, failures) to the audit log in batches: group commit.
///
/// A dedicated thread appends what is queued in one transaction (one fsync): at once
/// when it is idle, and otherwise, as soon as the commit under way ends, everything
/// that arrived meanwhile (at most ``maximumBatch`` per transaction). No event waits for
/// a timer; under load the batches grow by themselves. A commit that has to wait before
/// it can build its batch (for the writers' lock, which another node holds under load)
/// takes in the events recorded meanwhile, so that waiting does not shrink the batches.
/// Events enter the chain in the order they were recorded, interleaved with the events of
/// mutations in commit order.
///
/// Two ways in:
///
/// - ``recordDurably(_:)`` suspends the caller until the event's batch has committed, and
///   throws when it cannot: the batch's commit failed (the disk is full, the log is
///   broken) or ``maximumPending`` events already wait. A failed batch's durable events
///   are dropped: the request each describes must then fail and release nothing, so the
///   log never claims it happened. This is how a server records a request before it
///   answers — the audit log fails closed.
/// - ``record(_:)`` only queues the event and returns. A batch that fails keeps these
///   events, at the front of the queue, and retries them with a growing delay (50 ms
///   doubling to 2 s): nothing is dropped. ``flush()`` waits for them and throws the
///   failure; ``record(_:)`` throws once ``maximumPending`` events wait.
///
/// The thread starts with the first event and ends after a second with nothing to do.
public final class AuditWriter: Sendable {
    /// The most events one transaction appends.
    public static let maximumBatch = 4096
    /// The most events waiting before recording refuses more.
    public static let maximumPending = 262_144

    private let queue: Queue

    /// A writer that appends batches with `commit`, which must append them in order in
    /// one transaction, or throw and append none. Its second argument hands over the events
    /// recorded since the batch was taken (up to ``maximumBatch`` in all): once handed
    /// over they are the batch's last events, appended or failed with it.
    init(
        maximumPending: Int = AuditWriter.maximumPending,
        commit: @escaping @Sendable (_ batch: [AuditEvent], _ takeLate: () -> [AuditEvent]) throws -> Void
    ) {
        queue = Queue(maximumPending: maximumPending, commit: commit)
    }

    /// Queues an event for the next batch; returns at once.
    ///
    /// - Parameter event: The event.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when ``maximumPending`` events
    ///   already wait because batches keep failing (the message says why).
    public func record(_ event: AuditEvent) throws {
        try queue.enqueue(event, waiter: nil)
    }

    /// Queues an event and returns once it is durable: once the transaction holding it
    /// has committed. The calling task is suspended meanwhile, never its thread.
    ///
    /// - Parameter event: The event.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the event's batch failed
    ///   to commit (the event is then not in the log and never will be) or when
    ///   ``maximumPending`` events already wait.
    public func recordDurably(_ event: AuditEvent) async throws {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            do {
                try queue.enqueue(event, waiter: waiter)
            } catch {
                waiter.resume(throwing: error)
            }
        }
    }

    /// Returns once every event recorded before the call is durable (or, for events
    /// recorded with ``recordDurably(_:)``, has failed and been reported to its caller).
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when a batch fails after the
    ///   call began; events queued with ``record(_:)`` stay queued and are retried.
    public func flush() throws {
        try queue.flush()
    }

    /// How many recorded events are not yet committed (nor dropped).
    public var pendingCount: Int { queue.pendingCount }

    /// The last batch failure, `nil` once a batch commits again.
    public var lastFailure: KeyStoreError? { queue.lastFailure }

    /// Makes every following commit run `fault` first, which fails the batch if it
    /// throws; `nil` removes it. For tests that need the log to fail on demand.
    func injectFault(_ fault: (@Sendable ([AuditEvent]) throws -> Void)?) {
        queue.injectFault(fault)
    }
}

/// The writer's state and its thread.
///
/// `@unchecked Sendable`: every mutable field is read and written only while `condition`
/// is locked; the commit closure is `@Sendable`.
private final class Queue: @unchecked Sendable {
    /// A queued event, its place in recording order, and who waits for it, if anyone.
    struct Entry {
        var event: AuditEvent
        var sequence: UInt64
        var waiter: CheckedContinuation<Void, any Error>?
    }

    private let condition = NSCondition()
    private let commit: @Sendable ([AuditEvent], () -> [AuditEvent]) throws -> Void
    private let maximumPending: Int
    private var fault: (@Sendable ([AuditEvent]) throws -> Void)? = nil

    /// Events not yet taken by the thread, in recording order.
    private var pending: [Entry] = []
    /// The batch being committed: its first sequence number and size.
    private var inFlightFirst: UInt64? = nil
    private var inFlightCount = 0
    /// The events the commit in flight took in after its batch was taken (``takeLate()``).
    private var late: [Entry] = []
    /// The sequence number the next recorded event gets.
    private var nextSequence: UInt64 = 1
    private var thread = WriterThread(name: "sigil-audit-writer")
    private var failure: KeyStoreError? = nil
    /// Commit attempts started, and the number of the last one that failed.
    private var attempts: UInt64 = 0
    private var lastFailedAttempt: UInt64 = 0

    init(maximumPending: Int, commit: @escaping @Sendable ([AuditEvent], () -> [AuditEvent]) throws -> Void) {
        self.maximumPending = maximumPending
        self.commit = commit
    }

    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count + inFlightCount
    }

    var lastFailure: KeyStoreError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    func injectFault(_ fault: (@Sendable ([AuditEvent]) throws -> Void)?) {
        condition.lock()
        defer { condition.unlock() }
        self.fault = fault
    }

    /// The sequence number of the oldest event whose fate is not yet known: everything
    /// before it is committed or dropped. A failed batch's kept events go back to the
    /// front of `pending`, so `pending` stays in order.
    private var oldestUnsettled: UInt64 {
        inFlightFirst ?? pending.first?.sequence ?? nextSequence
    }

    func enqueue(_ event: AuditEvent, waiter: CheckedContinuation<Void, any Error>?) throws {
        condition.lock()
        defer { condition.unlock() }
        guard pending.count < maximumPending else {
            throw KeyStoreError(
                .storageFailure,
                "the audit log is \(pending.count) events behind and refuses more: "
                    + (failure.map { "appending fails: \($0.message)" } ?? "the disk cannot keep up"))
        }
        pending.append(Entry(event: event, sequence: nextSequence, waiter: waiter))
        nextSequence += 1
        // A thread waiting for a retry ignores the wake-up.
        thread.workQueued(queued: pending.count, condition: condition) { [self] in run() }
    }

    /// The events recorded since the batch in flight was taken, up to the batch limit,
    /// which from now on belong to that batch. Called by the commit, on the writer's thread.
    private func takeLate() -> [AuditEvent] {
        condition.lock()
        defer { condition.unlock() }
        let room = AuditWriter.maximumBatch - inFlightCount
        guard room > 0, !pending.isEmpty else { return [] }
        let taken = pending.prefix(room)
        pending.removeFirst(taken.count)
        late.append(contentsOf: taken)
        inFlightCount += taken.count
        return taken.map(\.event)
    }

    func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        let target = nextSequence - 1
        let attemptsBefore = attempts
        while oldestUnsettled <= target {
            // Only an attempt that started after this call counts: one already under
            // way may have read the state the caller has since repaired.
            if lastFailedAttempt > attemptsBefore, let failure {
                throw KeyStoreError(
                    .storageFailure,
                    "the audit log could not be written (\(pending.count) events wait and will be retried): "
                        + failure.message)
            }
            condition.wait()
        }
    }

    /// The thread's loop: wait for events, commit all that wait (up to the batch limit),
    /// tell their waiters, repeat; end after a second of idleness.
    private func run() {
        condition.lock()
        defer { condition.unlock() }
        var retryDelay: TimeInterval = 0.05
        var spare: [Entry] = []
        while true {
            guard thread.awaitWork(condition: condition, whileIdle: { pending.isEmpty }) else { return }
            var batch: [Entry]
            if pending.count <= AuditWriter.maximumBatch {
                // Take the whole queue; the emptied buffer of the last batch takes its place.
                batch = pending
                pending = spare
            } else {
                batch = Array(pending.prefix(AuditWriter.maximumBatch))
                pending.removeFirst(AuditWriter.maximumBatch)
            }
            inFlightFirst = batch[0].sequence
            inFlightCount = batch.count
            attempts += 1
            let attempt = attempts
            let fault = self.fault
            condition.unlock()

            let events = batch.map(\.event)
            var failed: KeyStoreError? = nil
            do {
                try fault?(events)
                try commit(events) { takeLate() }
            } catch let error as KeyStoreError {
                failed = error
            } catch {
                failed = KeyStoreError(.storageFailure, "appending to the audit log failed: \(error)")
            }
            // Settle the batch in the writer's state first, so that a caller resumed below
            // already finds its event neither pending nor in flight; then wake the waiters
            // outside the lock (resuming only schedules them).
            condition.lock()
            batch.append(contentsOf: late)
            late.removeAll(keepingCapacity: true)
            inFlightFirst = nil
            inFlightCount = 0
            var kept: [Entry] = []
            if let failed {
                failure = failed
                lastFailedAttempt = attempt
                // Events nobody waits for go back to the front: order is kept, nothing
                // is lost. Those whose callers are told of the failure are dropped.
                kept = batch.filter { $0.waiter == nil }
                pending.insert(contentsOf: kept, at: 0)
            } else {
                failure = nil
                retryDelay = 0.05
            }
            condition.broadcast()
            condition.unlock()
            for entry in batch {
                guard let waiter = entry.waiter else { continue }
                if let failed { waiter.resume(throwing: failed) } else { waiter.resume() }
            }

            condition.lock()
            if !kept.isEmpty {
                let retryAt = Date().addingTimeInterval(retryDelay)
                while condition.wait(until: retryAt) {}
                retryDelay = min(retryDelay * 2, 2)
            }
            batch.removeAll(keepingCapacity: true)
            spare = batch
        }
    }
}
