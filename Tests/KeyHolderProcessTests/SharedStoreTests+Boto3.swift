import Foundation
import SigilKMS
import SigilTestSupport
import Testing

/// The failure tests of issue 11 with the load real clients send: boto3 from the
/// repository's `.venv`, retries on (standard mode, 5 attempts), mixed writes and reads
/// round robin to two nodes, from `tools/peer/shared_store_load.py`.
extension SharedStoreTests {
    /// What `shared_store_load.py` reports when it stops.
    struct Boto3Summary: Decodable {
        /// A value one client thread alone writes: the last one acknowledged, and those whose
        /// write failed after it (each may have landed anyway).
        struct Written: Decodable {
            var acknowledged: String?
            var inDoubt: [String]

            /// Whether `stored` is what the store may hold after these writes.
            func allows(_ stored: String?) -> Bool { stored == acknowledged || inDoubt.contains { $0 == stored } }
        }

        var keys: [String]
        var tags: [String: Written]
        var aliases: [String: Written]
        /// Per endpoint, what the client surfaced after its retries, by error code.
        var outcomes: [[String: Int]]
        /// Per endpoint, the failed attempts botocore retried.
        var retried: [[String: Int]]
        /// Per endpoint, the KMS errors surfaced before the last attempt: botocore's retry
        /// quota, a circuit breaker per client, was spent.
        var gaveUpEarly: [[String: Int]]
        var retries: Int
        var requests: Int
        var seconds: Double
        var failures: [String]

        /// The counts for a CI log, endpoint by endpoint.
        var description: String {
            func text(_ counts: [String: Int]) -> String {
                counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            let endpoints = outcomes.indices.map { index in
                "endpoint \(index): surfaced [\(text(outcomes[index]))], retried [\(text(retried[index]))], "
                    + "surfaced with the retry quota spent [\(text(gaveUpEarly[index]))]"
            }
            return "\(requests) requests in \(seconds) s, \(retries) retries behind acknowledged answers, "
                + "\(keys.count) keys; " + endpoints.joined(separator: "; ")
        }
    }

    /// `shared_store_load.py` running in the background against two nodes until ``finish()``.
    final class Boto3Load: Sendable {
        static let python = TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
        static let script = TestSupport.packageRoot.appendingPathComponent("tools/peer/shared_store_load.py").path

        /// Whether the venv's interpreter is there: when it is not, says so, then fails under
        /// CI (CI=true) and skips elsewhere.
        static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
            try TestSupport.require(
                FileManager.default.isExecutableFile(atPath: python),
                missing: "no boto3 at .venv/bin/python (tools/test makes it; by hand: "
                    + "source tools/lib/setup.sh; source tools/lib/venv.sh; sigil_setup_venv)",
                sourceLocation: sourceLocation)
        }

        private let process: ChildProcess
        private let folder: URL

        /// Starts the load on `ports` of 127.0.0.1 and returns once its threads have made
        /// their first keys and aliases, before anything is broken.
        init(ports: [Int], credentials: URL) async throws {
            folder = try TestSupport.temporaryDirectory()
            var arguments = [Self.script, "--credentials", credentials.path, "--out", folder.appendingPathComponent("summary.json").path]
            arguments += ["--stop-file", folder.appendingPathComponent("stop").path, "--threads", "4", "--seconds", "240"]
            arguments += ports.flatMap { ["--endpoint", "http://127.0.0.1:\($0)"] }
            process = try await ChildProcess(Self.python, arguments)
            let ready = try await process.waitForLog(timeout: .seconds(60 * TestSupport.timeScale)) {
                $0.split(separator: "\n").contains("ready")
            }
            guard ready else {
                process.kill()
                throw TestFailure("shared_store_load.py did not start: \(process.log)")
            }
        }

        /// Stops the load and returns what it saw; the requests in flight finish first,
        /// retries included.
        func finish() async throws -> Boto3Summary {
            #expect(FileManager.default.createFile(atPath: folder.appendingPathComponent("stop").path, contents: nil))
            let status = await process.waitForExit()
            defer { try? FileManager.default.removeItem(at: folder) }
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("summary.json").path),
                let summary = try? JSONDecoder().decode(Boto3Summary.self, from: data)
            else { throw TestFailure("shared_store_load.py exited \(status) without a summary: \(process.log.suffix(4000))") }
            #expect(status == 0 && summary.failures.isEmpty, "\(summary.failures) \(process.log.suffix(4000))")
            return summary
        }
    }

    /// Every write the load saw acknowledged is in the store, as `client` reads it: each
    /// key enabled, each tag and alias at its last acknowledged value (or at a later one
    /// whose write failed to answer but may have landed).
    func expectAcknowledgedWrites(_ summary: Boto3Summary, through client: KMSClient) async throws {
        #expect(Set(summary.tags.keys) == Set(summary.keys))
        for id in summary.keys {
            #expect(try await client.describeKey(keyId: id).keyMetadata?.keyState == .enabled, "\(id)")
            guard let written = summary.tags[id], written.acknowledged != nil || !written.inDoubt.isEmpty else { continue }
            let tags = try await client.send(KMS.ListResourceTagsRequest(keyId: id))
            let stored = tags.tags?.first { $0.tagKey == "step" }?.tagValue
            #expect(written.allows(stored), "\(id): tag \(stored ?? "none"), acknowledged \(written)")
        }
        for (alias, written) in summary.aliases {
            let target = try await client.describeKey(keyId: alias).keyMetadata?.keyId
            #expect(written.allows(target), "\(alias) → \(target ?? "none"), acknowledged \(written)")
        }
    }

    @Test("PostgreSQL restarted 10 times under boto3 load with retries on: the nodes answer the 500 botocore retries, reconnect by themselves, lose nothing acknowledged")
    func postgreSQLRestartsUnderBoto3() async throws {
        guard try Boto3Load.isAvailable() else { return }
        try await withSharedStore { server, url in
            let arguments = ["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"]
            let first = try await ServeProcess(arguments)
            defer { first.remove() }
            let second = try await ServeProcess(dataDirectory: try secondDataDirectory(from: first.dataDirectory), arguments)
            defer { second.remove() }
            #expect(first.isListening && second.isListening, "\(first.log)\(second.log)")
            let load = try await Boto3Load(
                ports: [try #require(first.port), try #require(second.port)],
                credentials: first.dataDirectory.appendingPathComponent("credentials"))
            // PostgreSQL is down for one to two seconds a restart (pg_ctl waits until it
            // accepts connections); half a second of load between restarts keeps the test short.
            var down = Duration.zero
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(500))
                let stopped = ContinuousClock.now
                try await server.restart()
                down += ContinuousClock.now - stopped
            }
            try await Task.sleep(for: .seconds(1))
            let summary = try await load.finish()
            print("boto3 load, PostgreSQL restarts (down \(down / 10) each): \(summary.description)")

            #expect(first.isRunning && second.isRunning, "a node crashed: \(first.log)\(second.log)")
            let retried = summary.retried.reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) }
            #expect((retried["KMSInternalException"] ?? 0) > 0, "the restarts were not noticed: \(summary.description)")
            #expect(summary.retries > 0, "no retry ever got an answer: \(summary.description)")
            // What a client sees once its retries are spent: success, or the retryable 500
            // when PostgreSQL stayed down longer than the retries or the client's retry quota
            // ran out (botocore stops retrying after sustained failures, by design); a read
            // timeout when the machine is busy with every other suite at once. Never another
            // error.
            for outcomes in summary.outcomes {
                #expect(Set(outcomes.keys).isSubset(of: ["ok", "KMSInternalException", "ReadTimeoutError"]), "\(summary.description)")
                #expect((outcomes["ok"] ?? 0) > 0, "\(summary.description)")
            }
            // Both reconnected: the load's last requests were answered, and each answers now.
            // What is asserted is an answer, not its speed: the deadline is the one botocore
            // reads with (60 s), since every other suite shares these two cores in CI.
            _ = try await first.client(timeout: 60).listKeys(limit: 1)
            _ = try await second.client(timeout: 60).listKeys(limit: 1)
            try await expectAcknowledgedWrites(summary, through: try second.client(timeout: 60))
            try await expectAuditIntact(dataDirectory: first.dataDirectory, url: url)
        }
    }

    @Test("One of two nodes killed (SIGKILL) and restarted 10 times under boto3 load with retries on: every acknowledged write is there, the survivor answers everything")
    func nodeKilledUnderBoto3Load() async throws {
        guard try Boto3Load.isAvailable() else { return }
        try await withSharedStore { _, url in
            let survivor = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
            defer { survivor.remove() }
            let victimDirectory = try secondDataDirectory(from: survivor.dataDirectory)
            defer { try? FileManager.default.removeItem(at: victimDirectory.deletingLastPathComponent()) }
            var victim = try await ServeProcess(
                dataDirectory: victimDirectory, ["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
            defer { victim.kill() }
            // Back on the same port each time, as a restarted node behind a fixed address is.
            let port = try #require(victim.port, "\(victim.log)")
            let load = try await Boto3Load(
                ports: [try #require(survivor.port), port], credentials: survivor.dataDirectory.appendingPathComponent("credentials"))
            var crashed: [String] = []
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(800))
                if !victim.isRunning { crashed.append(victim.log) }
                victim.kill()
                victim = try await ServeProcess(
                    dataDirectory: victimDirectory, ["--listen", "127.0.0.1:\(port)", "--database-url", url, "--no-quotas"])
                #expect(victim.isListening, "the killed node did not come back on port \(port): \(victim.log)")
            }
            try await Task.sleep(for: .milliseconds(800))
            let summary = try await load.finish()
            print("boto3 load, a node killed: \(summary.description)")

            #expect(crashed.isEmpty, "the node crashed before it was killed: \(crashed)")
            #expect(survivor.isRunning && victim.isRunning, "\(survivor.log)\(victim.log)")
            // The survivor answered everything sent to it; the killed node's clients saw at
            // most a dead server, once their retries were spent.
            #expect(Set(summary.outcomes[0].keys) == ["ok"], "\(summary.description)")
            #expect(
                Set(summary.outcomes[1].keys).isSubset(of: [
                    "ok", "EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError", "ConnectTimeoutError",
                ]), "\(summary.description)")
            #expect(summary.retried[1].values.reduce(0, +) > 0, "the kills were not noticed: \(summary.description)")
            try await expectAcknowledgedWrites(summary, through: try survivor.client(timeout: 60))
            try await expectAuditIntact(dataDirectory: survivor.dataDirectory, url: url)
        }
    }
}
