import Foundation
import SigilKMS
import SigilTestSupport

/// `sigil-keyholder serve` with whatever arguments a test gives, optionally under an
/// open-file limit (through `sh -c 'ulimit -n N; exec …'`), for tests of what serve
/// accepts, refuses and survives. ``KeyHolderProcess`` always listens on 127.0.0.1;
/// these tests choose the address.
final class ServeProcess: Sendable {
    let dataDirectory: URL
    private let process: ChildProcess

    static var executable: String { TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path }

    /// Starts `sigil-keyholder serve --data-dir DIR ARGUMENTS…` and waits until it listens
    /// or exits.
    ///
    /// - Parameters:
    ///   - dataDirectory: The data directory; a new one under a fresh temporary folder when nil.
    ///   - arguments: Everything after `--data-dir DIR`.
    ///   - descriptorLimit: An open-file limit (soft and hard) for the server alone.
    init(dataDirectory: URL? = nil, _ arguments: [String], descriptorLimit: Int? = nil) async throws {
        self.dataDirectory = try dataDirectory ?? TestSupport.temporaryDirectory().appendingPathComponent("data")
        let serve = ["serve", "--data-dir", self.dataDirectory.path] + arguments
        if let descriptorLimit {
            process = try await ChildProcess(
                "/bin/sh", ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", Self.executable] + serve)
        } else {
            process = try await ChildProcess(Self.executable, serve)
        }
        _ = try await process.waitForLog(timeout: .seconds(30 * TestSupport.timeScale)) {
            $0.contains("sigil-keyholder: listening on")
        }
        if !process.isRunning { await process.waitForExit() }
    }

    /// Everything the process printed so far.
    var log: String { process.log }

    var isListening: Bool { process.isRunning && log.contains("sigil-keyholder: listening on") }
    var isRunning: Bool { process.isRunning }
    /// The exit status, once it has exited.
    var status: Int32? { process.status }

    /// The port it listens on, from its `listening on …:PORT` line.
    var port: Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.hasPrefix("sigil-keyholder: listening on") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return Int(line[line.index(after: colon)...].prefix { $0.isNumber })
    }

    /// A client signing with the account root's access key, to `http://HOST:PORT`.
    func client(host: String = "127.0.0.1", timeout: TimeInterval = 10) throws -> KMSClient {
        let credentials = try AWSConfiguration(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": dataDirectory.appendingPathComponent("credentials").path,
            "AWS_CONFIG_FILE": "/nonexistent/sigil-test-config",
        ]).credentials()
        return KMSClient(
            endpoint: URL(string: "http://\(host):\(port ?? 0)")!, region: "us-east-1", credentials: credentials,
            transport: HTTPClientTransport(timeout: .seconds(timeout)))
    }

    /// Stops it at once (SIGKILL).
    func kill() { process.kill() }

    /// Stops it and removes its folder.
    func remove() {
        kill()
        try? FileManager.default.removeItem(at: dataDirectory.deletingLastPathComponent())
    }

    /// Raises this (test) process's soft open-file limit to at least `count`, within the
    /// hard limit: a thousand client sockets need more than a default 1,024.
    ///
    /// - Returns: The soft limit now in force.
    @discardableResult
    static func raiseOwnDescriptorLimit(to count: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(count) {
            limit.rlim_cur = min(rlim_t(count), limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(clamping: limit.rlim_cur)
    }
}
