import Foundation
import SigilKMS
import SigilTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Several key holders over one PostgreSQL store (issue 11): one key space, state changes
/// enforced everywhere within a second, one root key, and a node's loss survived.
@Suite(.serialized) struct SharedStoreTests {
    /// Runs `body` with a throwaway PostgreSQL cluster and the `--database-url` naming it,
    /// its password in a file of mode 0600 that the URL names (never the URL itself).
    func withSharedStore(_ body: (PostgreSQLServer, String) async throws -> Void) async throws {
        guard try TestSupport.require(
            PostgreSQLServer.binaries() != nil, missing: "PostgreSQL (Debian: apt-get install postgresql; tools/test installs it)")
        else { return }
        let server = try await PostgreSQLServer.start()
        do {
            let folder = try TestSupport.temporaryDirectory()
            let passwordFile = folder.appendingPathComponent("pgpass")
            try Data("127.0.0.1:\(server.port):\(server.database):\(server.user):\(server.password)\n".utf8).write(to: passwordFile)
            #expect(chmod(passwordFile.path, 0o600) == 0)
            let url = "postgresql://\(server.user)@127.0.0.1:\(server.port)/\(server.database)?sslmode=disable&passfile=\(passwordFile.path)"
            try await body(server, url)
        } catch {
            print(server.log)
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A data directory for a second node: the first node's root key (mode 0600) and, for
    /// the test's client, its credentials file.
    func secondDataDirectory(from first: URL) throws -> URL {
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for name in ["root.key", "credentials"] {
            try FileManager.default.copyItem(at: first.appendingPathComponent(name), to: directory.appendingPathComponent(name))
            #expect(chmod(directory.appendingPathComponent(name).path, 0o600) == 0)
        }
        return directory
    }

    /// `sigil-keyholder audit verify` of the shared store, as an operator runs it: the chain
    /// must be intact.
    func expectAuditIntact(dataDirectory: URL, url: String) async throws {
        let verified = try await TestSupport.run(
            ServeProcess.executable, ["audit", "verify", "--data-dir", dataDirectory.path, "--database-url", url])
        #expect(verified.status == 0 && verified.stdoutText.contains("audit log intact"), "\(verified.stdoutText)\(verified.stderrText)")
    }

    func errorType(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as KMSError {
            return error.type
        } catch {
            return "\(error)"
        }
    }

    @Test("Two key holders share one key space: a key made on one is used on the other, a disable on one is enforced by the other within 1 s, and losing one leaves the other serving")
    func twoNodesOneKeySpace() async throws {
        try await withSharedStore { _, url in
            let first = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url])
            defer { first.remove() }
            #expect(first.isListening, "\(first.log)")
            let second = try await ServeProcess(
                dataDirectory: try secondDataDirectory(from: first.dataDirectory), ["--listen", "127.0.0.1:0", "--database-url", url])
            defer { second.remove() }
            #expect(second.isListening, "\(second.log)")
            let one = try first.client(), two = try second.client()

            // Made on one, used on the other; each decrypts what the other encrypted.
            let created = try await one.createKey(KMS.CreateKeyRequest())
            let keyID = try #require(created.keyMetadata?.keyId)
            let message = Array("one key space".utf8)
            let sealed = try await two.encrypt(keyId: keyID, plaintext: message)
            let blob = try #require(sealed.ciphertextBlob?.bytes)
            #expect(try await one.decrypt(ciphertextBlob: blob).plaintext?.bytes == message)
            try await two.createAlias(aliasName: "alias/shared", targetKeyId: keyID)
            #expect(try await one.describeKey(keyId: "alias/shared").keyMetadata?.keyId == keyID)

            // Disabled through one node: the other refuses it within a second. What counts is
            // when a request was sent: one sent a second after the disable must be refused,
            // however long a loaded machine takes to answer it.
            _ = try await two.encrypt(keyId: keyID, plaintext: message)  // cached there now
            try await one.disableKey(keyId: keyID)
            let disabledAt = ContinuousClock.now
            var refusedSentAfter: Duration? = nil
            var servedSentAfter: [Duration] = []
            while ContinuousClock.now - disabledAt < .seconds(10) {
                let sent = ContinuousClock.now - disabledAt
                if await errorType({ _ = try await two.encrypt(keyId: keyID, plaintext: message) }) == "DisabledException" {
                    refusedSentAfter = sent
                    break
                }
                servedSentAfter.append(sent)
                try await Task.sleep(for: .milliseconds(20))
            }
            let after = try #require(refusedSentAfter, "the second node still encrypts with a key disabled on the first")
            print("shared store: a DisableKey on one node was enforced by the other for requests sent \(after) after it")
            #expect(servedSentAfter.allSatisfy { $0 < .seconds(1) }, "served after the disable: \(servedSentAfter)")
            try await one.enableKey(keyId: keyID)
            // The enable, too, reaches the second node within a second (not at once: only the
            // writer reads its own writes immediately).
            let enabledAt = ContinuousClock.now
            while await errorType({ _ = try await two.encrypt(keyId: keyID, plaintext: message) }) != nil,
                ContinuousClock.now - enabledAt < .seconds(10)
            {
                try await Task.sleep(for: .milliseconds(20))
            }

            // The first node dies without a word; the second carries on, with everything.
            first.kill()
            let again = try await two.encrypt(keyId: keyID, plaintext: message)
            #expect(try await two.decrypt(ciphertextBlob: try #require(again.ciphertextBlob?.bytes)).plaintext?.bytes == message)
            let made = try await two.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256))
            #expect(made.keyMetadata?.keyState == .enabled)
        }
    }

    @Test("A node without the store's root key, or with another one, refuses to start and says why")
    func anotherRootKeyIsRefused() async throws {
        try await withSharedStore { _, url in
            let first = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url])
            defer { first.remove() }
            #expect(first.isListening, "\(first.log)")

            // No root.key: a new one would seal nothing the store holds.
            let empty = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url])
            defer { empty.remove() }
            #expect(!empty.isRunning && empty.status == 1, "\(empty.log)")
            #expect(empty.log.contains("copy root.key from a node of this store"), "\(empty.log)")
            #expect(!FileManager.default.fileExists(atPath: empty.dataDirectory.appendingPathComponent("root.key").path))

            // Another root key of the right size and mode.
            let other = try secondDataDirectory(from: first.dataDirectory)
            try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: other.appendingPathComponent("root.key"))
            #expect(chmod(other.appendingPathComponent("root.key").path, 0o600) == 0)
            let stranger = try await ServeProcess(dataDirectory: other, ["--listen", "127.0.0.1:0", "--database-url", url])
            defer { stranger.remove() }
            #expect(!stranger.isRunning && stranger.status == 1, "\(stranger.log)")
            #expect(stranger.log.contains("not the one the store was sealed with"), "\(stranger.log)")

            // A password on the command line is refused before anything is opened.
            let exposed = url.replacingOccurrences(of: "sigil@", with: "sigil:secret@")
            let refused = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", exposed])
            defer { refused.remove() }
            #expect(!refused.isRunning && refused.status == 2, "\(refused.log)")
            #expect(refused.log.contains("password"), "\(refused.log)")
        }
    }

    @Test("store copy moves a SQLite store into PostgreSQL with its keys and chain intact, and refuses a target that is not empty")
    func storeCopy() async throws {
        try await withSharedStore { _, url in
            // A lone key holder on SQLite, with keys, an alias, a tag and audit events.
            let lone = try await ServeProcess(["--listen", "127.0.0.1:0"])
            defer { lone.remove() }
            let kms = try lone.client()
            let key = try #require(try await kms.createKey(KMS.CreateKeyRequest()).keyMetadata?.keyId)
            let signing = try #require(
                try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256)).keyMetadata?.keyId)
            try await kms.createAlias(aliasName: "alias/moved", targetKeyId: key)
            let message = Array("made before the move".utf8)
            let sealed = try #require(try await kms.encrypt(keyId: key, plaintext: message).ciphertextBlob?.bytes)
            lone.kill()

            let keyholder = ServeProcess.executable
            let copied = try await TestSupport.run(keyholder, ["store", "copy", "--from", lone.dataDirectory.path, "--to", url])
            #expect(copied.status == 0, "\(copied.stdoutText)\(copied.stderrText)")
            #expect(copied.stdoutText.contains("copied 2 keys") && copied.stdoutText.contains("audit log intact"), "\(copied.stdoutText)")
            try await expectAuditIntact(dataDirectory: lone.dataDirectory, url: url)

            // A node over the copy serves what the lone key holder made.
            let node = try await ServeProcess(
                dataDirectory: try secondDataDirectory(from: lone.dataDirectory), ["--listen", "127.0.0.1:0", "--database-url", url])
            defer { node.remove() }
            #expect(node.isListening, "\(node.log)")
            let shared = try node.client()
            #expect(try await shared.decrypt(ciphertextBlob: sealed).plaintext?.bytes == message)
            #expect(try await shared.describeKey(keyId: "alias/moved").keyMetadata?.keyId == key)
            let signature = try await shared.sign(keyId: signing, message: message, signingAlgorithm: .ecdsaSha256)
            #expect(signature.signature?.bytes.isEmpty == false)

            // Once is enough: the store now holds all of it.
            let again = try await TestSupport.run(keyholder, ["store", "copy", "--from", lone.dataDirectory.path, "--to", url])
            #expect(again.status == 1 && again.stderrText.contains("is not empty"), "\(again.stderrText)")
        }
    }

    @Test("PostgreSQL restarted 10 times under load: the nodes answer a retryable error meanwhile, reconnect by themselves, lose nothing acknowledged")
    func postgreSQLRestarts() async throws {
        try await withSharedStore { server, url in
            // Quotas off: this is about failures, and a node's share of a quota moves with the others.
            let first = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
            defer { first.remove() }
            let second = try await ServeProcess(
                dataDirectory: try secondDataDirectory(from: first.dataDirectory),
                ["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
            defer { second.remove() }
            #expect(first.isListening && second.isListening, "\(first.log)\(second.log)")
            let clients = [try first.client(timeout: 5), try second.client(timeout: 5)]

            var acknowledged: [String] = []
            var outcomes: [String: Int] = [:]
            /// Creates keys on both nodes for `duration`, round robin, noting each answer.
            func load(for duration: Duration) async {
                let end = ContinuousClock.now + duration
                var index = 0
                while ContinuousClock.now < end {
                    index += 1
                    do {
                        let made = try await clients[index % 2].createKey(KMS.CreateKeyRequest(description: "restart load \(index)"))
                        if let id = made.keyMetadata?.keyId { acknowledged.append(id) }
                        outcomes["acknowledged", default: 0] += 1
                    } catch let error as KMSError {
                        outcomes["\(error.httpStatus) \(error.type)", default: 0] += 1
                    } catch {
                        outcomes["transport: \(type(of: error))", default: 0] += 1
                    }
                }
            }
            for _ in 0..<10 {
                await load(for: .milliseconds(300))
                async let restarted: Void = server.restart()
                await load(for: .milliseconds(700))
                try await restarted
            }
            // Back to normal: both nodes answer again by themselves.
            var recovered = false
            for _ in 0..<100 {
                if (try? await clients[0].listKeys(limit: 1)) != nil, (try? await clients[1].listKeys(limit: 1)) != nil {
                    recovered = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            print("PostgreSQL restarts: \(outcomes)")
            #expect(recovered, "the nodes did not reconnect: \(first.log)\(second.log)")
            #expect(first.isRunning && second.isRunning, "a node crashed")
            // A client may also give up on a request after 5 s when the machine is busy with
            // every other suite at once (AsyncHTTPClient's deadline, KMSClient's transport);
            // a node never answers anything but these.
            #expect(
                Set(outcomes.keys).isSubset(of: ["acknowledged", "500 KMSInternalException", "transport: HTTPClientError"]),
                "\(outcomes)")
            #expect((outcomes["500 KMSInternalException"] ?? 0) > 0, "the restarts were not noticed: \(outcomes)")
            // Every acknowledged key is there, whichever node is asked.
            for (index, id) in acknowledged.enumerated() {
                let described = try await clients[index % 2].describeKey(keyId: id)
                #expect(described.keyMetadata?.keyState == .enabled, "\(id)")
            }
            try await expectAuditIntact(dataDirectory: first.dataDirectory, url: url)
        }
    }

    @Test("One of two nodes killed (SIGKILL) 10 times under mixed writes and reads: every acknowledged write is there, the survivor carries on")
    func nodeKilledUnderLoad() async throws {
        try await withSharedStore { _, url in
            // Quotas off: this is about failures, and a node's share of a quota moves with the others.
            let survivor = try await ServeProcess(["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
            defer { survivor.remove() }
            let victimDirectory = try secondDataDirectory(from: survivor.dataDirectory)
            let steady = try survivor.client(timeout: 5)
            var tagged: [String: String] = [:]  // key id → the tag value last acknowledged ("" for none)
            var outcomes: [String: Int] = [:]
            func merge(_ result: LoadResult) {
                tagged.merge(result.tagged) { _, new in new }
                outcomes.merge(result.outcomes, uniquingKeysWith: +)
            }
            for round in 0..<10 {
                let victim = try await ServeProcess(
                    dataDirectory: victimDirectory, ["--listen", "127.0.0.1:0", "--database-url", url, "--no-quotas"])
                #expect(victim.isListening, "\(victim.log)")
                let doomed = try victim.client(timeout: 2)
                // The two loads run at once on disjoint keys (the victim's own), so that the
                // order of their acknowledgements never matters.
                let onVictim = Task { await Self.load(doomed, for: .milliseconds(400), keys: [], label: "victim\(round)") }
                merge(await Self.load(steady, for: .milliseconds(200), keys: Array(tagged.keys), label: "steady\(round)a"))
                victim.kill()
                merge(await onVictim.value)
                merge(await Self.load(steady, for: .milliseconds(200), keys: Array(tagged.keys), label: "steady\(round)b"))
            }
            print("node killed under load: \(outcomes), \(tagged.count) keys")
            #expect(survivor.isRunning, "the surviving node stopped: \(survivor.log)")
            // Only the killed node's requests may have failed, as a client sees a dead server.
            #expect(Set(outcomes.keys).isSubset(of: ["acknowledged", "transport"]), "\(outcomes)")
            for (id, value) in tagged {
                let described = try await steady.describeKey(keyId: id)
                #expect(described.keyMetadata?.keyState == .enabled, "\(id)")
                if !value.isEmpty {
                    let tags = try await steady.send(KMS.ListResourceTagsRequest(keyId: id))
                    #expect(tags.tags?.first { $0.tagKey == "step" }?.tagValue == value, "\(id)")
                }
            }
            try await expectAuditIntact(dataDirectory: survivor.dataDirectory, url: url)
        }
    }

    @Test("A per-account quota of R requests/s holds in aggregate over two nodes: each takes half")
    func quotaAcrossNodes() async throws {
        try await withSharedStore { _, url in
            // Low enough that even a slow machine (a sanitizer build) sends well over it.
            let rate = 10.0
            let arguments = ["--listen", "127.0.0.1:0", "--database-url", url, "--quota", "describe-key=\(Int(rate))"]
            let first = try await ServeProcess(arguments)
            defer { first.remove() }
            let second = try await ServeProcess(dataDirectory: try secondDataDirectory(from: first.dataDirectory), arguments)
            defer { second.remove() }
            let key = try #require(try await first.client().createKey(KMS.CreateKeyRequest()).keyMetadata?.keyId)
            // Each node hears of the other within a heartbeat or two.
            for _ in 0..<50 where !(first.log.contains("nodes serving the store: 2") && second.log.contains("nodes serving the store: 2")) {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(first.log.contains("nodes serving the store: 2") && second.log.contains("nodes serving the store: 2"))
            try await Task.sleep(for: .seconds(1.2))  // both buckets full at their new size

            let seconds = 4.0
            let clients = [try first.client(), try second.client()]
            let counts = try await withThrowingTaskGroup(of: (admitted: Int, throttled: Int).self) { group in
                for worker in 0..<8 {
                    let client = clients[worker % 2]
                    group.addTask {
                        var admitted = 0, throttled = 0
                        let end = ContinuousClock.now + .seconds(seconds)
                        while ContinuousClock.now < end {
                            do {
                                _ = try await client.describeKey(keyId: key)
                                admitted += 1
                            } catch let error as KMSError where error.type == "ThrottlingException" {
                                throttled += 1
                            }
                        }
                        return (admitted, throttled)
                    }
                }
                return try await group.reduce(into: (admitted: 0, throttled: 0)) { $0.admitted += $1.admitted; $0.throttled += $1.throttled }
            }
            // A full bucket (one second of the rate, shared) plus the rate for the run.
            let expected = rate * seconds + rate
            print("quota across 2 nodes: \(counts.admitted) admitted, \(counts.throttled) throttled in \(seconds) s at R = \(rate)/s; expected about \(Int(expected))")
            #expect(counts.throttled > counts.admitted, "the load did not exceed the quota")
            #expect(Double(counts.admitted) <= expected * 1.1 && Double(counts.admitted) >= rate * seconds * 0.9, "\(counts)")
        }
    }

    /// What one client's load acknowledged and met.
    struct LoadResult: Sendable {
        var tagged: [String: String] = [:]
        var outcomes: [String: Int] = [:]
    }

    /// Creates keys and tags `keys` (or those it made) through `client` for `duration`,
    /// reading a page of keys after each write; what was acknowledged, and every answer.
    static func load(_ client: KMSClient, for duration: Duration, keys: [String], label: String) async -> LoadResult {
        var result = LoadResult()
        var pool = keys
        let end = ContinuousClock.now + duration
        var step = 0
        while ContinuousClock.now < end {
            step += 1
            do {
                if step % 3 == 0, let id = pool.randomElement() {
                    let value = "\(label)-\(step)"
                    _ = try await client.send(KMS.TagResourceRequest(keyId: id, tags: [KMS.Tag(tagKey: "step", tagValue: value)]))
                    result.tagged[id] = value
                } else {
                    let made = try await client.createKey(KMS.CreateKeyRequest(description: "kill load \(label) \(step)"))
                    if let id = made.keyMetadata?.keyId {
                        result.tagged[id] = ""
                        pool.append(id)
                    }
                }
                _ = try await client.listKeys(limit: 5)
                result.outcomes["acknowledged", default: 0] += 1
            } catch let error as KMSError {
                result.outcomes["\(error.httpStatus) \(error.type)", default: 0] += 1
            } catch {
                result.outcomes["transport", default: 0] += 1
            }
        }
        return result
    }
}
