import Foundation
import SigilKMS
import SigilTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let credentials = try AWSConfiguration(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": dataDirectory.appendingPathComponent("credentials").path,
            "AWS_CONFIG_FILE": "/nonexistent/sigil-test-config",
        ]).credentials()
        return KMSClient(
            endpoint: URL(string: "http://\(host):\(port ?? 0)")!, region: "us-east-1", credentials: credentials,
            transport: URLSessionTransport(session: URLSession(configuration: configuration)))
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

/// A TCP connection driven byte by byte, for what HTTP clients never do: stop in the
/// middle of a request line, trickle headers, or wait to be hung up on.
final class RawConnection: @unchecked Sendable {
    // @unchecked Sendable: a test hands its connections to a thread of their own
    // (TestSupport.onOwnThread) and back; one thread uses a connection at a time.
    let descriptor: Int32

    /// Connects to `host` (an IPv4 or IPv6 literal) and `port`, waiting up to `timeout`.
    init(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(5)) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw TestFailure("\(host) is not an IP address")
        }
        defer { freeaddrinfo(found) }
        descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket(): \(String(cString: strerror(errno)))") }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        let started = connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
        if started != 0 {
            guard errno == EINPROGRESS else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw TestFailure("connect to \(host):\(port): \(reason)")
            }
            guard Self.poll(descriptor, events: Int16(POLLOUT), timeout: timeout) else {
                close(descriptor)
                throw TestFailure("connect to \(host):\(port) did not finish within \(timeout)")
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
            guard error == 0 else {
                close(descriptor)
                throw TestFailure("connect to \(host):\(port): \(String(cString: strerror(error)))")
            }
        }
    }

    deinit { close(descriptor) }

    /// Sends `text`; false when the peer has gone.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EAGAIN || errno == EINTR {
                guard Self.poll(descriptor, events: Int16(POLLOUT), timeout: .seconds(5)) else { return false }
                continue
            }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    /// What arrives within `timeout`, until the peer closes or, when given, until
    /// `enough` says the bytes so far are a whole answer.
    ///
    /// - Returns: The bytes, and whether the peer closed the connection.
    func receive(timeout: Duration, until enough: ((String) -> Bool)? = nil) -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            guard Self.poll(descriptor, events: Int16(POLLIN), timeout: deadline - ContinuousClock.now) else { break }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[..<count]
            if let enough, enough(String(decoding: received, as: UTF8.self)) { break }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// One whole HTTP response (head and a `Content-Length` body), or what came before
    /// `timeout` or the peer closed.
    func receiveResponse(timeout: Duration = .seconds(5)) -> (text: String, closed: Bool) {
        receive(timeout: timeout) { Self.isCompleteResponse($0) }
    }

    /// Whether the peer has closed the connection (a read returns end of file or reset)
    /// within `timeout`; bytes it sends first are skipped.
    func isClosedByPeer(within timeout: Duration) -> Bool {
        receive(timeout: timeout).closed
    }

    static func isCompleteResponse(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    static func poll(_ descriptor: Int32, events: Int16, timeout: Duration) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let milliseconds = max(0, Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        while true {
            let ready = Glibc.poll(&entry, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            return ready > 0
        }
    }

    /// An unsigned KMS request: complete, answered (with an authentication error), and
    /// small enough to say nothing about limits.
    static func unsignedRequest(extraHeaders: String = "") -> String {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\n"
            + "Content-Type: application/x-amz-json-1.1\r\n\(extraHeaders)Content-Length: 2\r\n\r\n{}"
    }
}
