import Foundation

/// A key made by ``KeyStore/makeKey(account:region:spec:usage:description:policy:tags:now:audit:)``
/// and not stored yet: its record, its sealed material, its tags and its audit event.
/// Nothing in it is secret: the material is sealed under the root key.
public struct NewKey: Sendable {
    /// The key as it reads once stored.
    public let record: KeyRecord
    let sealed: [UInt8]
    let tags: [KeyTag]
    let audit: AuditEvent?
}

/// Stores new keys in groups: group commit for key creation.
///
/// Every write on every node of a store waits for one lock, and over PostgreSQL a write
/// holds it for two round trips to its node. A new key reads nothing another write
/// changes, so the keys of requests that arrive together go in together: a dedicated
/// thread stores everything queued in one transaction (one lock, one commit, one audit
/// append of their events in the order they were queued), at once when it is idle, and
/// otherwise as soon as the transaction under way ends. No key waits for a timer.
///
/// A group that fails is tried again key by key, so that a key that cannot be stored
/// fails alone; each caller gets its own key's outcome. A key is stored with its audit
/// event or not at all, as by ``KeyStore/createKey(account:region:spec:usage:description:policy:tags:now:audit:)``.
///
/// While another node writes too (`contended`), the thread gathers before it takes a
/// group: it waits for ``contendedGathering``, or until a group's worth of keys is queued
/// (see ``WriterThread/gather(condition:queued:capacity:atMost:)``). The audit writer does
/// not: its batches take in the events that arrive while they wait for the lock, but a
/// group's keys are fixed once its transaction begins.
///
/// The thread starts with the first key and ends after a second with nothing to do.
final class KeyCreationWriter: Sendable {
    /// The most keys one transaction stores.
    static let maximumGroup = 64
    /// The longest the thread gathers keys before a group another node contends for.
    static let contendedGathering: TimeInterval = 0.001

    private let queue: Queue

    /// A writer that stores groups with `insert`, which must store all of them in one
    /// transaction, or throw and store none. `contended` says whether another node wrote
    /// since this one's last write; `gathering` is the longest the thread then gathers.
    init(
        contended: @escaping @Sendable () -> Bool = { false }, gathering: TimeInterval = KeyCreationWriter.contendedGathering,
        insert: @escaping @Sendable ([NewKey]) throws -> Void
    ) {
        queue = Queue(contended: contended, gathering: gathering, insert: insert)
    }

    /// Queues `key` for the next group and returns once that group has committed.
    /// The calling task is suspended meanwhile, never its thread.
    func store(_ key: NewKey) async throws {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            queue.enqueue(key, waiter: waiter)
        }
    }

    /// How many keys wait for a group (not counting the group being stored).
    var pendingCount: Int { queue.pendingCount }

    /// Makes every following group run `hook` first, which fails the group if it throws;
    /// `nil` removes it. For tests that need to see or fail groups.
    func injectBeforeInsert(_ hook: (@Sendable ([NewKey]) throws -> Void)?) {
        queue.injectBeforeInsert(hook)
    }
}

/// The writer's state and its thread.
///
/// `@unchecked Sendable`: every mutable field is read and written only while `condition`
/// is locked; the insert closure is `@Sendable`.
private final class Queue: @unchecked Sendable {
    struct Entry {
        var key: NewKey
        var waiter: CheckedContinuation<Void, any Error>
    }

    private let condition = NSCondition()
    private let insert: @Sendable ([NewKey]) throws -> Void
    private let contended: @Sendable () -> Bool
    private let gathering: TimeInterval
    private var hook: (@Sendable ([NewKey]) throws -> Void)? = nil
    private var pending: [Entry] = []
    private var thread = WriterThread(name: "sigil-key-writer")

    init(contended: @escaping @Sendable () -> Bool, gathering: TimeInterval, insert: @escaping @Sendable ([NewKey]) throws -> Void) {
        self.contended = contended
        self.gathering = gathering
        self.insert = insert
    }

    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    func injectBeforeInsert(_ hook: (@Sendable ([NewKey]) throws -> Void)?) {
        condition.lock()
        defer { condition.unlock() }
        self.hook = hook
    }

    func enqueue(_ key: NewKey, waiter: CheckedContinuation<Void, any Error>) {
        condition.lock()
        defer { condition.unlock() }
        pending.append(Entry(key: key, waiter: waiter))
        thread.workQueued(queued: pending.count, condition: condition) { [self] in run() }
    }

    /// The thread's loop: wait for keys, store all that wait (up to the group limit),
    /// tell their callers, repeat; end after a second of idleness.
    private func run() {
        condition.lock()
        while true {
            guard thread.awaitWork(condition: condition, whileIdle: { pending.isEmpty }) else {
                condition.unlock()
                return
            }
            if contended() {
                thread.gather(
                    condition: condition, queued: { pending.count }, capacity: KeyCreationWriter.maximumGroup, atMost: gathering)
            }
            let group = Array(pending.prefix(KeyCreationWriter.maximumGroup))
            pending.removeFirst(group.count)
            let hook = self.hook
            condition.unlock()

            let outcomes = store(group.map(\.key), hook: hook)
            for (entry, outcome) in zip(group, outcomes) {
                if let outcome { entry.waiter.resume(throwing: outcome) } else { entry.waiter.resume() }
            }
            condition.lock()
        }
    }

    /// Each key's failure, `nil` for a key stored: the group in one transaction, or when
    /// that fails, each key in one of its own.
    private func store(_ keys: [NewKey], hook: (@Sendable ([NewKey]) throws -> Void)?) -> [(any Error)?] {
        func attempt(_ keys: [NewKey]) -> (any Error)? {
            do {
                try hook?(keys)
                try insert(keys)
                return nil
            } catch {
                return error
            }
        }
        let failure = attempt(keys)
        guard let failure else { return Array(repeating: nil, count: keys.count) }
        guard keys.count > 1 else { return [failure] }
        return keys.map { attempt([$0]) }
    }
}
