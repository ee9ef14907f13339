import Dispatch
import FoundationEssentials

/// Reads a file descriptor ahead, on a thread of its own, into a few large slots, so that
/// reading the next piece of a file overlaps the encryption or decryption of this one.
///
/// Each slot has `headroom` spare bytes before its data, where the consumer puts the bytes
/// it could not use from the previous slot (a partial frame): the unit it needs is then
/// contiguous, and no slot is ever copied whole.
final class ReadAhead: @unchecked Sendable {
    // `@unchecked Sendable`: a slot is written by the reader thread only while it is free,
    // and read by the consumer only after the reader has published it; the semaphores
    // order those accesses. `results` is guarded by `lock`.

    struct Filled {
        let slot: Int
        let count: Int
    }

    let chunkSize: Int
    let headroom: Int
    private let slots: [UnsafeMutableRawBufferPointer]
    private let freeSlots: DispatchSemaphore
    private let filledSlots = DispatchSemaphore(value: 0)
    private let lock = Locked(())
    private var results: [Result<Filled, SigilError>] = []
    private var freeList: [Int]
    private var stopped = false

    init(descriptor: Int32, chunkSize: Int = 4 << 20, headroom: Int = 1 << 20, slotCount: Int = 3) {
        self.chunkSize = chunkSize
        self.headroom = headroom
        slots = (0..<slotCount).map { _ in .allocate(byteCount: headroom + chunkSize, alignment: 64) }
        freeSlots = DispatchSemaphore(value: slotCount)
        freeList = Array(0..<slotCount)
        // A thread of its own, not one of Dispatch's pool: it blocks in read(2) and on a semaphore.
        ReaderThread.start { [self] in self.readLoop(descriptor) }
    }

    deinit {
        slots.forEach { $0.deallocate() }
    }

    private func readLoop(_ descriptor: Int32) {
        while true {
            freeSlots.wait()
            let taken: Int? = lock.withLock { _ in stopped ? nil : freeList.removeFirst() }
            guard let slot = taken else { return }
            let data = UnsafeMutableRawBufferPointer(rebasing: slots[slot][headroom...])
            var count = 0
            var failure: SigilError? = nil
            while count < chunkSize {
                do {
                    let read = try FileIO.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: data[count...]))
                    if read == 0 { break }
                    count += read
                } catch let error as SigilError {
                    failure = error
                    break
                } catch {
                    failure = SigilError(.ioFailure, "\(error)")
                    break
                }
            }
            lock.withLock { _ in
                results.append(failure.map { .failure($0) } ?? .success(Filled(slot: slot, count: count)))
            }
            filledSlots.signal()
            if failure != nil || count < chunkSize { return }
        }
    }

    /// The next slot of data, in order; `count` 0 (or less than a chunk) marks the end.
    func next() throws -> Filled {
        filledSlots.wait()
        let result = lock.withLock { _ in results.removeFirst() }
        return try result.get()
    }

    /// The whole slot: headroom, then data.
    func buffer(_ slot: Int) -> UnsafeMutableRawBufferPointer { slots[slot] }

    /// Gives a slot back for reading.
    func release(_ slot: Int) {
        lock.withLock { _ in freeList.append(slot) }
        freeSlots.signal()
    }

    /// Stops the reader after its current read. Its thread keeps this object (and so the
    /// slots) alive until it leaves, so nothing is freed under it.
    func stop() {
        lock.withLock { _ in stopped = true }
        freeSlots.signal()
    }

    /// Runs `body` over `carry` followed by the data of `filled`, contiguous: in place in
    /// the slot's headroom when `carry` fits there, else in a new array.
    func withRegion<Result>(
        carry: [UInt8], _ filled: Filled, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let slot = slots[filled.slot]
        if carry.count <= headroom {
            let start = headroom - carry.count
            if !carry.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: slot[start..<headroom]).copyBytes(from: carry)
            }
            return try body(UnsafeRawBufferPointer(rebasing: slot[start..<(headroom + filled.count)]))
        }
        let joined = carry + UnsafeRawBufferPointer(rebasing: slot[headroom..<(headroom + filled.count)])
        return try joined.withUnsafeBytes(body)
    }
}
