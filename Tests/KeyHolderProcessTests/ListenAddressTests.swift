import Foundation
import SigilTestSupport
import Testing

/// `--listen` and `--metrics-listen` are what they say: plain HTTP only on an address that
/// is loopback by its digits, never by the look of a name.
@Suite struct ListenAddressTests {
    func serve(_ arguments: [String]) async throws -> TestSupport.ProcessOutput {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await TestSupport.run(
            ServeProcess.executable, ["serve", "--data-dir", folder.appendingPathComponent("data").path] + arguments)
    }

    static let refusals: [(listen: String, saying: String)] = [
        ("127.example.invalid", "'127.example.invalid' is not an IP address, and names other than localhost are not looked up"),
        ("127.0.0.1.nip.io", "'127.0.0.1.nip.io' is not an IP address"),
        ("0.0.0.0", "plain HTTP is served on loopback addresses only; 0.0.0.0 is not one"),
        ("[::]", "plain HTTP is served on loopback addresses only; :: is not one"),
        ("192.0.2.1", "plain HTTP is served on loopback addresses only; 192.0.2.1 is not one"),
        ("::1", "an IPv6 address goes in brackets"),
        ("[127.example.invalid]", "'127.example.invalid' in brackets is not an IPv6 address"),
    ]

    @Test(arguments: refusals)
    func plainHTTPOffLoopbackOrOnANameIsRefused(listen: String, saying: String) async throws {
        let port = try KeyHolderProcess.freePort()
        let refused = try await serve(["--listen", "\(listen):\(port)"])
        #expect(refused.status == 2, "\(listen): exit \(refused.status)")
        #expect(refused.stderrText.contains(saying), "\(listen): \(refused.stderrText)")
        #expect(refused.stdoutText.isEmpty, "nothing served: \(refused.stdoutText)")
    }

    static let loopbacks: [(listen: String, connect: String)] = [
        ("127.0.0.2", "127.0.0.2"), ("localhost", "127.0.0.1"), ("[::1]", "::1"), ("127.255.255.254", "127.255.255.254"),
    ]

    @Test(arguments: loopbacks)
    func loopbackLiteralsAndLocalhostAreServed(listen: String, connect: String) async throws {
        if connect == "::1" {
            let hasIPv6Loopback = (try? String(contentsOfFile: "/proc/net/if_inet6", encoding: .utf8))?
                .contains("00000000000000000000000000000001") ?? false
            guard try TestSupport.require(hasIPv6Loopback, missing: "IPv6 loopback (::1) on this machine") else { return }
        }
        let port = try KeyHolderProcess.freePort()
        let server = try await ServeProcess(["--listen", "\(listen):\(port)"])
        defer { server.remove() }
        try #require(server.isListening, "\(listen): \(server.log)")
        let connection = try RawConnection(host: connect, port: port)
        connection.send(RawConnection.unsignedRequest())
        let answer = connection.receiveResponse()
        #expect(answer.text.hasPrefix("HTTP/1.1 400"), "\(listen): \(answer.text)")
    }

    @Test func aNameIsRefusedEvenWithTLS() async throws {
        let refused = try await serve(["--listen", "keys.example.invalid:4599", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"])
        #expect(refused.status == 2 && refused.stderrText.contains("'keys.example.invalid' is not an IP address"), "\(refused.stderrText)")
    }

    @Test func metricsOffLoopbackNeedMetricsPublic() async throws {
        let metricsPort = try KeyHolderProcess.freePort()
        for (metrics, saying) in [
            ("0.0.0.0", "metrics are served on loopback addresses only; 0.0.0.0 is not one: give --metrics-public"),
            ("[::]", "metrics are served on loopback addresses only; :: is not one: give --metrics-public"),
            ("127.example.invalid", "'127.example.invalid' is not an IP address"),
        ] {
            let refused = try await serve(["--listen", "127.0.0.1:0", "--metrics-listen", "\(metrics):\(metricsPort)"])
            #expect(refused.status == 2 && refused.stderrText.contains(saying), "\(metrics): \(refused.stderrText)")
        }
        // A name stays refused with --metrics-public: it says public, not "look this up".
        let named = try await serve(["--listen", "127.0.0.1:0", "--metrics-listen", "metrics.example.invalid:\(metricsPort)", "--metrics-public"])
        #expect(named.status == 2 && named.stderrText.contains("is not an IP address"), "\(named.stderrText)")

        let server = try await ServeProcess(["--listen", "127.0.0.1:0", "--metrics-listen", "0.0.0.0:\(metricsPort)", "--metrics-public"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        for _ in 0..<100 where !server.log.contains("metrics on") { try await Task.sleep(for: .milliseconds(50)) }
        let scrape = try RawConnection(port: metricsPort)
        scrape.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let answer = scrape.receiveResponse()
        // Before any KMS request only the series read at scrape time exist; the request
        // families appear with their first request.
        #expect(answer.text.hasPrefix("HTTP/1.1 200") && answer.text.contains(#"sigil_keys{state="Enabled"} 0"#), "\(answer.text)")
    }
}
