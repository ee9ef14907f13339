internal import Foundation
public import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where a test's key store keeps its tables: the suites of the store's logic and of the
/// key holder's service run on both.
public enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgreSQL

    public var testDescription: String { rawValue }
}

/// One throwaway PostgreSQL cluster for every test of this process that asks for one,
/// started at the first request; each test gets a database of its own in it. The
/// cluster is stopped when the process exits.
public actor SharedPostgreSQL {
    public static let shared = SharedPostgreSQL()
    /// The one start of the cluster: every caller awaits the same task (the actor lets
    /// others in while one waits, and each must not start a cluster of its own).
    private var server: Task<PostgreSQLServer, any Error>?
    private var databases = 0

    /// A new, empty database's `postgresql://` URL (no password in it) and the password to
    /// reach it; `nil` when PostgreSQL is not installed (the test is then skipped, or
    /// fails under CI).
    public func newDatabase() async throws -> (url: String, password: String)? {
        guard let binaries = PostgreSQLServer.binaries() else {
            _ = try TestSupport.require(false, missing: "PostgreSQL (Debian: apt-get install postgresql; tools/test installs it)")
            return nil
        }
        let starting = self.server ?? Task {
            let server = try await PostgreSQLServer.start()
            SharedPostgreSQL.stopAtExit(server)
            return server
        }
        self.server = starting
        let server = try await starting.value
        databases += 1
        let name = "store_\(databases)"
        let created = try await TestSupport.run(
            binaries.appendingPathComponent("psql").path,
            ["host=127.0.0.1 port=\(server.port) user=\(server.user) dbname=\(server.database)", "-q", "-c", "CREATE DATABASE \(name)"],
            environment: ["PGPASSWORD": server.password])
        guard created.status == 0 else { throw TestFailure("CREATE DATABASE \(name) failed: \(created.stderrText)") }
        return ("postgresql://\(server.user)@127.0.0.1:\(server.port)/\(name)?sslmode=disable", server.password)
    }

    /// The postmaster's process id and folder, for the exit handler (which can capture nothing).
    nonisolated(unsafe) private static var serverProcess: pid_t = 0
    nonisolated(unsafe) private static var serverFolder: String = ""

    private static func stopAtExit(_ server: PostgreSQLServer) {
        serverProcess = server.processID ?? 0
        serverFolder = server.directory.path
        atexit {
            guard SharedPostgreSQL.serverProcess > 0, kill(SharedPostgreSQL.serverProcess, SIGQUIT) == 0 else { return }
            for _ in 0..<200 where kill(SharedPostgreSQL.serverProcess, 0) == 0 { usleep(50_000) }
            try? FileManager.default.removeItem(atPath: SharedPostgreSQL.serverFolder)
        }
    }
}
