import Foundation
import SigilTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `serve --log-level`, and the request id on every line logged for a request.
@Suite struct RequestLoggingTests {
    /// Posts a request without `X-Amz-Target`, which is refused before authentication
    /// (logged at debug), and returns the request id of the answer.
    func sendRefusedRequest(to server: KeyHolderProcess) async throws -> String {
        var request = URLRequest(url: server.endpoint)
        request.httpMethod = "POST"
        let (_, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 400)
        return try #require(http.value(forHTTPHeaderField: "x-amzn-RequestId"))
    }

    /// The lines of `server`'s log that say a request was refused, once `condition` holds
    /// for the log or five seconds have passed.
    func refusalLines(_ server: KeyHolderProcess, until condition: (String) -> Bool) async throws -> [Substring] {
        let deadline = ContinuousClock.now + .seconds(5 * TestSupport.timeScale)
        while !condition(server.log), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return server.log.split(separator: "\n").filter { $0.contains("request refused") }
    }

    @Test func atDebugARefusalIsLoggedWithItsRequestID() async throws {
        let server = try await KeyHolderProcess.start(extraArguments: ["--log-level", "debug"])
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let first = try await sendRefusedRequest(to: server)
        let second = try await sendRefusedRequest(to: server)
        #expect(first != second)
        let lines = try await refusalLines(server) { $0.contains(second) }
        #expect(lines.count == 2, "\(server.log)")
        #expect(lines.first?.contains("request=\(first)") == true, "\(lines)")
        #expect(lines.last?.contains("request=\(second)") == true, "\(lines)")
    }

    @Test func atTheDefaultInfoRefusalsAreNotLogged() async throws {
        let server = try await KeyHolderProcess.start()
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let requestID = try await sendRefusedRequest(to: server)
        // Nothing will appear: give a debug line more than the time it would take.
        try await Task.sleep(for: .seconds(1))
        let lines = server.log.split(separator: "\n").filter { $0.contains("request refused") }
        #expect(lines.isEmpty, "\(lines)")
        #expect(!server.log.contains(requestID), "\(server.log)")
    }

    @Test func anUnknownLevelIsAUsageError() async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let refused = try await TestSupport.run(
            ServeProcess.executable,
            ["serve", "--data-dir", folder.appendingPathComponent("data").path, "--log-level", "loud"])
        #expect(refused.status == 2, "\(refused.stderrText)")
        #expect(refused.stderrText.contains("--log-level"), "\(refused.stderrText)")
        #expect(refused.stdoutText.isEmpty, "nothing served: \(refused.stdoutText)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("data").path), "nothing initialised")
    }
}
