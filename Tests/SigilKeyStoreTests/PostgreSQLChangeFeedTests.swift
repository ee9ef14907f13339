import Foundation
import PostgresNIO
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

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

    @Test("Announced in a committed transaction: heard within 1 s; rolled back: never; across a server restart: interrupted, listening again, heard")
    func announcements() async throws {
        try await withPostgreSQLServer { server in
            let url = try PostgreSQLURL("postgresql://\(server.user)@127.0.0.1:\(server.port)/\(server.database)?sslmode=disable")
            let logger = Logger(label: "feed-test")
            let heard = Heard()
            let feed = try url.connectionConfiguration(password: server.password)
            let listener = Task {
                await PostgreSQLChangeFeed.listen(configuration: feed, logger: logger) {
                    heard.append($0)
                }
            }
            defer { listener.cancel() }
            // Connecting may take a while on a loaded machine; delivery is what must be quick.
            try await heard.wait("listening", seconds: 30) { $0 == [.listening] }

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
            #expect(heard.all == [.listening, .changed("key/1"), .changed("key/2"), .interrupted, .listening, .changed("key/3")])
        }
    }
}
