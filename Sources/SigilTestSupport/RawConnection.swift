import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection driven byte by byte, for what HTTP clients never do: stop in the
/// middle of a request line, trickle headers, or wait to be hung up on.
public final class RawConnection: @unchecked Sendable {
    // @unchecked Sendable: a test hands its connections to a thread of their own
    // (TestSupport.onOwnThread) and back; one thread uses a connection at a time.
    public let descriptor: Int32

    /// Connects to `host` (an IPv4 or IPv6 literal) and `port`, waiting up to `timeout`.
    public init(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(5)) throws {
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
    public func send(_ text: String) -> Bool {
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
    public func receive(timeout: Duration, until enough: ((String) -> Bool)? = nil) -> (text: String, closed: Bool) {
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
    public func receiveResponse(timeout: Duration = .seconds(5)) -> (text: String, closed: Bool) {
        receive(timeout: timeout) { Self.isCompleteResponse($0) }
    }

    /// Whether the peer has closed the connection (a read returns end of file or reset)
    /// within `timeout`; bytes it sends first are skipped.
    public func isClosedByPeer(within timeout: Duration) -> Bool {
        receive(timeout: timeout).closed
    }

    public static func isCompleteResponse(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    public static func poll(_ descriptor: Int32, events: Int16, timeout: Duration) -> Bool {
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
    public static func unsignedRequest(extraHeaders: String = "") -> String {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\n"
            + "Content-Type: application/x-amz-json-1.1\r\n\(extraHeaders)Content-Length: 2\r\n\r\n{}"
    }

    /// A POST to `/` with `headers` (Host and Content-Length added) and `body`.
    public static func post(headers: [(name: String, value: String)], body: String) -> String {
        var text = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// The status code of a response's first line, if it has one.
    public static func status(of response: String) -> Int? {
        let fields = response.prefix { $0 != "\r" }.split(separator: " ")
        return fields.count >= 2 && fields[0].hasPrefix("HTTP/") ? Int(fields[1]) : nil
    }
}
