import Foundation
import PostgresNIO
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("The shared store's schema in PostgreSQL: versioned migrations, applied once however many nodes start")
struct PostgreSQLSchemaTests {
    @Test("Two nodes opening at once apply each migration once; a later start applies nothing; a newer schema is refused")
    func migratesOnce() async throws {
        try await withPostgreSQLServer { server in
            // Two nodes start together: each opens the store (which migrates) on a thread of its own.
            let opened = Locked<[Result<Void, any Error>]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let result = Result { _ = try PostgreSQLDatabase(configuration: server.connectionConfiguration) }
                opened.withLock { $0.append(result) }
            }
            for result in opened.withLock({ $0 }) { try result.get() }

            let store = try PostgreSQLDatabase(configuration: server.connectionConfiguration)
            #expect(try PostgreSQLSchema.migrate(store).isEmpty, "a later start applies nothing")
            try await withPostgresClient(server.configuration(password: server.password)) { client in
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
                    "access_keys", "aliases", "audit_events", "audit_head", "key_holder_nodes", "key_material", "key_tags", "keys",
                    "principals", "schema_migrations", "store_identity",
                ])

                // A newer key holder has been here: this one must not run on its schema.
                let newer = PostgreSQLSchema.currentVersion + 1
                _ = try await client.query("INSERT INTO schema_migrations (version, name) VALUES (\(newer), 'from the future')")
            }
            #expect {
                _ = try PostgreSQLDatabase(configuration: server.connectionConfiguration)
            } throws: { error in
                (error as? KeyStoreError)?.code == .storageFailure && "\(error)".contains("version \(PostgreSQLSchema.currentVersion + 1), newer than")
            }
        }
    }
}
