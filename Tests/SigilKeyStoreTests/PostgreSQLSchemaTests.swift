import Foundation
import PostgresNIO
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("The shared store's schema in PostgreSQL: versioned migrations, applied once however many nodes start")
struct PostgreSQLSchemaTests {
    @Test("Two nodes migrating at once apply each migration once; a later start applies nothing; a newer schema is refused")
    func migratesOnce() async throws {
        try await withPostgreSQLServer { server in
            let url = try PostgreSQLURL("postgresql://\(server.user)@127.0.0.1:\(server.port)/\(server.database)?sslmode=disable")
            let configuration = url.clientConfiguration(password: server.password)
            let logger = Logger(label: "schema-test")
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<2 {
                    group.addTask { try await withPostgresClient(configuration) { try await PostgreSQLSchema.migrate($0, logger: logger) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(applied.sorted { $0.count < $1.count } == [[], Array(1...PostgreSQLSchema.currentVersion)], "\(applied)")

            try await withPostgresClient(configuration) { client in
                var versions: [Int] = []
                for try await version in try await client.query("SELECT version FROM schema_migrations ORDER BY version").decode(Int.self) {
                    versions.append(version)
                }
                #expect(versions == Array(1...PostgreSQLSchema.currentVersion))
                var tables: [String] = []
                for try await name in try await client.query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
                ).decode(String.self) {
                    tables.append(name)
                }
                #expect(tables == [
                    "access_keys", "aliases", "audit_events", "audit_head", "key_material", "key_tags", "keys", "principals",
                    "schema_migrations",
                ])
                #expect(try await PostgreSQLSchema.migrate(client, logger: logger).isEmpty)

                // A newer key holder has been here: this one must not run on its schema.
                let newer = PostgreSQLSchema.currentVersion + 1
                _ = try await client.query("INSERT INTO schema_migrations (version, name) VALUES (\(newer), 'from the future')")
                await #expect {
                    try await PostgreSQLSchema.migrate(client, logger: logger)
                } throws: { error in
                    (error as? SigilError)?.code == .storageFailure && "\(error)".contains("version \(newer), newer than")
                }
            }
        }
    }
}
