#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts a detached POSIX thread: what `Thread.detachNewThread` did, without Foundation
/// (which FoundationEssentials does not have, and which a lean build must not link).
enum ReaderThread {
    /// The closure travels to the new thread through an unmanaged box, released there.
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread. A thread that cannot be created is a fatal
    /// error, as it was with Foundation's `Thread`: there is no useful way on.
    static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            fatalError("pthread_create failed: \(status)")
        }
        pthread_detach(thread)
    }
}
