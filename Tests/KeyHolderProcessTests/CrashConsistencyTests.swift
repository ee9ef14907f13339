import Foundation
import GRDB
import SigilKMS
import SigilTestSupport
import Testing

/// Crash consistency under load: four clients send mixed writes to a `sigil-keyholder
/// serve` process that is killed with SIGKILL at a random moment, again and again. After
/// each restart every acknowledged write is there, every write that was in flight is
/// wholly there or not at all, and `audit verify` finds the log intact.
@Suite(.serialized) struct CrashConsistencyTests {
    /// How many times the key holder is killed (`SIGIL_CRASH_KILLS`, 20 by default).
    static let kills = Int(ProcessInfo.processInfo.environment["SIGIL_CRASH_KILLS"] ?? "") ?? 20
    static let clients = 4
    /// The account `serve` gives its root by default.
    static let account = "111122223333"

    func client(for server: KeyHolderProcess) throws -> KMSClient {
        try KeyHolderProcessTests().client(for: server)
    }

    /// A private data directory (0700) in a new temporary folder.
    func dataDirectory() throws -> URL {
        let data = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return data
    }

    func start(_ data: URL) async throws -> KeyHolderProcess {
        try await KeyHolderProcess.start(dataDirectory: data, extraArguments: ["--no-quotas"])
    }

    /// `sigil-keyholder audit verify` on the directory; the number of events when intact.
    func auditVerify(_ data: URL, problems: inout [String]) async throws -> Int? {
        let executable = TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path
        let result = try await TestSupport.run(executable, ["audit", "verify", "--data-dir", data.path])
        guard result.status == 0, result.stdoutText.hasPrefix("audit log intact: ") else {
            problems.append("audit verify failed (\(result.status)): \(result.stdoutText)\(result.stderrText)")
            return nil
        }
        return Int(result.stdoutText.dropFirst("audit log intact: ".count).prefix { $0.isNumber })
    }

    /// Runs the clients against the server until it is killed, `delay` seconds in.
    func load(_ ledgers: [CrashLedger], server: KeyHolderProcess, round: Int, killAfter delay: Double) async throws
        -> (ledgers: [CrashLedger], problems: [String])
    {
        let workloads = try ledgers.map { _ in CrashWorkload(kms: try client(for: server), account: Self.account, round: round) }
        return await withTaskGroup(of: (CrashLedger, [String])?.self) { group in
            for (workload, ledger) in zip(workloads, ledgers) {
                group.addTask { await workload.run(ledger) }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                server.kill()
                return nil
            }
            var results: [(CrashLedger, [String])] = []
            for await result in group {
                if let result { results.append(result) }
            }
            results.sort { $0.0.client < $1.0.client }
            return (results.map(\.0), results.flatMap(\.1))
        }
    }

    @Test func acknowledgedWritesSurviveKill9UnderLoadAndInFlightOnesAreAllOrNothing() async throws {
        let data = try dataDirectory()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        var ledgers = (1...Self.clients).map { CrashLedger(client: $0) }
        var problems: [String] = []
        var verifier: CrashVerifier? = nil
        var intact = 0
        var events = 0
        let began = Date()
        var seconds: [String: Double] = [:]
        func timed<T>(_ phase: String, _ work: () async throws -> T) async rethrows -> T {
            let start = Date()
            defer { seconds[phase, default: 0] += Date().timeIntervalSince(start) }
            return try await work()
        }
        for round in 0...Self.kills {
            let server = try await timed("start") { try await start(data) }
            let kms = try client(for: server)
            var current = verifier ?? CrashVerifier(kms: kms)
            current.kms = kms
            if round > 0 {
                // After the last kill, everything ever acknowledged is checked once more.
                try await timed(round == Self.kills ? "final check" : "check") {
                    try await current.verify(&ledgers, everything: round == Self.kills, round: round - 1)
                }
            }
            verifier = current
            guard round < Self.kills else {
                server.kill()
                break
            }
            let outcome = try await timed("load") {
                try await load(ledgers, server: server, round: round, killAfter: Double.random(in: 0.3...2))
            }
            ledgers = outcome.ledgers
            problems += outcome.problems
            if let count = try await timed("audit verify", { try await auditVerify(data, problems: &problems) }) {
                intact += 1
                events = count
            }
        }
        let check = try #require(verifier)
        problems += check.problems

        let keys = ledgers.map(\.keys.count).reduce(0, +)
        let aliases = ledgers.flatMap(\.keys).map(\.aliases.count).reduce(0, +)
        let ciphertexts = ledgers.map(\.ciphertexts.count).reduce(0, +)
        let checked = check.acknowledgedChecked.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        print(
            """
            crash consistency: \(Self.kills) kills (SIGKILL at a random moment 0.3-2 s into the load of \(Self.clients) clients), \
            \(String(format: "%.0f", Date().timeIntervalSince(began))) s \
            (\(seconds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", ")))
              acknowledged writes checked after the restart that followed them: \
            \(check.acknowledgedChecked.values.reduce(0, +)) (\(checked.joined(separator: ", ")))
              writes in flight at a kill: \(check.inFlightApplied) seen applied, \(check.inFlightNotApplied) not applied, \
            \(check.inFlightEncrypts) Encrypts (nothing stored to look for)
              at the end: \(keys) keys, \(aliases) aliases and \(ciphertexts) ciphertexts all checked \
            (\(check.ciphertextsDecrypted) decryptions in all); audit verify intact \(intact)/\(Self.kills) (\(events) events)
              problems: \(problems.count)
            """)
        #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")
        #expect(intact == Self.kills)
        #expect(check.acknowledgedChecked.values.reduce(0, +) > Self.kills * 10)
        #expect(check.inFlightApplied + check.inFlightNotApplied + check.inFlightEncrypts > 0)
    }

    /// The check itself: a lost acknowledged alias and a tag value no client wrote are
    /// reported, so that a clean run above means something.
    @Test func theCheckReportsALostAliasAndATagNoClientWrote() async throws {
        let data = try dataDirectory()
        defer { try? FileManager.default.removeItem(at: data.deletingLastPathComponent()) }
        let server = try await start(data)
        let workload = CrashWorkload(kms: try client(for: server), account: Self.account, round: 0)
        var ledger = CrashLedger(client: 1)
        for symmetric in [true, false] {
            try await workload.send(.createKey(description: "check \(symmetric)", symmetric: symmetric), &ledger)
        }
        let key = ledger.keys[0].id
        for write in [CrashLedger.Write.createAlias(name: "alias/crash-1-1", keyID: key), .tag(keyID: key, value: "1-2")] {
            try await workload.send(write, &ledger)
            ledger.acknowledged.append(write)
        }
        server.kill()

        let database = try DatabaseQueue(path: data.appendingPathComponent("keyholder.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "DELETE FROM aliases WHERE name = 'alias/crash-1-1'")
            try db.execute(sql: "UPDATE key_tags SET tag_value = 'forged' WHERE key_id = ?", arguments: [key])
        }
        try database.close()

        let restarted = try await start(data)
        defer { restarted.kill() }
        var ledgers = [ledger]
        var check = CrashVerifier(kms: try client(for: restarted))
        try await check.verify(&ledgers, everything: true, round: 0)
        #expect(check.problems.count == 2, "\(check.problems)")
        #expect(check.problems.contains { $0.contains("acknowledged alias alias/crash-1-1") && $0.contains("missing") })
        #expect(check.problems.contains { $0.contains("tag of \(key)") && $0.contains("forged") })
    }
}
