import SigilCrypto

/// Key records found by ``KeyStore/resolveKey(_:account:region:)``, kept in memory until
/// the next write.
///
/// Profiling the key holder under load showed each request spending over a third of its
/// time resolving its key: a read transaction and a freshly prepared SQL statement (and
/// a second one for an alias). Keys change only through this store's writes, so every
/// write starts a new generation and empties the cache. A look-up that began before a
/// write may finish after it with what it read before; it is stored only if no write
/// happened in between, so a stale record is never cached. Another process writing the
/// same database (a command run beside the server) is seen within ``lifetime``.
final class ResolutionCache: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var records: [String: (record: KeyRecord, loaded: ContinuousClock.Instant)] = [:]
    }

    private let state = Locked(State())

    /// The most records kept; past it the cache starts afresh (a bounded cost).
    static let capacity = 8192
    /// How long a record is trusted without a new look-up.
    static let lifetime = Duration.seconds(1)

    /// The cached record for `slot`, or the one `load` finds (cached when it exists).
    func record(_ slot: String, load: () throws -> KeyRecord?) rethrows -> KeyRecord? {
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { ($0.records[slot], $0.generation) }
        if let cached, now - cached.loaded < Self.lifetime { return cached.record }
        guard let record = try load() else { return nil }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.records.count >= Self.capacity { state.records.removeAll() }
            state.records[slot] = (record, now)
        }
        return record
    }

    /// Forgets every record: called after each write transaction, committed or not.
    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.records.removeAll(keepingCapacity: true)
        }
    }
}
