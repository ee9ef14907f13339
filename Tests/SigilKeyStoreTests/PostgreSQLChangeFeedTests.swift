import Foundation
import NIOPosix
import PostgresNIO
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Changes committed by one node reach the others through PostgreSQL, and a lost feed says so")
struct PostgreSQLChangeFeedTests {
    /// What a listener heard, in order, and when each event was handed to it.
    final class Heard: Sendable {
        private let events = Locked<[(event: PostgreSQLChangeFeed.Event, at: ContinuousClock.Instant)]>([])
        func append(_ event: PostgreSQLChangeFeed.Event) { events.withLock { $0.append((event, .now)) } }
        var all: [PostgreSQLChangeFeed.Event] { events.withLock { $0.map(\.event) } }

        /// Waits up to `seconds` until `condition` holds of what was heard, and returns when
        /// it first held: when the listener was handed the event that made it hold.
        ///
        /// A test of how fast an event arrives compares that time with when it was sent,
        /// not with when this wait noticed: the wait polls on Swift's cooperative threads,
        /// which other suites running at once may keep busy for a while.
        @discardableResult
        func wait(
            _ what: String, seconds: Double = 30, _ condition: ([PostgreSQLChangeFeed.Event]) -> Bool
        ) async throws -> ContinuousClock.Instant {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while true {
                let heard = events.withLock { $0 }
                if condition(heard.map(\.event)) {
                    guard !heard.isEmpty else { return .now }
                    // The shortest prefix that satisfies the condition ends with the event that did.
                    let first = (1...heard.count).first { condition(heard.prefix($0).map(\.event)) } ?? heard.count
                    return heard[first - 1].at
                }
                guard ContinuousClock.now < deadline else { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw TestFailure("not within \(seconds) s: \(what); heard \(all)")
        }
    }

    /// Announces `change` in a transaction that commits (or, with `commit` false, rolls
    /// back), driven from a thread of its own rather than from Swift's cooperative threads,
    /// which other suites running at once may keep busy: so the time it returns, taken just
    /// before the COMMIT is sent, is when the change was committed, however loaded the
    /// machine is.
    static func announce(_ change: String, commit: Bool = true, to url: PostgreSQLURL, password: String?) async throws -> ContinuousClock.Instant {
        let configuration = try url.connectionConfiguration(password: password)
        return try await TestSupport.onOwnThread {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            defer { try? group.syncShutdownGracefully() }
            let connection = try PostgresConnection.connect(
                on: group.next(), configuration: configuration, id: 1, logger: Logger(label: "feed-test")
            ).wait()
            defer { try? connection.close().wait() }
            _ = try connection.simpleQuery("BEGIN").wait()
            _ = try connection.simpleQuery("SELECT pg_notify('\(PostgreSQLChangeFeed.channel)', '\(change)')").wait()
            let sent = ContinuousClock.now
            _ = try connection.simpleQuery(commit ? "COMMIT" : "ROLLBACK").wait()
            return sent
        }
    }

    /// Runs `body` with a throwaway cluster and a listener of it that has begun listening.
    func withListener(_ body: (PostgreSQLServer, PostgreSQLURL, Heard) async throws -> Void) async throws {
        try await withPostgreSQLServer { server in
            let url = try PostgreSQLURL("postgresql://\(server.user)@127.0.0.1:\(server.port)/\(server.database)?sslmode=disable")
            let heard = Heard()
            let feed = try url.connectionConfiguration(password: server.password)
            let listener = Task {
                await PostgreSQLChangeFeed.listen(configuration: feed, logger: Logger(label: "feed-test")) { heard.append($0) }
            }
            defer { listener.cancel() }
            // Connecting may take a while on a loaded machine; delivery is what must be quick.
            try await heard.wait("listening") { $0 == [.listening] }
            try await body(server, url, heard)
        }
    }

    @Test("Announced in a committed transaction: heard within 1 s; rolled back: never; across a server restart: interrupted, listening again, heard")
    func announcements() async throws {
        try await withListener { server, url, heard in
            // Heard within 1 s of the commit: measured from when the listener was handed each
            // event, not from when this test's polling noticed it.
            var sent = try await Self.announce("key/1", to: url, password: server.password)
            var arrived = try await heard.wait("key/1") { $0.contains(.changed("key/1")) }
            #expect(arrived - sent < .seconds(1), "key/1 took \(arrived - sent)")

            _ = try await Self.announce("key/rolled-back", commit: false, to: url, password: server.password)
            sent = try await Self.announce("key/2", to: url, password: server.password)
            arrived = try await heard.wait("key/2") { $0.contains(.changed("key/2")) }
            #expect(arrived - sent < .seconds(1), "key/2 took \(arrived - sent)")
            #expect(!heard.all.contains(.changed("key/rolled-back")))

            try await server.restart()
            try await heard.wait("interrupted, then listening again") {
                $0.suffix(2) == [.interrupted, .listening]
            }
            sent = try await Self.announce("key/3", to: url, password: server.password)
            arrived = try await heard.wait("key/3 after the restart") { $0.last == .changed("key/3") }
            #expect(arrived - sent < .seconds(1), "key/3 took \(arrived - sent)")
            // A loaded machine may also see a probe go unanswered in time: an extra
            // interruption is allowed, a lost or invented announcement is not.
            let changes = heard.all.filter { if case .changed = $0 { true } else { false } }
            #expect(changes == [.changed("key/1"), .changed("key/2"), .changed("key/3")], "\(heard.all)")
            #expect(heard.all.first == .listening && heard.all.contains(.interrupted), "\(heard.all)")
        }
    }

    @Test("A new key is announced as a change to keys only; an access key made or revoked as a change to the store, which empties every cache; a write that fails, never")
    func announcementsSayWhatChanged() async throws {
        // A database of the shared test cluster, not a cluster of its own: the tests beside
        // this one time their listeners, and a third initdb at once slows them.
        guard let fixture = try await StoreFixture(.postgreSQL) else { return }
        guard case .postgreSQL(let url, let password) = fixture.location else {
            throw TestFailure("a PostgreSQL fixture without a PostgreSQL location")
        }
        let store = fixture.store
        let heard = Heard()
        let feed = try url.connectionConfiguration(password: password)
        let listener = Task {
            await PostgreSQLChangeFeed.listen(configuration: feed, logger: Logger(label: "feed-test")) { heard.append($0) }
        }
        defer { listener.cancel() }
        try await heard.wait("listening") { $0 == [.listening] }
        func changes(_ events: [PostgreSQLChangeFeed.Event]) -> [PostgreSQLChangeFeed.Event] {
            events.filter { if case .changed = $0 { true } else { false } }
        }
        // The store's calls block their thread: on one of their own, so that the other
        // tests' listeners keep Swift's cooperative threads.
        _ = try await TestSupport.onOwnThread {
            try store.createKey(account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt)
        }
        // What is said is checked here; how fast, by the test above. A new key is not
        // announced (nothing any node holds is stale because of it); a write announces its
        // change before it takes the writers' lock, and one that fails after that rolls
        // back, and no node may hear of it. Were either heard, it would come before the two
        // below, and the last wait would see one change too many.
        let refused = try await TestSupport.onOwnThread { () -> KeyStoreError.Code? in
            do {
                try store.revokeAccessKey("AKIANOSUCHACCESSKEY0")
                return nil
            } catch let error as KeyStoreError {
                return error.code
            }
        }
        #expect(refused == .notFound)
        try await TestSupport.onOwnThread {
            let (accessKeyID, _) = try store.createAccessKey(
                principal: "arn:aws:iam::\(StoreFixture.account):root", account: StoreFixture.account)
            try store.revokeAccessKey(accessKeyID)
        }
        let expected: [PostgreSQLChangeFeed.Event] = [.changed("store"), .changed("store")]
        try await heard.wait("the access key made and revoked") { changes($0) == expected }
    }

    @Test("A connection that stops answering without closing (its server process frozen) is noticed (in about 0.75 s; within 5 s on a loaded machine), and the listener connects again")
    func silentConnectionIsNoticed() async throws {
        try await withListener { server, url, heard in

            // The listener's server process, frozen: its socket stays open and silent.
            let backends = try await withPostgresClient(url.clientConfiguration(password: server.password)) { client in
                var pids: [Int32] = []
                for try await pid in try await client.query(
                    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                ).decode(Int32.self) {
                    pids.append(pid)
                }
                return pids
            }
            #expect(backends.count == 1, "\(backends)")
            for pid in backends { #expect(kill(pid, SIGSTOP) == 0) }
            let frozen = ContinuousClock.now
            defer { for pid in backends { kill(pid, SIGCONT) } }
            // The listener may already be listening again on a new connection (the frozen
            // one is not needed for that) by the time this wait looks.
            let noticed = try await heard.wait("interrupted") { $0.contains(.interrupted) } - frozen
            print("change feed: a silent connection was noticed after \(noticed)")
            // A probe every 250 ms, unanswered after 500 ms: about 0.75 s on an idle machine;
            // the bound leaves room for a machine busy with every other suite at once.
            #expect(noticed < .seconds(5))
            try await heard.wait("listening again on a new connection") {
                $0.drop { $0 != .interrupted }.contains(.listening)
            }
        }
    }
}
