import SigilCrypto

/// Values kept in memory by a string slot, loaded on a miss, with a bounded cost: past
/// `capacity` entries the cache starts afresh. The key holder's caches of unsealed key
/// material and of parsed policies are all this.
final class BoundedCache<Value: Sendable>: Sendable {
    private let entries = Locked<[String: Value]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value in `slot` if there is one that `isCurrent` accepts, else what `load`
    /// returns, which is then kept.
    func value<Failure: Error>(
        _ slot: String, isCurrent: (Value) -> Bool = { _ in true }, load: () throws(Failure) -> Value
    ) throws(Failure) -> Value {
        if let value = entries.withLock({ $0[slot] }), isCurrent(value) { return value }
        let value = try load()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[slot] = value
        }
        return value
    }
}
