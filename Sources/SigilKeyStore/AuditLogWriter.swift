public import Foundation
public import SigilCrypto

/// Appends the events of requests that change nothing (Sign, Decrypt, GenerateDataKey,
/// refusals, failures) to the audit log in batches: group commit.
///
/// ``record(_:)`` only queues the event and returns; a dedicated thread appends what is
/// queued in one transaction (one fsync) once ``batchSize`` events wait or
/// ``batchDelay`` has passed since the oldest arrived, whichever is first, at most
/// ``maximumBatch`` per transaction. Events enter the chain in the order they were
/// recorded, interleaved with the events of mutations in commit order.
///
/// An event is durable only once its batch commits: a crash loses at most the last few
/// milliseconds of recorded events, never a committed one. Call ``flush()`` to wait for
/// everything recorded so far (a server does at shutdown).
///
/// A batch that fails to commit is kept, at the front of the queue, and retried with a
/// growing delay (50 ms doubling to 2 s): nothing is dropped. ``flush()`` throws the
/// failure; ``record(_:)`` throws once ``maximumPending`` events wait, so that a
/// broken log stops the requests it cannot record instead of forgetting them.
///
/// The thread starts with the first event and ends after a second with nothing to do.
public final class AuditWriter: Sendable {
    /// The queue length at which a batch is committed without waiting for ``batchDelay``.
    public static let batchSize = 512
    /// How long the oldest queued event waits for others to share its commit.
    public static let batchDelay: TimeInterval = 0.01
    /// The most events one transaction appends.
    public static let maximumBatch = 4096
    /// The most events waiting before ``record(_:)`` refuses more.
    public static let maximumPending = 262_144

    private let queue: Queue

    /// A writer that appends batches with `commit`, which must append them in order in
    /// one transaction, or throw and append none.
    init(commit: @escaping @Sendable ([AuditEvent]) throws -> Void) {
        queue = Queue(commit: commit)
    }

    /// Queues an event for the next batch; returns at once.
    ///
    /// - Parameter event: The event.
    /// - Throws: ``SigilError`` with code `storageFailure` when ``maximumPending`` events
    ///   already wait because batches keep failing (the message says why).
    public func record(_ event: AuditEvent) throws {
        try queue.record(event)
    }

    /// Returns once every event recorded before the call is durable.
    ///
    /// - Throws: ``SigilError`` with code `storageFailure` when a batch fails after the
    ///   call began; its events stay queued and are retried.
    public func flush() throws {
        try queue.flush()
    }

    /// How many recorded events are not yet committed.
    public var pendingCount: Int { queue.pendingCount }

    /// The last batch failure, `nil` once a batch commits again.
    public var lastFailure: SigilError? { queue.lastFailure }
}

/// The writer's state and its thread.
///
/// `@unchecked Sendable`: every mutable field is read and written only while `condition`
/// is locked; the commit closure is `@Sendable`.
private final class Queue: @unchecked Sendable {
    private let condition = NSCondition()
    private let commit: @Sendable ([AuditEvent]) throws -> Void

    private var pending: [AuditEvent] = []
    /// When the oldest pending event arrived.
    private var oldest = Date()
    /// Events ever recorded, and how many of them (the first ones) are committed.
    private var recorded: UInt64 = 0
    private var committed: UInt64 = 0
    /// Commit at once until `committed` reaches this: someone is flushing.
    private var flushTarget: UInt64 = 0
    private var running = false
    private var failure: SigilError? = nil
    /// Commit attempts started, and the number of the last one that failed.
    private var attempts: UInt64 = 0
    private var lastFailedAttempt: UInt64 = 0

    init(commit: @escaping @Sendable ([AuditEvent]) throws -> Void) {
        self.commit = commit
    }

    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return Int(recorded - committed)
    }

    var lastFailure: SigilError? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    func record(_ event: AuditEvent) throws {
        condition.lock()
        defer { condition.unlock() }
        guard pending.count < AuditWriter.maximumPending else {
            throw SigilError(
                .storageFailure,
                "the audit log is \(pending.count) events behind and refuses more: "
                    + (failure.map { "appending fails: \($0.message)" } ?? "the disk cannot keep up"))
        }
        if pending.isEmpty {
            oldest = Date()
            pending.reserveCapacity(AuditWriter.batchSize)
        }
        pending.append(event)
        recorded += 1
        if !running {
            running = true
            let thread = Thread { [self] in run() }
            thread.name = "sigil-audit-writer"
            thread.start()
        } else if pending.count == 1 || pending.count == AuditWriter.batchSize {
            // The thread waits for the first event, then for a full batch or the delay.
            condition.broadcast()
        }
    }

    func flush() throws {
        condition.lock()
        defer { condition.unlock() }
        let target = recorded
        guard committed < target else { return }
        flushTarget = max(flushTarget, target)
        let attemptsBefore = attempts
        condition.broadcast()
        while committed < target {
            // Only an attempt that started after this call counts: one already under
            // way may have read the state the caller has since repaired.
            if lastFailedAttempt > attemptsBefore, let failure {
                throw SigilError(
                    .storageFailure,
                    "the audit log could not be written (\(pending.count) events wait and will be retried): "
                        + failure.message)
            }
            condition.wait()
        }
    }

    /// The thread's loop: wait for events, gather a batch, commit it, repeat; end after
    /// a second of idleness.
    private func run() {
        condition.lock()
        defer { condition.unlock() }
        var retryDelay: TimeInterval = 0.05
        while true {
            if pending.isEmpty {
                let idleUntil = Date().addingTimeInterval(1)
                while pending.isEmpty && condition.wait(until: idleUntil) {}
                if pending.isEmpty {
                    running = false
                    return
                }
            }
            let deadline = oldest.addingTimeInterval(AuditWriter.batchDelay)
            while pending.count < AuditWriter.batchSize && committed >= flushTarget
                && condition.wait(until: deadline)
            {}
            let batch: [AuditEvent]
            if pending.count <= AuditWriter.maximumBatch {
                batch = pending
                pending = []
            } else {
                batch = Array(pending.prefix(AuditWriter.maximumBatch))
                pending.removeFirst(AuditWriter.maximumBatch)
                oldest = Date()
            }

            attempts += 1
            let attempt = attempts
            condition.unlock()
            var failed: SigilError? = nil
            do {
                try commit(batch)
            } catch let error as SigilError {
                failed = error
            } catch {
                failed = SigilError(.storageFailure, "appending to the audit log failed: \(error)")
            }
            condition.lock()

            if let error = failed {
                // Back to the front: order is kept, nothing is lost.
                if pending.isEmpty { oldest = Date() }
                pending.insert(contentsOf: batch, at: 0)
                failure = error
                lastFailedAttempt = attempt
                condition.broadcast()
                let retryAt = Date().addingTimeInterval(retryDelay)
                while condition.wait(until: retryAt) {}
                retryDelay = min(retryDelay * 2, 2)
            } else {
                committed += UInt64(batch.count)
                failure = nil
                retryDelay = 0.05
                condition.broadcast()
            }
        }
    }
}
