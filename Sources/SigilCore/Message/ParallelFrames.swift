import FoundationEssentials
import Dispatch
import Synchronization

/// Frames are independent (each has its own nonce and tag), so a batch of them can be
/// sealed or opened on several cores at once; this runs such a batch.
///
/// Each worker owns one `AESGCMCipher` (an OpenSSL context is not thread-safe) and takes
/// the next frame not yet taken, so a worker that the scheduler holds back (the read-ahead
/// thread shares the cores) does not hold the whole batch back; each frame has its own
/// input and output range, so no two workers ever write the same bytes.
final class FrameWorkers: @unchecked Sendable {
    // `@unchecked Sendable`: `ciphers[i]` is used only by worker i, and the error slots
    // are written at distinct indices and read only after `concurrentPerform` returns.
    private var ciphers: [AESGCMCipher]
    private let contentKey: SecureBytes

    /// How many threads a batch may use: the active cores, at most 8.
    static let defaultThreadCount = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))

    init(first: AESGCMCipher, contentKey: SecureBytes, threads: Int) throws {
        self.contentKey = contentKey
        ciphers = [first]
        for _ in 1..<max(1, threads) {
            ciphers.append(try AESGCMCipher(key: contentKey))
        }
    }

    var count: Int { ciphers.count }

    /// The cipher of the first worker, for frames handled one at a time.
    var primary: AESGCMCipher { ciphers[0] }

    /// Runs `body(cipher, index)` for every index in `0..<frames`, spread over the
    /// workers; rethrows the error of the lowest failing index.
    func run(frames: Int, _ body: (AESGCMCipher, Int) throws -> Void) throws {
        let workers = min(ciphers.count, frames)
        guard workers > 1 else {
            for index in 0..<frames { try body(ciphers[0], index) }
            return
        }
        let failures = FailureSlots()
        let nextFrame = FrameCounter()
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBody(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while true {
                    let index = nextFrame.take()
                    guard index < frames else { return }
                    do {
                        try shared.body(ciphers[worker], index)
                    } catch {
                        failures.record(error, at: index)
                        return
                    }
                }
            }
        }
        if let error = failures.first { throw error }
    }
}

/// A closure handed to worker threads. `@unchecked Sendable`: the closures passed to
/// `FrameWorkers.run` touch only their own frame's input and output ranges and the
/// worker's own cipher.
private struct UncheckedBody: @unchecked Sendable {
    let body: (AESGCMCipher, Int) throws -> Void
    init(_ body: @escaping (AESGCMCipher, Int) throws -> Void) { self.body = body }
}

/// Hands out frame indices, each once, to whichever worker asks first.
private final class FrameCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int {
        next.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

/// The error of the lowest failing frame index, behind a lock.
private final class FailureSlots: Sendable {
    private let lowest = Locked<(index: Int, error: any Error)?>(nil)

    func record(_ error: any Error, at index: Int) {
        lowest.withLock { lowest in
            if lowest == nil || index < lowest!.index { lowest = (index, error) }
        }
    }

    var first: (any Error)? {
        lowest.withLock { $0?.error }
    }
}
