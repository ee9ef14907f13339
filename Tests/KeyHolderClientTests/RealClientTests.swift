import Foundation
import SigilTestSupport
import Testing

/// The key holder driven by real clients: the AWS CLI v1 and boto3 from the repository's
/// `.venv`, `cryptography` for offline checks, the official Python Encryption SDK with its
/// AWS KMS RSA keyring, and the built `sigil`. Each flow is one run of
/// `tools/interop/keyholder_clients.py` against a key holder this test starts.
@Suite("Real clients against the key holder", .serialized)
struct RealClientTests {
    static let venv = TestSupport.packageRoot.appendingPathComponent(".venv/bin")
    static let python = venv.appendingPathComponent("python").path
    static let aws = venv.appendingPathComponent("aws").path
    static let script = TestSupport.packageRoot.appendingPathComponent("tools/interop/keyholder_clients.py").path
    static let missingMessage =
        "no .venv/bin/python with .venv/bin/aws (tools/test makes them; by hand: "
        + "source tools/lib/setup.sh; source tools/lib/venv.sh; sigil_setup_venv)"

    /// Whether the venv is there. When it is not, says so, then fails under CI (CI=true)
    /// and cancels the test (a skip) otherwise.
    static func venvIsAvailable(sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let manager = FileManager.default
        return try TestSupport.require(
            manager.isExecutableFile(atPath: python) && manager.isExecutableFile(atPath: aws),
            missing: missingMessage, sourceLocation: sourceLocation)
    }

    /// What the script reported for one flow.
    struct FlowSummary: Decodable {
        var flow: String
        var ready: Bool
        var passed: Int
        var failed: Int
        var counts: [String: Int]
        var failures: [String]
        var notes: [String]
        var seconds: Double?

        var countsText: String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        }
    }

    /// Starts a key holder, runs one flow of the script against it, and returns its summary.
    static func run(_ flow: String) async throws -> FlowSummary {
        let server = try await KeyHolderServer()
        defer { server.stop() }
        let output = try await server.run(python, [
            script, flow, "--endpoint", server.endpoint, "--credentials", server.credentialsFile, "--aws", aws,
            "--sigil", KeyHolderServer.sigil, "--workdir", server.path("clients-\(flow)"),
        ])
        let lastLine = output.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        guard let summary = try? JSONDecoder().decode(FlowSummary.self, from: Data(lastLine.utf8)) else {
            throw TestFailure(
                "keyholder_clients.py \(flow) exited \(output.status) without a summary:\n\(output.stdoutText)\n"
                    + "\(output.stderrText.suffix(4000))\nkey holder log:\n\(server.log.suffix(2000))")
        }
        print("real clients, \(flow): \(summary.passed) passed, \(summary.failed) failed "
              + "(\(summary.countsText))" + (summary.seconds.map { " in \($0) s" } ?? ""))
        for failure in summary.failures { Issue.record(Comment(rawValue: "\(flow): \(failure)")) }
        if summary.failed > 0 {
            print("keyholder_clients.py \(flow) stderr (end):\n\(output.stderrText.suffix(4000))")
        }
        return summary
    }

    /// RSA_2048/3072/4096 × OAEP-SHA-1/SHA-256 × (a 32-byte key, the largest plaintext):
    /// encrypted offline with `cryptography` to the key from `aws kms get-public-key`,
    /// decrypted by `aws kms decrypt`.
    @Test func offlineEncryptionWithTheAWSCLI() async throws {
        guard try Self.venvIsAvailable() else { return }
        let summary = try await Self.run("offline-encryption")
        #expect(summary.failed == 0)
        #expect(summary.counts["aws decrypt of an offline OAEP ciphertext"] == 12)
        #expect(summary.counts["aws decrypt with the other OAEP hash refused"] == 3)
    }

    /// Every signing algorithm × key spec (44 pairs with RAW and DIGEST).
    @Test func signWithBoto3VerifyOffline() async throws {
        guard try Self.venvIsAvailable() else { return }
        let summary = try await Self.run("sign-verify")
        #expect(summary.failed == 0)
        for kind in [
            "boto3 Sign", "verified by cryptography", "verified by sigil verify", "boto3 Verify of the signature",
            "boto3 Verify of a tampered signature raises KMSInvalidSignatureException",
            "sigil verify refuses a tampered signature",
        ] {
            #expect(summary.counts[kind] == 44, "\(kind): \(summary.counts[kind] ?? 0) of 44")
        }
    }

    /// GenerateDataKey, local AES-GCM, Decrypt, ReEncrypt: runs once the key holder's
    /// symmetric operations answer (until then the flow reports itself not ready: a skip).
    @Test func envelopeEncryptionWithBoto3() async throws {
        guard try Self.venvIsAvailable() else { return }
        let summary = try await Self.run("envelope")
        guard summary.ready else {
            let reason = "envelope flow not run: \(summary.notes.joined(separator: "; "))"
            print("skipping: \(reason)")
            try Test.cancel(Comment(rawValue: reason))
        }
        #expect(summary.failed == 0)
        #expect(summary.counts["GenerateDataKey, AES-GCM, Decrypt"] == 2)
        #expect(summary.counts["Decrypt under a different encryption context: InvalidCiphertextException"] == 3)
        #expect(summary.counts["ReEncrypt to another key"] == 1)
    }

    /// The Python Encryption SDK's AWS KMS RSA keyring, its boto3 client pointed at the key
    /// holder, both ways with `sigil`: 2 OAEP hashes × 4 sizes × with and without context.
    @Test func encryptionSDKKMSRSAKeyringThroughTheKeyHolder() async throws {
        guard try Self.venvIsAvailable() else { return }
        let summary = try await Self.run("esdk")
        #expect(summary.failed == 0)
        #expect(summary.counts["sigil encrypt -> SDK AWS KMS RSA keyring decrypts via the key holder"] == 16)
        #expect(summary.counts["SDK encrypts -> sigil decrypt --key-id via the key holder"] == 16)
        #expect(summary.counts["refused"] == 3)
    }
}
