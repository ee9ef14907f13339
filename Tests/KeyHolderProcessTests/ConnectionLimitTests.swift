import Foundation
import Sigil
import SigilKMS
import SigilTestSupport
import Testing

/// `serve`'s bounds on connections: clients that never finish their headers, trickle
/// them, sit idle, or send too much of them cannot starve a client that signs its requests.
@Suite struct ConnectionLimitTests {
    init() {
        // 1,100 client sockets, with the other tests' beside them.
        ServeProcess.raiseOwnDescriptorLimit(to: 4096)
    }

    /// Signs with `keyID` and fetches its public key over one new connection, then checks
    /// the signature offline: a normal signed exchange, end to end.
    ///
    /// Blocking, on a thread of its own: its time is the key holder's and the network's,
    /// not a wait for a thread of this process's cooperative pool, which the suites beside
    /// this one may hold (a process-spawning cross-check blocks one for seconds).
    static func signAndVerify(_ kms: KMSClient, keyID: String, port: Int) async throws -> (verified: Bool, elapsed: Duration) {
        try await TestSupport.onOwnThread {
            let message = Array("still served".utf8)
            let clock = ContinuousClock()
            let started = clock.now
            let connection = try RawConnection(port: port, timeout: .seconds(10))
            let signed = try exchange(
                kms, on: connection,
                KMS.SignRequest(keyId: keyID, message: Base64Blob(message), messageType: .raw, signingAlgorithm: .ecdsaSha256))
            let publicKey = try exchange(kms, on: connection, KMS.GetPublicKeyRequest(keyId: keyID))
            let elapsed = clock.now - started
            let key = try PublicKey(derRepresentation: try #require(publicKey.publicKey).bytes)
            return (try key.isValidSignature(try #require(signed.signature).bytes, for: message, algorithm: .ecdsaSHA256), elapsed)
        }
    }

    /// Sends one signed request on `connection` and decodes its answer.
    static func exchange<Request: KMSRequest>(
        _ kms: KMSClient, on connection: RawConnection, _ request: Request
    ) throws -> Request.Response {
        let signed = try kms.makeRequest(Request.operation, body: KMSJSON.encode(request), date: Date())
        // The headers as signed (Host with its port among them), then the body's length.
        var text = "POST / HTTP/1.1\r\n"
        for header in signed.headers { text += "\(header.name): \(header.value)\r\n" }
        text += "Content-Length: \(signed.httpBody.count)\r\n\r\n" + String(decoding: signed.httpBody, as: UTF8.self)
        guard connection.send(text) else {
            throw TestFailure("the key holder hung up before \(Request.operation.rawValue) was sent")
        }
        let response = connection.receiveResponse(timeout: .seconds(10))
        guard let status = RawConnection.status(of: response.text), let bodyStart = response.text.range(of: "\r\n\r\n") else {
            throw TestFailure("no whole answer to \(Request.operation.rawValue) within 10 s: \(response)")
        }
        return try KMSClient.decodeResponse(
            Request.Response.self, status: status, body: Data(response.text[bodyStart.upperBound...].utf8))
    }

    @Test func halfRequestLinesOnMoreConnectionsThanDescriptorsDoNotStarveASignedRequest() async throws {
        #expect(ServeProcess.raiseOwnDescriptorLimit(to: 4096) >= 1200, "the test needs 1,100 sockets of its own")
        // The defaults, under an open-file limit of 1,024: fewer descriptors than connections.
        let server = try await ServeProcess(["--listen", "127.0.0.1:0"], descriptorLimit: 1024)
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        #expect(server.log.contains("at most 960 connections at once, not the 1000 asked for"), "\(server.log)")
        let port = try #require(server.port)
        let kms = try server.client(timeout: 10)
        let keyID = try #require(try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256)).keyMetadata?.keyId)

        // Blocking connects, off the cooperative pool the in-process tests beside this one need.
        let (attackers, refused) = try await TestSupport.onOwnThread { () -> ([RawConnection], Int) in
            var attackers: [RawConnection] = []
            var refused = 0
            for _ in 0..<1100 {
                do {
                    let connection = try RawConnection(port: port, timeout: .seconds(2))
                    connection.send("POST / HT")
                    attackers.append(connection)
                } catch {
                    refused += 1
                }
            }
            return (attackers, refused)
        }
        print("connection limits: \(attackers.count) connections holding half a request line (\(refused) not connected)")
        #expect(attackers.count >= 1000)

        try await Task.sleep(for: .seconds(45))

        let (verified, elapsed) = try await Self.signAndVerify(kms, keyID: keyID, port: port)
        print("connection limits: after 45 s, a signed Sign and GetPublicKey answered in \(elapsed)")
        #expect(verified)
        #expect(elapsed < .seconds(2) * TestSupport.timeScale, "the signed requests took \(elapsed)")
        #expect(server.isRunning, "the key holder died: \(server.log)")
        // Every one of them was hung up on: the head timeout, not the client, ended them.
        let cut = try await TestSupport.onOwnThread {
            attackers.filter { $0.isClosedByPeer(within: .milliseconds(100)) }.count
        }
        print("connection limits: \(cut) of \(attackers.count) cut by the server")
        #expect(cut == attackers.count)
    }

    @Test func aHeadTrickledAByteAtATimeIsCutAtTheHeaderTimeout() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0", "--header-timeout", "2s", "--idle-timeout", "30s"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        let port = try #require(server.port)

        // On a thread of its own: the quarter seconds are real time, and the waits hold
        // no thread of the cooperative pool.
        let closedAfter = try await TestSupport.onOwnThread { () -> Duration? in
            let slow = try RawConnection(port: port)
            let clock = ContinuousClock()
            let opened = clock.now
            slow.send("POST / HTTP/1.1\r\nX-Slow: ")
            // Never idle for more than a quarter second, so only a head deadline can stop it.
            for _ in 0..<40 {
                if !slow.send("a") || slow.isClosedByPeer(within: .milliseconds(250)) {
                    return clock.now - opened
                }
            }
            return nil
        }
        let after = try #require(closedAfter, "a trickling head was still open after 10 s")
        print("connection limits: a trickled head cut after \(after) (--header-timeout 2s)")
        #expect(after >= .milliseconds(1500) && after < .seconds(6))

        // A head that arrives whole in the meantime is answered, and its connection kept.
        let response = try await TestSupport.onOwnThread {
            let prompt = try RawConnection(port: port)
            prompt.send(RawConnection.unsignedRequest())
            return prompt.receiveResponse()
        }
        #expect(response.text.hasPrefix("HTTP/1.1 400") && !response.closed, "\(response.text)")
    }

    @Test func anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0", "--idle-timeout", "1500ms"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        let port = try #require(server.port)
        // On a thread of its own: the half second between the requests and the wait for the
        // close are measured in real time, whatever the cooperative pool is doing.
        let (first, second, closed, after) = try await TestSupport.onOwnThread {
            let connection = try RawConnection(port: port)
            connection.send(RawConnection.unsignedRequest())
            let first = connection.receiveResponse()
            // Kept alive: a second request on the same connection, half a second later.
            Thread.sleep(forTimeInterval: 0.5)
            connection.send(RawConnection.unsignedRequest())
            let second = connection.receiveResponse()
            let clock = ContinuousClock()
            let answered = clock.now
            let closed = connection.isClosedByPeer(within: .seconds(8))
            return (first, second, closed, clock.now - answered)
        }
        #expect(first.text.hasPrefix("HTTP/1.1 400") && !first.closed, "\(first.text)")
        #expect(second.text.hasPrefix("HTTP/1.1 400") && !second.closed, "\(second.text)")
        print("connection limits: an idle connection closed \(after) after its last response (--idle-timeout 1500ms)")
        #expect(closed)
        #expect(after >= .milliseconds(1000) && after < .seconds(6))
    }

    @Test func aHeadLargerThanTheLimitIsRefusedWith431() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0", "--max-header-bytes", "2048"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        let port = try #require(server.port)
        let bulky = "X-Bulk: \(String(repeating: "b", count: 3000))\r\n"

        // Whole, in one write: the decoder's own limit.
        let wholeAnswer = try await TestSupport.onOwnThread {
            let whole = try RawConnection(port: port)
            whole.send(RawConnection.unsignedRequest(extraHeaders: bulky))
            return whole.receive(timeout: .seconds(5))
        }
        #expect(wholeAnswer.text.hasPrefix("HTTP/1.1 431") && wholeAnswer.closed, "\(wholeAnswer.text)")

        // In small pieces, never finished: 200 bytes every 10 ms, on a thread of its own so
        // that the pieces arrive well within the header timeout.
        let piecesAnswer = try await TestSupport.onOwnThread {
            let pieces = try RawConnection(port: port)
            pieces.send("POST / HTTP/1.1\r\n")
            for _ in 0..<20 where pieces.send("X-Piece: \(String(repeating: "p", count: 190))\r\n") {
                Thread.sleep(forTimeInterval: 0.01)
            }
            return pieces.receive(timeout: .seconds(5))
        }
        #expect(piecesAnswer.text.hasPrefix("HTTP/1.1 431") && piecesAnswer.closed, "\(piecesAnswer.text)")

        // A request line that never ends.
        let endlessAnswer = try await TestSupport.onOwnThread {
            let endless = try RawConnection(port: port)
            endless.send("POST /\(String(repeating: "u", count: 4000))")
            return endless.receive(timeout: .seconds(5))
        }
        #expect(endlessAnswer.text.hasPrefix("HTTP/1.1 431") && endlessAnswer.closed, "\(endlessAnswer.text)")

        // Under the limit: answered as usual (the KMS error for a request without SigV4).
        let modestAnswer = try await TestSupport.onOwnThread {
            let modest = try RawConnection(port: port)
            modest.send(RawConnection.unsignedRequest(extraHeaders: "X-Modest: \(String(repeating: "m", count: 1500))\r\n"))
            return modest.receiveResponse()
        }
        #expect(modestAnswer.text.hasPrefix("HTTP/1.1 400") && !modestAnswer.closed, "\(modestAnswer.text)")
        #expect(server.isRunning)
    }

    @Test func connectionsBeyondTheCapWaitUntilOneCloses() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0", "--max-connections", "2"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        #expect(server.log.contains("at most 2 connections at once"), "\(server.log)")
        let port = try #require(server.port)
        let (early, answered) = try await TestSupport.onOwnThread {
            let holders = [try RawConnection(port: port), try RawConnection(port: port)]
            Thread.sleep(forTimeInterval: 0.3)
            // The kernel completes the third handshake, but the key holder does not take it up.
            let waiting = try RawConnection(port: port)
            waiting.send(RawConnection.unsignedRequest())
            let early = waiting.receive(timeout: .seconds(1))
            // One of the two hangs up: the waiting connection is taken up and answered.
            shutdown(holders[0].descriptor, Int32(SHUT_RDWR))
            return (early, waiting.receiveResponse(timeout: .seconds(5)))
        }
        #expect(early.text.isEmpty && !early.closed, "\(early.text)")
        #expect(answered.text.hasPrefix("HTTP/1.1 400"), "once a connection closed: \(answered.text)")
    }

    @Test func serveHelpShowsTheLimitsAndTheirDefaults() async throws {
        let help = try await TestSupport.run(ServeProcess.executable, ["serve", "--help"])
        let text = help.stdoutText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for option in [
            "--header-timeout <duration>", "(default: 10s)", "--idle-timeout <duration>", "(default: 60s)",
            "--max-header-bytes <bytes>", "(default: 16384)", "--max-connections <count>", "(default: 1000)",
            "less 64 descriptors kept for the database, logs and listening sockets",
        ] {
            #expect(text.contains(option), "serve --help lacks '\(option)': \(help.stdoutText)")
        }
        for bad in [["--header-timeout", "soon"], ["--idle-timeout", "0s"], ["--max-header-bytes", "10"], ["--max-connections", "0"]] {
            let refused = try await TestSupport.run(ServeProcess.executable, ["serve", "--data-dir", "/nonexistent/sigil"] + bad)
            #expect(refused.status == 2 && refused.stderrText.contains(bad[0]), "\(bad): \(refused.stderrText)")
        }
    }
}
