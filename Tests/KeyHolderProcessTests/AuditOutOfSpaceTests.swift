import Foundation
import SigilKMS
import SigilKeyStore
import SigilTestSupport
import Testing

/// The audit log fails closed on a real out-of-space condition: the key holder's
/// file-size limit (`ulimit -f`) lowered under it, so that every write to its database
/// fails with EFBIG, as on a full disk.
@Suite("The audit log fails closed when the disk is full", .serialized)
struct AuditOutOfSpaceTests {
    static let prlimit = "/usr/bin/prlimit"

    /// The id of the `serve` process whose command line names `directory`.
    static func processID(servingFrom directory: URL) throws -> Int32 {
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry), let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else {
                continue
            }
            let arguments = line.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.contains("serve") && arguments.contains(directory.path) { return pid }
        }
        throw TestFailure("no sigil-keyholder serve process for \(directory.path)")
    }

    /// Sets the process's file-size limit (soft:hard, in bytes or `unlimited`).
    static func limitFileSize(of pid: Int32, to limit: String) async throws {
        let result = try await TestSupport.run(prlimit, ["--pid", "\(pid)", "--fsize=\(limit)"])
        guard result.status == 0 else { throw TestFailure("prlimit failed: \(result.stderrText)") }
    }

    @Test("a Sign on a full disk fails with KMSInternalException and no signature; space back, all is well")
    func signFailsClosedOnAFullDisk() async throws {
        guard try TestSupport.require(FileManager.default.isExecutableFile(atPath: Self.prlimit), missing: "prlimit (util-linux)")
        else { return }
        let server = try await KeyHolderProcess.start()
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let kms = KMSClient(
            endpoint: server.endpoint, region: "us-east-1",
            credentials: try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": server.credentialsFile.path])
                .credentials())
        let keyID = try #require(
            try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256)).keyMetadata?.keyId)
        let message = Array("signed only if audited".utf8)
        _ = try await kms.sign(keyId: keyID, message: message, signingAlgorithm: .ecdsaSha256)

        let pid = try Self.processID(servingFrom: server.dataDirectory)
        // No byte may be written anywhere in any file: the disk is full.
        try await Self.limitFileSize(of: pid, to: "0:unlimited")
        for _ in 0..<3 {
            do {
                let released = try await kms.sign(keyId: keyID, message: message, signingAlgorithm: .ecdsaSha256)
                Issue.record("a signature was released with no room for its event: \(released.signature?.count ?? 0) bytes")
            } catch let error as KMSError {
                #expect(error.type == "KMSInternalException", "\(error)")
                #expect(error.httpStatus == 500)
            }
        }
        // The server is alive (SIGXFSZ did not kill it) and said why it refused.
        #expect(server.log.contains("could not be recorded"), "\(server.log.suffix(2000))")

        // Space returns: the service recovers and the log is whole.
        try await Self.limitFileSize(of: pid, to: "unlimited:unlimited")
        let signed = try await kms.sign(keyId: keyID, message: message, signingAlgorithm: .ecdsaSha256)
        #expect((signed.signature?.count ?? 0) > 0)
        let verify = try await TestSupport.run(
            TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path,
            ["audit", "verify", "--data-dir", server.dataDirectory.path])
        #expect(verify.status == 0, "\(verify.stdoutText) \(verify.stderrText)")
        #expect(verify.stdoutText.hasPrefix("audit log intact"))
        // Only the signatures released are in the log.
        let events = try KeyStore.open(directory: server.dataDirectory).store.auditEvents().map(\.event)
        #expect(events.filter { $0.operation == "Sign" }.map(\.outcome) == [.success, .success])
    }
}
