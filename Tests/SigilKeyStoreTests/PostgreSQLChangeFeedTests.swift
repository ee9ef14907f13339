import Foundation
import PostgresNIO
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Changes committed by one node reach the others through PostgreSQL, and a lost feed says so")
struct PostgreSQLChangeFeedTests {
    /// What a listener heard, in order.
    final class Heard: Sendable {
        private let events = Locked<[PostgreSQLChangeFeed.Event]>([])
        func append(_ event: PostgreSQLChangeFeed.Event) { events.withLock { $0.append(event) } }
        var all: [PostgreSQLChangeFeed.Event] { events.withLock { $0 } }

        /// Waits up to `seconds` until `condition` holds of what was heard.
        func wait(_ what: String, seconds: Double = 1, _ condition: ([PostgreSQLChangeFeed.Event]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if condition(all) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw TestFailure("not within \(seconds) s: \(what); heard \(all)")
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
            try await heard.wait("listening", seconds: 30) { $0 == [.listening] }
            try await body(server, url, heard)
        }
    }

    @Test("Announced in a committed transaction: heard within 1 s; rolled back: never; across a server restart: interrupted, listening again, heard")
    func announcements() async throws {
        try await withListener { server, url, heard in
            let logger = Logger(label: "feed-test")

            try await withPostgresClient(url.clientConfiguration(password: server.password)) { writer in
                try await writer.withTransaction(logger: logger) { try await PostgreSQLChangeFeed.announce("key/1", on: $0, logger: logger) }
                try await heard.wait("key/1") { $0.contains(.changed("key/1")) }

                struct Abandon: Error {}
                await #expect(throws: (any Error).self) {
                    try await writer.withTransaction(logger: logger) { connection in
                        try await PostgreSQLChangeFeed.announce("key/rolled-back", on: connection, logger: logger)
                        throw Abandon()
                    }
                }
                try await writer.withTransaction(logger: logger) { try await PostgreSQLChangeFeed.announce("key/2", on: $0, logger: logger) }
                try await heard.wait("key/2") { $0.contains(.changed("key/2")) }
                #expect(!heard.all.contains(.changed("key/rolled-back")))
            }

            try await server.restart()
            try await heard.wait("interrupted, then listening again", seconds: 30) {
                $0.suffix(2) == [.interrupted, .listening]
            }
            try await withPostgresClient(url.clientConfiguration(password: server.password)) { writer in
                try await writer.withTransaction(logger: logger) { try await PostgreSQLChangeFeed.announce("key/3", on: $0, logger: logger) }
            }
            try await heard.wait("key/3 after the restart") { $0.last == .changed("key/3") }
            // A loaded machine may also see a probe go unanswered in time: an extra
            // interruption is allowed, a lost or invented announcement is not.
            let changes = heard.all.filter { if case .changed = $0 { true } else { false } }
            #expect(changes == [.changed("key/1"), .changed("key/2"), .changed("key/3")], "\(heard.all)")
            #expect(heard.all.first == .listening && heard.all.contains(.interrupted), "\(heard.all)")
        }
    }

    @Test("A new key is announced as a change to keys only; an access key made or revoked as a change to the store, which empties every cache")
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
        try await heard.wait("listening", seconds: 30) { $0 == [.listening] }
        func changes() -> [PostgreSQLChangeFeed.Event] {
            heard.all.filter { if case .changed = $0 { true } else { false } }
        }
        // The store's calls block their thread: on one of their own, so that the other
        // tests' listeners keep Swift's cooperative threads.
        _ = try await TestSupport.onOwnThread {
            try store.createKey(account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt)
        }
        // What is said is checked here, not how fast (the test above): a machine busy with
        // every other suite may take more than a second.
        try await heard.wait("the new key", seconds: 10) { _ in changes() == [.changed("keys")] }
        try await TestSupport.onOwnThread {
            let (accessKeyID, _) = try store.createAccessKey(
                principal: "arn:aws:iam::\(StoreFixture.account):root", account: StoreFixture.account)
            try store.revokeAccessKey(accessKeyID)
        }
        let expected: [PostgreSQLChangeFeed.Event] = [.changed("keys"), .changed("store"), .changed("store")]
        try await heard.wait("the access key made and revoked", seconds: 10) { _ in changes() == expected }
    }

    @Test("A connection that stops answering without closing (its server process frozen) is noticed within a second, and the listener connects again")
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
            try await heard.wait("interrupted", seconds: 5) { $0.last == .interrupted }
            let noticed = ContinuousClock.now - frozen
            print("change feed: a silent connection was noticed after \(noticed)")
            // A probe every 250 ms, unanswered after 500 ms: about 0.75 s on an idle machine;
            // the bound leaves room for a machine busy with every other suite at once.
            #expect(noticed < .seconds(5))
            try await heard.wait("listening again on a new connection", seconds: 30) { $0.last == .listening }
        }
    }
}
