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

    init(name: String) {
        self.name = name
    }

    /// Called, with `condition` locked, once work is queued: starts a thread that runs
    /// `body` when none runs; otherwise, when the queue was empty before this work, wakes
    /// the thread, which may be waiting for some.
    mutating func workQueued(queueWasEmpty: Bool, condition: NSCondition, body: @escaping @Sendable () -> Void) {
        if !running {
            running = true
            let thread = Thread(block: body)
            thread.name = name
            thread.start()
        } else if queueWasEmpty {
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
}
