import PostgresNIO
import SigilTestSupport
import Testing

/// Runs `body` with a throwaway PostgreSQL cluster, stopped after (its log printed when
/// `body` throws). Without PostgreSQL installed the test is skipped, or fails under CI.
func withPostgreSQLServer(_ body: (PostgreSQLServer) async throws -> Void) async throws {
    guard try TestSupport.require(
        PostgreSQLServer.binaries() != nil, missing: "PostgreSQL (Debian: apt-get install postgresql; tools/test installs it)")
    else { return }
    let server = try await PostgreSQLServer.start()
    do {
        try await body(server)
    } catch {
        print(server.log)
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Runs `body` with a postgres-nio client while the client runs, and stops it after.
func withPostgresClient<Result: Sendable>(
    _ configuration: PostgresClient.Configuration, _ body: @Sendable (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: configuration)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            await client.run()
            return nil
        }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

extension PostgreSQLServer {
    /// A postgres-nio connection configuration for this cluster's role over loopback TCP,
    /// without TLS: what the key store's PostgreSQL backend takes.
    var connectionConfiguration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: user, password: password, database: database, tls: .disable)
    }

    /// The `postgresql://` URL of this cluster, as `--database-url` takes it (the password
    /// goes through `PGPASSWORD` or a password file, never the URL).
    var url: String { "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// A client configuration for this cluster's role over loopback TCP, without TLS.
    func configuration(password: String) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: "127.0.0.1", port: port, username: user, password: password, database: database, tls: .disable)
    }
}
