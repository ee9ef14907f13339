import Foundation
import PostgresNIO
import SigilTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The throwaway PostgreSQL cluster that the store's PostgreSQL tests run against (issue
/// 11): it must start wherever the tests run (CI runs as root), accept only password
/// logins, and leave nothing behind.
@Suite("A throwaway PostgreSQL for the tests")
struct PostgreSQLServerTests {
    @Test("It starts on loopback, answers postgres-nio with SCRAM, refuses a wrong password, and stops without a trace")
    func startsAnswersAndStops() async throws {
        guard try TestSupport.require(
            PostgreSQLServer.binaries() != nil, missing: "PostgreSQL (Debian: apt-get install postgresql; tools/test installs it)")
        else { return }
        let server = try await PostgreSQLServer.start()
        do {
            let (user, address, method) = try await withPostgresClient(server.configuration(password: server.password)) { client in
                let rows = try await client.query(
                    "SELECT current_user::text, host(inet_server_addr()), current_setting('password_encryption')")
                var answer: (String, String, String)? = nil
                for try await row in rows.decode((String, String, String).self) { answer = row }
                return try #require(answer)
            }
            #expect(user == server.user && address == "127.0.0.1" && method == "scram-sha-256")
            if geteuid() == 0 {
                let owner = try FileManager.default.attributesOfItem(atPath: server.directory.appendingPathComponent("data").path)[.ownerAccountName] as? String
                #expect(owner == "postgres", "as root the cluster belongs to the postgres user")
            }

            // One connection, not a pool: a pool would keep retrying the login.
            let wrong = PostgresConnection.Configuration(
                host: "127.0.0.1", port: server.port, username: server.user, password: server.password + "x",
                database: server.database, tls: .disable)
            let refusal = await #expect(throws: PSQLError.self) {
                _ = try await PostgresConnection.connect(configuration: wrong, id: 1, logger: Logger(label: "test"))
            }
            #expect(refusal?.serverInfo?[.sqlState] == "28P01", "invalid_password")
        } catch {
            print(server.log)
            await server.stop()
            throw error
        }
        let processID = try #require(server.processID)
        await server.stop()
        #expect(kill(processID, 0) != 0, "the server process is gone")
        #expect(!FileManager.default.fileExists(atPath: server.directory.path), "its folder is removed")
    }
}
