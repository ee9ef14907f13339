import Foundation
import GRDB
import SigilKeyStore
import SigilTestSupport
import Testing

/// `sigil-keyholder audit verify|export` as a user runs them, on data directories
/// populated through the store.
@Suite("sigil-keyholder audit", .serialized)
struct AuditCommandTests {
    static let account = "111122223333"
    static let region = "us-east-1"

    var executable: String { TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path }

    /// A data directory whose log holds a CreateKey (through the store's mutation) and
    /// `requests` Decrypt events (through the group writer): `requests` + 1 events.
    func populatedDirectory(requests: Int = 20) throws -> (directory: URL, store: KeyStore, keyARN: String) {
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        let store = try KeyStore.open(directory: directory).store
        let key = try store.createKey(
            account: Self.account, region: Self.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            audit: AuditEvent(
                requestID: "create-key", region: Self.region, account: Self.account,
                principalARN: "arn:aws:iam::\(Self.account):root", operation: "CreateKey",
                algorithm: "SYMMETRIC_DEFAULT"))
        for number in 1...requests {
            try store.recordAudit(
                AuditEvent(
                    time: Date(timeIntervalSince1970: 1_714_564_800 + Double(number)), requestID: "request-\(number)",
                    region: Self.region, account: Self.account, principalARN: "arn:aws:iam::\(Self.account):user/alice",
                    accessKeyID: "AKIAEXAMPLE000000001", sourceAddress: "127.0.0.1", userAgent: "aws-cli/2.15",
                    operation: "Decrypt", keyARN: key.arn, algorithm: "SYMMETRIC_DEFAULT",
                    encryptionContextKeys: ["tenant"], outcome: number % 5 == 0 ? .denied : .success,
                    errorCode: number % 5 == 0 ? "AccessDeniedException" : nil))
        }
        try store.flushAudit()
        return (directory, store, key.arn)
    }

    func run(_ arguments: [String]) async throws -> TestSupport.ProcessOutput {
        try await TestSupport.run(executable, arguments)
    }

    func tamper(_ directory: URL, _ sql: String) throws {
        let raw = try DatabaseQueue(path: directory.appendingPathComponent("keyholder.sqlite").path)
        try raw.write { db in try db.execute(sql: sql) }
        try raw.close()
    }

    func hex(_ bytes: [UInt8]) -> String { TestSupport.hex(bytes) }

    // MARK: - verify

    @Test("verify reports an intact log with its event count and head hash, exit 0")
    func verifyIntact() async throws {
        let (directory, store, _) = try populatedDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let result = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let head = try store.verifyAuditLog().headHash
        #expect(result.stdoutText == "audit log intact: 21 events, head sha256 \(hex(head))\n")
        #expect(hex(head) != String(repeating: "0", count: 64))
    }

    @Test("verify names the first broken event and why, exit 1")
    func verifyBroken() async throws {
        let (directory, _, _) = try populatedDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try tamper(directory, "UPDATE audit_events SET outcome = 'success', error_code = NULL WHERE seq = 6")
        let altered = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(altered.status == 1)
        #expect(
            altered.stdoutText
                == "audit log broken at event 6 (request request-5): event 6 (request request-5) was altered: "
                + "its hash does not match its contents\n")

        try tamper(directory, "DELETE FROM audit_events WHERE seq = 3")
        let missing = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(missing.status == 1)
        #expect(missing.stdoutText == "audit log broken at event 3: event 3 is missing (the sequence jumps from 2 to 4)\n")
    }

    @Test("verify finds events cut off the end of the log, exit 1")
    func verifyTruncated() async throws {
        let (directory, _, _) = try populatedDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try tamper(directory, "DELETE FROM audit_events WHERE seq > 15")
        let result = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(result.status == 1)
        #expect(
            result.stdoutText
                == "audit log broken at event 16: events after 15 were removed: the signed head records 21 events\n")
    }

    @Test("a database file cut off in the middle of its events is reported, exit 1, never a crash")
    func verifyTruncatedFile() async throws {
        let (directory, store, _) = try populatedDirectory(requests: 3_000)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        _ = store
        // Fold the WAL into the database file, then cut the file mid-page, inside the events.
        let raw = try DatabaseQueue(path: directory.appendingPathComponent("keyholder.sqlite").path)
        try await raw.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try raw.close()
        let file = directory.appendingPathComponent("keyholder.sqlite")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: UInt64(size * 2 / 3 + 100))
        try handle.close()
        let result = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(result.status == 1, "\(result.stdoutText)\(result.stderrText)")
        #expect(!(result.stdoutText + result.stderrText).contains("intact"))
        #expect(!(result.stdoutText + result.stderrText).isEmpty)
        print("truncated database: \((result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    @Test(
        "usage errors exit 2 with a one-line reason",
        arguments: [
            (["audit", "verify"], "Missing expected argument '--data-dir <dir>'"),
            (["audit", "verify", "--data-dir", "/tmp", "--bogus"], "Unknown option '--bogus'"),
            (["audit", "verify", "--data-dir", "/tmp", "extra"], "Unexpected argument 'extra'"),
            (["audit", "verify", "--data-dir"], "Missing value for '--data-dir <dir>'"),
            (["audit", "export", "--data-dir", "/tmp", "--after", "ten"], "The value 'ten' is invalid for '--after <seq>'"),
            (["audit", "export", "--data-dir", "/tmp", "--after=-3"], "--after takes a sequence number (0 or more), not -3"),
            (["audit", "export", "--data-dir", "/tmp", "-o", "/tmp/"], "-o takes a file name, not '/tmp/'"),
            (["audit", "export"], "Missing expected argument '--data-dir <dir>'"),
            (["audit", "inspect"], "Unexpected argument 'inspect'"),
        ])
    func usageErrors(arguments: [String], message: String) async throws {
        let result = try await run(arguments)
        #expect(result.status == 2)
        #expect(result.stderrText.contains(message), "\(result.stderrText)")
        #expect(result.stdoutText.isEmpty)
    }

    @Test("a directory that is not a key holder's is refused and left as it was, exit 2", arguments: ["verify", "export"])
    func refusesOtherDirectories(verb: String) async throws {
        let empty = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try await run(["audit", verb, "--data-dir", empty.path])
        #expect(result.status == 2)
        #expect(result.stderrText.hasPrefix("sigil-keyholder: error: "))
        #expect(result.stderrText.contains("\(empty.path) is not a key holder data directory"), "\(result.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)

        let missing = empty.appendingPathComponent("nowhere")
        let absent = try await run(["audit", verb, "--data-dir", missing.path])
        #expect(absent.status == 2)
        #expect(absent.stderrText.contains("is not a key holder data directory"))
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    // MARK: - export

    @Test("export writes CloudTrail JSON lines to standard output and the count to standard error")
    func exportToStandardOutput() async throws {
        let (directory, store, keyARN) = try populatedDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let result = try await run(["audit", "export", "--data-dir", directory.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText == "sigil-keyholder: exported 21 audit events\n")
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.count == 21)
        let chain = try store.auditEvents()
        for (index, line) in lines.enumerated() {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["eventVersion"] as? String == "1.08")
            #expect(record["eventSource"] as? String == "kms.amazonaws.com")
            #expect(record["eventType"] as? String == "AwsApiCall")
            #expect(record["awsRegion"] as? String == Self.region)
            #expect(record["recipientAccountId"] as? String == Self.account)
            #expect(record["requestID"] as? String == chain[index].event.requestID)
            #expect((record["sigilSequence"] as? NSNumber)?.int64Value == chain[index].seq)
            #expect(record["sigilHash"] as? String == hex(chain[index].hash))
            #expect(UUID(uuidString: try #require(record["eventID"] as? String)) != nil)
            #expect(record.keys.contains("responseElements"))
            let resources = try #require(record["resources"] as? [[String: Any]])
            #expect(resources.first?["ARN"] as? String == keyARN)
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["eventName"] as? String == "CreateKey")
        #expect((first["userIdentity"] as? [String: Any])?["type"] as? String == "Root")
        let denied = try #require(try JSONSerialization.jsonObject(with: Data(lines[5].utf8)) as? [String: Any])
        #expect(denied["eventName"] as? String == "Decrypt")
        #expect(denied["errorCode"] as? String == "AccessDeniedException")
        #expect(denied["eventTime"] as? String == "2024-05-01T12:00:05Z")
        #expect(denied["sourceIPAddress"] as? String == "127.0.0.1")
        let identity = try #require(denied["userIdentity"] as? [String: Any])
        #expect(identity["type"] as? String == "IAMUser")
        #expect(identity["arn"] as? String == "arn:aws:iam::\(Self.account):user/alice")
        #expect(identity["accessKeyId"] as? String == "AKIAEXAMPLE000000001")
        let parameters = try #require(denied["requestParameters"] as? [String: Any])
        #expect(parameters["encryptionAlgorithm"] as? String == "SYMMETRIC_DEFAULT")
        #expect(parameters["encryptionContextKeys"] as? [String] == ["tenant"])
    }

    @Test("export -o writes the file whole, and --after starts after a sequence number")
    func exportToFile() async throws {
        let (directory, _, _) = try populatedDirectory()
        let folder = directory.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("audit.jsonl")
        try Data("stale contents\n".utf8).write(to: output)
        let result = try await run(["audit", "export", "--data-dir", directory.path, "-o", output.path, "--after", "16"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.isEmpty)
        #expect(result.stderrText == "sigil-keyholder: exported 5 audit events to \(output.path)\n")
        let lines = String(decoding: try Data(contentsOf: output), as: UTF8.self).split(separator: "\n")
        let sequences = try lines.map { line in
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (record["sigilSequence"] as? NSNumber)?.int64Value
        }
        #expect(sequences == [17, 18, 19, 20, 21])
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["audit.jsonl", "data"])

        let none = try await run(["audit", "export", "--data-dir", directory.path, "--output", output.path, "--after", "21"])
        #expect(none.status == 0)
        #expect(none.stderrText == "sigil-keyholder: exported 0 audit events to \(output.path)\n")
        #expect(try Data(contentsOf: output).isEmpty)
    }

    @Test("verify and export work while a server uses the same directory")
    func worksBesideARunningServer() async throws {
        let (directory, _, _) = try populatedDirectory(requests: 5)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let server = try await KeyHolderProcess.start(dataDirectory: directory)
        defer { server.kill() }
        let verified = try await run(["audit", "verify", "--data-dir", directory.path])
        #expect(verified.status == 0, "\(verified.stderrText)")
        #expect(verified.stdoutText.hasPrefix("audit log intact: "))
        let exported = try await run(["audit", "export", "--data-dir", directory.path])
        #expect(exported.status == 0, "\(exported.stderrText)")
        #expect(exported.stdoutText.split(separator: "\n").count >= 6)
    }
}
