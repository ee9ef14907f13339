import ArgumentParser
import Foundation

/// An address to listen on, as `--listen` and `--metrics-listen` take it: an IPv4
/// literal, a bracketed IPv6 literal or `localhost`, then `:PORT`.
///
/// Names other than `localhost` are refused, not looked up: whether an address is
/// loopback must be decided from what was typed, and a name (`127.example.invalid`)
/// can resolve anywhere, today or after the next DNS change. `localhost` means
/// 127.0.0.1 without a lookup, so that a hosts file cannot move it either.
struct ListenAddress: Equatable {
    /// The IP literal to bind (no brackets).
    var host: String
    /// The port; 0 picks a free one.
    var port: Int

    /// Whether only this machine can reach it: 127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104.
    var isLoopback: Bool {
        if let v4 = Self.ipv4(host) { return v4[0] == 127 }
        guard let v6 = Self.ipv6(host) else { return false }
        let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
        return v6 == loopback || (Array(v6.prefix(12)) == mappedPrefix && v6[12] == 127)
    }

    /// Parses `HOST:PORT`.
    ///
    /// - Parameters:
    ///   - text: What the user gave.
    ///   - option: The option's name, for the message.
    /// - Throws: `ValidationError` saying what is wrong and what is accepted.
    init(parsing text: String, option: String) throws {
        let accepted = "\(option) takes IP:PORT, [IPv6]:PORT or localhost:PORT, such as 127.0.0.1:4599 or [::1]:4599"
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("\(accepted); not '\(text)'")
        }
        let written = String(text[..<colon])
        if written.hasPrefix("[") && written.hasSuffix("]") && written.count > 2 {
            let inner = String(written.dropFirst().dropLast())
            guard Self.ipv6(inner) != nil else {
                throw ValidationError("\(accepted); '\(inner)' in brackets is not an IPv6 address")
            }
            host = inner
        } else if written.contains(":") {
            throw ValidationError("\(accepted); an IPv6 address goes in brackets: [\(written)]:\(port)")
        } else if written.lowercased() == "localhost" {
            host = "127.0.0.1"
        } else if Self.ipv4(written) != nil {
            host = written
        } else {
            throw ValidationError(
                "\(accepted); '\(written)' is not an IP address, and names other than localhost are not looked up "
                    + "(a name can resolve to an address off this machine)")
        }
        self.port = port
    }

    /// The four bytes of a dotted-quad IPv4 literal, or nil.
    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The sixteen bytes of an IPv6 literal, or nil.
    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
