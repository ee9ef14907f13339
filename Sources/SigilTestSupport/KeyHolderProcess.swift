public import Foundation

/// A `sigil-keyholder` process started by a test on a free loopback port, with its own
/// data directory; stopped with SIGKILL (a test runner may ignore SIGTERM in children).
public final class KeyHolderProcess: Sendable {
    public let dataDirectory: URL
    public let port: Int
    private let process: ChildProcess

    /// Whether it serves HTTPS (it was given `--tls-cert`).
    public let tls: Bool
    /// The endpoint URL, `http://127.0.0.1:PORT` (or https).
    public var endpoint: URL { URL(string: "\(tls ? "https" : "http")://127.0.0.1:\(port)")! }
    /// The credentials file the key holder wrote for the account root.
    public var credentialsFile: URL { dataDirectory.appendingPathComponent("credentials") }

    /// Starts the key holder and waits until it listens.
    ///
    /// - Parameter dataDirectory: An existing data directory to reuse, or nil for a new one.
    private init(dataDirectory: URL?, extraArguments: [String]) async throws {
        self.dataDirectory = try dataDirectory ?? TestSupport.temporaryDirectory()
        // The port is free when picked, but another process may take it before the key
        // holder binds it: ``start(dataDirectory:extraArguments:attempts:)`` retries on another port.
        port = try Self.freePort()
        tls = extraArguments.contains("--tls-cert")
        process = try await ChildProcess(
            TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path,
            ["serve", "--data-dir", self.dataDirectory.path, "--listen", "127.0.0.1:\(port)"] + extraArguments)
        guard try await process.waitForLog(timeout: .seconds(30 * TestSupport.timeScale), { $0.contains("listening on") })
        else {
            process.kill()
            throw TestFailure("sigil-keyholder did not start: \(process.log)")
        }
    }

    /// Starts a key holder, trying again on another port if the first one was taken.
    public static func start(
        dataDirectory: URL? = nil, extraArguments: [String] = [], attempts: Int = 3
    ) async throws -> KeyHolderProcess {
        var failure: (any Error)? = nil
        for _ in 0..<max(1, attempts) {
            do {
                return try await KeyHolderProcess(dataDirectory: dataDirectory, extraArguments: extraArguments)
            } catch {
                failure = error
            }
        }
        throw failure!
    }

    /// Everything the process printed so far.
    public var log: String { process.log }

    /// Stops the process at once (SIGKILL), as a crash would, and returns once it is dead.
    public func kill() { process.kill() }

    /// A loopback port nothing listens on now.
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestFailure("socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
