public import FoundationEssentials
import Dispatch

/// One signature to check in a batch.
public struct VerificationRequest: Sendable {
    /// The key to check against.
    public var key: PublicKey
    /// The signature; for ECDSA in ``format``.
    public var signature: [UInt8]
    /// The message (RAW) or its digest (DIGEST).
    public var message: [UInt8]
    /// How to read ``message``.
    public var messageType: MessageType
    /// The KMS signing algorithm.
    public var algorithm: SigningAlgorithm
    /// The ECDSA signature encoding.
    public var format: SignatureFormat

    /// Creates a request.
    public init(
        key: PublicKey, signature: [UInt8], message: [UInt8], messageType: MessageType = .raw,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) {
        self.key = key
        self.signature = signature
        self.message = message
        self.messageType = messageType
        self.algorithm = algorithm
        self.format = format
    }
}

/// Verifies many signatures at once, spread over the machine's cores.
///
/// For verifier services with a queue of tokens or messages to check: the same results
/// as calling `isValidSignature` on each, in the same order, in a fraction of the time.
public enum BatchVerifier {
    /// Verifies every request.
    ///
    /// - Parameters:
    ///   - requests: The signatures to check.
    ///   - maximumConcurrency: How many threads to use; the number of active cores by default.
    /// - Returns: One result per request, in order: whether the signature is valid, or the
    ///   ``SigilError`` that made it uncheckable.
    public static func verify(
        _ requests: [VerificationRequest],
        maximumConcurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> [Result<Bool, SigilError>] {
        let workers = max(1, min(maximumConcurrency, requests.count))
        let results = ResultSlots(count: requests.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Each worker takes every `workers`-th request, so that the slots it writes
            // are its own and no lock is needed.
            for index in stride(from: worker, to: requests.count, by: workers) {
                let request = requests[index]
                let result: Result<Bool, SigilError>
                do {
                    result = .success(
                        try request.key.isValidSignature(
                            request.signature, for: request.message, messageType: request.messageType,
                            algorithm: request.algorithm, format: request.format))
                } catch let error as SigilError {
                    result = .failure(error)
                } catch {
                    result = .failure(SigilError(.cryptoFailure, "\(error)"))
                }
                results.store(result, at: index)
            }
        }
        return results.collect()
    }
}

/// Result storage that concurrent workers fill at distinct indices.
///
/// `@unchecked Sendable`: every index is written by exactly one worker, and read only
/// after `concurrentPerform` has returned, which orders the writes before the reads.
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<Bool, SigilError>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ result: Result<Bool, SigilError>, at index: Int) {
        slots[index] = result
    }

    func collect() -> [Result<Bool, SigilError>] {
        slots.map { $0! }
    }
}
