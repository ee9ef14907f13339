import Foundation

/// The life of a writer's thread, as the audit writer (``AuditWriter``) and the key writer
/// (``KeyCreationWriter``) both run one: started by the first piece of work queued, woken
/// by work that arrives while it waits for some, and ended after a second with none.
///
/// It keeps no lock of its own: its owner calls it only while holding the `condition` that
/// guards the owner's queue, and the thread waits on that condition.
struct WriterThread {
    /// The thread's name, as tools that list threads show it.
    let name: String
    private var running = false
    /// While the thread waits in ``gather(condition:queued:capacity:atMost:)``, the capacity it waits for.
    private var gatheringUpTo: Int? = nil

    init(name: String) {
        self.name = name
    }

    /// Called, with `condition` locked, once work is queued (`queued` items wait now): starts
    /// a thread that runs `body` when none runs; otherwise wakes the thread when it may be
    /// waiting for this work: when the queue was empty before it, or when the thread gathers
    /// (``gather(condition:queued:capacity:atMost:)``) and the queue is full.
    mutating func workQueued(queued: Int, condition: NSCondition, body: @escaping @Sendable () -> Void) {
        if !running {
            running = true
            let thread = Thread(block: body)
            thread.name = name
            thread.start()
        } else if queued == 1 || gatheringUpTo.map({ queued >= $0 }) == true {
            condition.broadcast()
        }
    }

    /// Called on the thread, with `condition` locked, before it takes work: waits while
    /// `isIdle()` holds, for a second at most. Returns `false` when it still holds: the
    /// thread counts as ended from then on and must return, unlocking `condition`; work
    /// queued afterwards starts a new one.
    mutating func awaitWork(condition: NSCondition, whileIdle isIdle: () -> Bool) -> Bool {
        guard isIdle() else { return true }
        let idleUntil = Date().addingTimeInterval(1)
        while isIdle() && condition.wait(until: idleUntil) {}
        if isIdle() {
            running = false
            return false
        }
        return true
    }

    /// Called on the thread, with `condition` locked, before it takes work that another
    /// node contends for: waits for `limit`, or until `capacity` items are queued
    /// (`queued()`), whichever comes first. This is group commit's delay, as PostgreSQL's
    /// `commit_delay` is for its own commits.
    ///
    /// Two nodes of one store take the writers' lock in turn, and each turn costs both the
    /// node and PostgreSQL the same few statements however much it carries. Taken at once,
    /// a node's turn carries only what arrived during the other node's turn, so the pair
    /// makes more turns for the same work than one node would, and spends more on them. A
    /// short wait, while the other node holds the lock anyway, fills the turns. It adds at
    /// most `limit` to a request, and only while another node writes: a lone node never
    /// waits.
    mutating func gather(condition: NSCondition, queued: () -> Int, capacity: Int, atMost limit: TimeInterval) {
        guard queued() < capacity else { return }
        gatheringUpTo = capacity
        defer { gatheringUpTo = nil }
        let deadline = Date().addingTimeInterval(limit)
        while queued() < capacity && condition.wait(until: deadline) {}
    }
}
