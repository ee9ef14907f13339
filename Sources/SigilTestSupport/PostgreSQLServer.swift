public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests that need a database server (issue 11): created
/// with `initdb` in a new temporary folder, started with `pg_ctl` on a free loopback port
/// (no other address, and its Unix socket in that folder), stopped and removed by
/// ``stop()``.
///
/// PostgreSQL refuses to run as root, and CI runs as root: then every PostgreSQL program
/// runs as the `postgres` system user (Debian's package creates it), through `runuser`,
/// and the folder is handed to that user. The cluster's one role, ``user``, logs in with
/// a random password over SCRAM (`scram-sha-256`), never `trust`: clients are tested with
/// the authentication a real deployment uses.
public final class PostgreSQLServer: Sendable {
    /// The loopback port it listens on.
    public let port: Int
    /// The superuser role.
    public let user = "sigil"
    /// The role's password, random for each cluster.
    public let password: String
    /// The database every cluster has.
    public let database = "postgres"
    /// The folder holding the cluster (`data/`), its log and its socket.
    public let directory: URL

    private var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// The server's log, for failure messages.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "(no log)"
    }

    private init(port: Int, password: String, directory: URL) {
        self.port = port
        self.password = password
        self.directory = directory
    }

    /// The PostgreSQL programs' folder: the newest `/usr/lib/postgresql/N/bin` with `initdb`.
    public static func binaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap { Int($0) }.sorted(by: >)
            .map { root.appendingPathComponent("\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// Creates and starts a cluster.
    ///
    /// - Throws: ``TestFailure`` naming the step that failed, with its output: no
    ///   PostgreSQL installed, no `postgres` user to run it as root, `initdb` or the start
    ///   failing.
    public static func start() async throws -> PostgreSQLServer {
        guard let binaries = binaries() else {
            throw TestFailure("PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/initdb; Debian: apt-get install postgresql)")
        }
        let runAs = try Account.forServer()
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sigil-postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let password = TestSupport.hex((0..<24).map { _ in UInt8.random(in: 0...255) })
        let passwordFile = directory.appendingPathComponent("initdb-password")
        try Data(password.utf8).write(to: passwordFile)
        try runAs.own(directory, passwordFile)
        var server = PostgreSQLServer(port: try KeyHolderProcess.freePort(), password: password, directory: directory)

        let initialised = try await runAs.run(binaries.appendingPathComponent("initdb").path, [
            "--pgdata", server.dataDirectory.path, "--username", server.user, "--pwfile", passwordFile.path,
            "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-sync",
        ])
        try? FileManager.default.removeItem(at: passwordFile)
        guard initialised.status == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw TestFailure("initdb failed (\(initialised.status)): \(initialised.stderrText)")
        }
        // A free port is only free when it is picked: another process starting at once can
        // take it before the server binds it. Then the cluster starts again on another.
        var attempt = 1
        while true {
            do {
                try await server.launch()
                return server
            } catch where attempt < 3 && server.log.contains("Address already in use") {
                attempt += 1
                try? FileManager.default.removeItem(at: directory.appendingPathComponent("server.log"))
                server = PostgreSQLServer(port: try KeyHolderProcess.freePort(), password: password, directory: directory)
            } catch {
                await server.stop()
                throw error
            }
        }
    }

    /// Starts the server on its cluster with `pg_ctl`, waiting until it accepts connections.
    private func launch() async throws {
        guard let binaries = Self.binaries() else { throw TestFailure("PostgreSQL is not installed") }
        // fsync off: a test cluster never outlives the machine; everything else as shipped.
        // Room for every key holder a test process runs on it at once (each holds a few
        // connections), beyond PostgreSQL's default of 100.
        let options = "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory.path) -c fsync=off -c max_connections=300"
        let started = try await Account.forServer().run(binaries.appendingPathComponent("pg_ctl").path, [
            "--pgdata", dataDirectory.path, "--log", directory.appendingPathComponent("server.log").path,
            "--options", options, "--wait", "--timeout", "60", "start",
        ])
        guard started.status == 0 else {
            throw TestFailure("pg_ctl start failed (\(started.status)): \(started.stderrText)\n\(log)")
        }
    }

    /// Stops the server at once, as a crash would, and starts it again on the same cluster
    /// and port: for tests of clients that must ride out a restart.
    public func restart() async throws {
        await shutDown()
        try await launch()
    }

    /// The process id of the running server (the postmaster), from its pid file.
    public var processID: pid_t? {
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
              let line = text.split(separator: "\n").first else { return nil }
        return pid_t(line)
    }

    /// Stops the server at once (SIGQUIT: PostgreSQL's immediate shutdown, which a test
    /// cluster can afford) and removes its folder. Safe to call twice.
    public func stop() async {
        await shutDown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGQUIT to the server, then waits (up to 10 s) until it is gone.
    private func shutDown() async {
        guard let processID, Glibc.kill(processID, SIGQUIT) == 0 else { return }
        // Gone when signalling it fails: the pid file may outlive the process.
        for _ in 0..<200 where Glibc.kill(processID, 0) == 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Who runs PostgreSQL's programs: this process's user, or `postgres` when this is root.
    private struct Account {
        /// The user and group to hand files to, when not this process's own.
        let owner: (uid: uid_t, gid: gid_t)?

        static func forServer() throws -> Account {
            guard geteuid() == 0 else { return Account(owner: nil) }
            guard let entry = getpwnam("postgres") else {
                throw TestFailure("running as root, PostgreSQL needs the 'postgres' system user, and there is none (Debian's postgresql package creates it)")
            }
            return Account(owner: (entry.pointee.pw_uid, entry.pointee.pw_gid))
        }

        func own(_ urls: URL...) throws {
            guard let owner else { return }
            for url in urls where chown(url.path, owner.uid, owner.gid) != 0 {
                throw TestFailure("chown \(url.path) to postgres failed: \(String(cString: strerror(errno)))")
            }
        }

        func run(_ program: String, _ arguments: [String]) async throws -> TestSupport.ProcessOutput {
            guard owner != nil else { return try await TestSupport.run(program, arguments) }
            return try await TestSupport.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
        }
    }
}
