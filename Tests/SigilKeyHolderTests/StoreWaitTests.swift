import Foundation
import SigilCrypto
import SigilKMS
import SigilKeyHolder
@testable import SigilKeyStore
import SigilTestSupport
import Testing

/// Control-plane calls wait for the store, over PostgreSQL for the writers' lock that every
/// node's writes take in turn: they must not wait on the few threads that run every
/// request's tasks, or a burst of writes from one caller stalls every other caller's
/// signing and decryption until the lock comes free.
@Suite("Control-plane calls that wait for the store")
struct StoreWaitTests {
    @Test("writes waiting for the writers' lock leave the threads that run tasks free; they finish once it is free",
          arguments: StoreBackend.allCases)
    func waitingWritesLeaveTaskThreadsFree(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { kms, holder in
            let writes = 12
            var keys: [String] = []
            for _ in 0..<writes { keys.append(try await kms.createKey().keyId) }

            // Another writer holds the lock (on SQLite, the one writer) from a thread of its
            // own until a task has run while the writes wait, or for a minute at most. The
            // tests in this process share the threads that run tasks, and under CI's load a
            // task may wait seconds for one: so the lock is held until the probe has had its
            // chance, however long that takes, and only a task that cannot run at all (every
            // thread held by a waiting write) keeps it for the whole minute.
            let released = Locked<Date?>(nil)
            let probed = Locked<Date?>(nil)
            let granted = Locked(false)
            let holding = Thread {
                try? holder.store.database.write { db in
                    _ = try db.rows(sql: "SELECT 1")  // waits until the lock is granted
                    granted.withLock { $0 = true }
                    let deadline = Date(timeIntervalSinceNow: 60)
                    while probed.withLock({ $0 }) == nil, Date() < deadline { usleep(10_000) }
                    released.withLock { $0 = Date() }
                }
            }
            holding.start()
            while !granted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }

            let disabling = keys.map { key in Task { try await kms.send(KMS.DisableKeyRequest(keyId: key)) } }
            // Time for every write to reach the store and wait there.
            try await Task.sleep(for: .milliseconds(500))
            await Task.detached { probed.withLock { $0 = Date() } }.value

            for task in disabling { _ = try await task.value }
            for key in keys {
                let described = try await kms.send(KMS.DescribeKeyRequest(keyId: key))
                #expect(described.keyMetadata?.keyState == .disabled)
            }
            let probe = try #require(probed.withLock { $0 })
            let release = try #require(released.withLock { $0 })
            #expect(probe < release, "a task ran only once the lock was free: the waiting writes held every task thread")
        }
    }
}
