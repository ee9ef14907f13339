internal import Foundation

/// A task executor with one thread of its own, which nothing else runs on.
///
/// Swift's cooperative pool has one thread per core, and a task that blocks its thread
/// (the store's synchronous calls wait for PostgreSQL that way) takes one away from every
/// other task until it returns. The change feed must not wait behind them: a node that
/// hears a revocation late serves a revoked access key meanwhile, and one whose probes
/// are late notices a lost connection late. So the feed prefers this executor
/// (`withTaskExecutorPreference`), and its jobs run here whatever the pool is doing.
///
/// The thread lives as long as the process: an executor is made once per use, as a
/// `static let`.
///
/// `@unchecked Sendable`: `jobs` is read and written only while `condition` is locked.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Starts the executor's thread, named `name` (as `ps -L` and debuggers show it).
    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs the jobs in the order they came, for ever.
    private func run() {
        var running: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&running, &jobs)
            condition.unlock()
            for job in running { job.runSynchronously(on: asUnownedTaskExecutor()) }
            running.removeAll(keepingCapacity: true)
        }
    }
}
