// `package`: the lock and unlock are inlined into the modules that use `Locked`.
#if canImport(Glibc)
package import Glibc
#elseif canImport(Musl)
package import Musl
#endif

/// A value behind a POSIX mutex: the lock every Sigil module uses for shared mutable state.
///
/// Not the standard library's `Synchronization.Mutex`: on Linux that one locks with futex
/// calls made inside the (uninstrumented) runtime, so ThreadSanitizer never sees the lock
/// and reports every access made under it as a race: `tools/test --sanitize=thread` would
/// drown real races in false ones, or need suppressions broad enough to hide them.
/// ThreadSanitizer intercepts `pthread_mutex_lock`/`unlock`, so it sees this lock, and the
/// uncontended cost is the same atomic exchange. `package`: shared by Sigil's modules, not
/// part of the public API.
package final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is read and written only between lock and unlock of
    // `mutex`, which lives at a fixed heap address for the object's whole life.
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var value: Value

    /// Puts `value` behind a new lock.
    package init(_ value: Value) {
        self.value = value
        self.mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        self.mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(self.mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; `body` must not take this lock again.
    ///
    /// Inlinable, so that a caller in another module gets it specialized for its value and
    /// result: otherwise each call passes them through run-time generic metadata.
    @inlinable
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        let status = pthread_mutex_lock(mutex)
        precondition(status == 0, "pthread_mutex_lock failed: \(status)")
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
