public import Foundation

/// A `sigil-keyholder` process started by a test on a free loopback port, with its own
/// data directory; stopped with SIGKILL (a test runner may ignore SIGTERM in children).
public final class KeyHolderProcess: @unchecked Sendable {
    // `@unchecked Sendable`: the process handle and output are touched only by the test
    // that owns the object, and by the pipe reader under `lock`.
    public let dataDirectory: URL
    public let port: Int
    private let process = Process()
    private let lock = NSLock()
    private var output = ""

    /// The endpoint URL, `http://127.0.0.1:PORT`.
    /// Whether it serves HTTPS (it was given `--tls-cert`).
    public let tls: Bool
    public var endpoint: URL { URL(string: "\(tls ? "https" : "http")://127.0.0.1:\(port)")! }
    /// The credentials file the key holder wrote for the account root.
    public var credentialsFile: URL { dataDirectory.appendingPathComponent("credentials") }

    /// Starts the key holder and waits until it listens.
    ///
    /// - Parameter dataDirectory: An existing data directory to reuse, or nil for a new one.
    public init(dataDirectory: URL? = nil, extraArguments: [String] = []) throws {
        self.dataDirectory = try dataDirectory ?? TestSupport.temporaryDirectory()
        // The port is free when picked, but another process may take it before the key
        // holder binds it: ``start(dataDirectory:attempts:)`` retries on another port.
        port = try Self.freePort()
        process.executableURL = TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder")
        process.arguments = ["serve", "--data-dir", self.dataDirectory.path, "--listen", "127.0.0.1:\(port)"] + extraArguments
        tls = extraArguments.contains("--tls-cert")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.output += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !log.contains("listening on") {
            guard process.isRunning, Date() < deadline else {
                kill()
                throw TestFailure("sigil-keyholder did not start: \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Starts a key holder, trying again on another port if the first one was taken.
    public static func start(
        dataDirectory: URL? = nil, extraArguments: [String] = [], attempts: Int = 3
    ) throws -> KeyHolderProcess {
        var failure: (any Error)? = nil
        for _ in 0..<max(1, attempts) {
            do {
                return try KeyHolderProcess(dataDirectory: dataDirectory, extraArguments: extraArguments)
            } catch {
                failure = error
            }
        }
        throw failure!
    }

    /// Everything the process printed so far.
    public var log: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    /// Stops the process at once (SIGKILL), as a crash would.
    public func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { kill() }

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
