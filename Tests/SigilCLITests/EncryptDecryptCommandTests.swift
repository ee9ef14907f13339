import Foundation
import Sigil
import SigilTestSupport
import Testing

/// `sigil encrypt`, `sigil decrypt` and `sigil inspect` run as a user would: round trips
/// by every route, and for every failure a non-zero exit, one line on stderr naming the
/// problem, and no output file (a target that was there is left byte for byte).
@Suite struct EncryptDecryptCommandTests {
    static let arn = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

    /// Key files in the fixture's folder.
    struct KeyFiles {
        let publicKey: String
        let privateKey: String
        let otherPrivateKey: String

        init(_ cli: CLIFixture) throws {
            let key = try TestSupport.privateKey(.rsa2048)
            publicKey = try cli.write("recipient.pub.pem", Array(key.publicKey.pemRepresentation.utf8))
            privateKey = try cli.write("recipient.key.pem", Array(key.pemRepresentation.utf8))
            otherPrivateKey = try cli.write("other.key.pem", Array(TestSupport.privateKey(.rsa3072).pemRepresentation.utf8))
        }
    }

    static let paddings = ["oaep-sha1", "oaep-sha256", "oaep-sha384", "oaep-sha512"]
    static let suites = ["0478", "0578"]

    // MARK: - Round trips

    @Test(arguments: paddings, suites)
    func rawRSARoundTripsThroughFiles(padding: String, suite: String) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let plaintext = TestSupport.randomMessage(lengths: 5000...9000)
        let input = try cli.write("plain.bin", plaintext)
        let message = path(cli, "plain.sigil")
        let recipient = ["--key-namespace", "escrow", "--key-name", "2026", "--padding", padding]
        let encrypted = try await cli.run(
            ["encrypt", "--public-key", keys.publicKey] + recipient + ["--suite", suite, "--frame-size", "1000", "-o", message, input])
        #expect(encrypted.status == 0, "\(encrypted.stderrText)")
        #expect(encrypted.standardOutput.isEmpty && encrypted.stderrText.isEmpty)
        let output = path(cli, "plain.out")
        let decrypted = try await cli.run(["decrypt", "--private-key", keys.privateKey] + recipient + ["-o", output, message])
        #expect(decrypted.status == 0, "\(decrypted.stderrText)")
        #expect(decrypted.standardOutput.isEmpty && decrypted.stderrText.isEmpty)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: output))) == plaintext)
        #expect(try mode(of: output) == 0o600, "plaintext files are private to their owner")
        #expect(try leftovers(cli).isEmpty)

        let handle = try #require(FileHandle(forReadingAtPath: message))
        defer { try? handle.close() }
        let header = try MessageHeader.read(fromDescriptor: handle.fileDescriptor)
        #expect(header.suite.hexID == suite)
        #expect(header.frameLength == 1000)
    }

    @Test(arguments: suites)
    func roundTripsThroughStandardInputAndOutputWithContext(suite: String) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let plaintext = TestSupport.randomMessage(lengths: 20_000...30_000)
        let recipient = ["--key-namespace", "ops", "--key-name", "backup key"]
        let encrypted = try await cli.run(
            ["encrypt", "--public-key", keys.publicKey] + recipient
                + ["--suite", suite, "--context", "purpose=backup", "--context", "host=a=b", "-"],
            input: Data(plaintext))
        #expect(encrypted.status == 0, "\(encrypted.stderrText)")
        #expect(encrypted.stderrText.isEmpty)
        // Every pair, a subset, or none at all, opens it.
        for context in [["purpose=backup", "host=a=b"], ["host=a=b"], []] {
            let decrypted = try await cli.run(
                ["decrypt", "--private-key", keys.privateKey] + recipient + context.flatMap { ["--context", $0] },
                input: encrypted.standardOutput)
            #expect(decrypted.status == 0, "\(context): \(decrypted.stderrText)")
            #expect(Array(decrypted.standardOutput) == plaintext, "\(context)")
            #expect(decrypted.stderrText.isEmpty)
        }
        let inspected = try await cli.run(["inspect", "--output", "json", "-"], input: encrypted.standardOutput)
        let json = try #require(try JSONSerialization.jsonObject(with: inspected.standardOutput) as? [String: Any])
        let context = try #require(json["encryptionContext"] as? [String: String])
        #expect(context["purpose"] == "backup" && context["host"] == "a=b")
        #expect((context[EncryptionContext.publicKeyKey] != nil) == (suite == "0578"))
    }

    @Test(arguments: ["oaep-sha1", "oaep-sha256"])
    func kmsKeyIDRoundTripsAndShowsTheARN(padding: String) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let plaintext = TestSupport.randomMessage(lengths: 0...5000)
        let input = try cli.write("plain", plaintext)
        let message = path(cli, "plain.sigil")
        let encrypted = try await cli.run([
            "encrypt", "--public-key", keys.publicKey, "--key-id", Self.arn, "--padding", padding, "--context", "tenant=t1",
            "-o", message, input,
        ])
        #expect(encrypted.status == 0, "\(encrypted.stderrText)")
        let decrypted = try await cli.run([
            "decrypt", "--private-key", keys.privateKey, "--key-id", Self.arn, "--padding", padding, "--context", "tenant=t1",
            message,
        ])
        #expect(decrypted.status == 0, "\(decrypted.stderrText)")
        #expect(Array(decrypted.standardOutput) == plaintext)

        let text = try await cli.run(["inspect", message])
        #expect(text.status == 0, "\(text.stderrText)")
        #expect(text.stdoutText.contains("0x0478 AES_256_GCM_HKDF_SHA512_COMMIT_KEY"))
        #expect(text.stdoutText.contains("aws-kms-rsa \(Self.arn)"))
        #expect(text.stdoutText.contains("tenant=t1"))
        #expect(text.stdoutText.contains("4096-byte frames"))
        let json = try await #require(
            try JSONSerialization.jsonObject(with: try cli.run(["inspect", "--output", "json", message]).standardOutput)
                as? [String: Any])
        #expect(json["suite"] as? String == "0478")
        #expect(json["frameLength"] as? Int == 4096)
        #expect(json["formatVersion"] as? Int == 2)
        #expect(json["contentType"] as? String == "framed")
        #expect((json["messageId"] as? String).flatMap { Data(base64Encoded: $0) }?.count == 32)
        let recipients = try #require(json["recipients"] as? [[String: String]])
        #expect(recipients == [["providerId": "aws-kms-rsa", "providerInfo": Self.arn]])
        #expect(json["encryptionContext"] as? [String: String] == ["tenant": "t1"])
    }

    @Test func inspectShowsARawRecipientAndTheFrameLength() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let encrypted = try await cli.run(
            ["encrypt", "--public-key", keys.publicKey, "--key-namespace", "escrow", "--key-name", "k1", "--suite", "0578",
             "--frame-size", "65536"],
            input: Data([1, 2, 3]))
        #expect(encrypted.status == 0, "\(encrypted.stderrText)")
        let message = try cli.write("m.sigil", encrypted.standardOutput)
        let text = try await cli.run(["inspect", message])
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("Suite:        0x0578 AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("Content:      framed, 65536-byte frames"))
        #expect(text.stdoutText.contains("Recipients:   escrow k1"))
        #expect(text.stdoutText.contains("aws-crypto-public-key="))
        // Not a message, and a truncated header: exit 2 with a reason.
        for (name, bytes, reason) in [
            ("not a message", Array("hello, world".utf8), "not an Encryption SDK message"),
            ("truncated header", Array(encrypted.standardOutput.prefix(60)), "truncated"),
            ("empty", [], "empty"),
        ] {
            let result = try await cli.run(["inspect", try cli.write("bad-\(name)", bytes)])
            #expect(result.status == 2, "\(name): \(result.status)")
            expectOneLine(result, naming: reason, name)
        }
    }

    // MARK: - Failures

    /// One failing run and what it must say.
    struct FailureCase: CustomStringConvertible {
        let name: String
        let arguments: [String]
        let status: Int32
        let reason: String
        var input: Data? = nil
        var description: String { name }
    }

    @Test func decryptFailuresLeaveNoOutputAndNameTheProblem() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let plaintext = TestSupport.randomMessage(lengths: 50_000...50_000)
        let input = try cli.write("plain", plaintext)
        let message = path(cli, "plain.sigil")
        let recipient = ["--key-namespace", "escrow", "--key-name", "k1"]
        let encrypted = try await cli.run(
            ["encrypt", "--public-key", keys.publicKey] + recipient
                + ["--padding", "oaep-sha384", "--context", "stage=prod", "--frame-size", "1024", "-o", message, input])
        try #require(encrypted.status == 0, "\(encrypted.stderrText)")
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: message)))
        // Altered near the end, so that many frames verify (and are written to the
        // temporary file) before the failure.
        let tampered = try cli.write("tampered.sigil", TestSupport.flippingBit((bytes.count - 30) * 8 + 5, of: bytes))
        let truncated = try cli.write("truncated.sigil", bytes.dropLast(100))
        let headerOnly = try cli.write("header.sigil", bytes.prefix(400))
        let trailing = try cli.write("trailing.sigil", bytes + [0x0a])
        let folder = path(cli, "a-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)

        let good = ["decrypt", "--private-key", keys.privateKey] + recipient + ["--padding", "oaep-sha384"]
        var cases: [FailureCase] = [
            FailureCase(name: "tampered", arguments: good + [tampered], status: 1, reason: "does not authenticate"),
            FailureCase(name: "truncated", arguments: good + [truncated], status: 1, reason: "truncated"),
            FailureCase(name: "header only", arguments: good + [headerOnly], status: 1, reason: "truncated"),
            FailureCase(name: "trailing byte", arguments: good + [trailing], status: 1, reason: "stray bytes"),
            FailureCase(
                name: "wrong key", arguments: ["decrypt", "--private-key", keys.otherPrivateKey] + recipient
                    + ["--padding", "oaep-sha384", message], status: 1, reason: "does not decrypt with this private key"),
            FailureCase(
                name: "wrong padding", arguments: ["decrypt", "--private-key", keys.privateKey] + recipient
                    + ["--padding", "oaep-sha256", message], status: 1, reason: "RSA-OAEP-SHA-256"),
            FailureCase(
                name: "wrong key name", arguments: ["decrypt", "--private-key", keys.privateKey, "--key-namespace", "escrow",
                    "--key-name", "k2", "--padding", "oaep-sha384", message], status: 1, reason: "not encrypted to escrow k2"),
            FailureCase(
                name: "wrong key id", arguments: ["decrypt", "--private-key", keys.privateKey, "--key-id", Self.arn, message],
                status: 1, reason: "not encrypted to aws-kms-rsa"),
            FailureCase(name: "wrong context", arguments: good + ["--context", "stage=dev", message], status: 1,
                reason: "different value for 'stage'"),
            FailureCase(name: "missing context", arguments: good + ["--context", "region=eu", message], status: 1,
                reason: "no key 'region'"),
            FailureCase(name: "tampered from stdin", arguments: good + ["-"], status: 1, reason: "does not authenticate",
                input: try Data(contentsOf: URL(fileURLWithPath: tampered))),
            FailureCase(name: "not a message on stdin", arguments: good, status: 1, reason: "not an Encryption SDK message",
                input: Data("plain text".utf8)),
            FailureCase(name: "empty stdin", arguments: good, status: 1, reason: "truncated", input: Data()),
            FailureCase(
                name: "missing key file", arguments: ["decrypt", "--private-key", path(cli, "nope.pem")] + recipient + [message],
                status: 2, reason: "nope.pem"),
            FailureCase(
                name: "public key as private key", arguments: ["decrypt", "--private-key", keys.publicKey] + recipient + [message],
                status: 2, reason: ""),
            FailureCase(name: "bad padding", arguments: good + ["--padding", "oaep-md5", message], status: 2,
                reason: "unknown padding 'oaep-md5'"),
            FailureCase(name: "bad context", arguments: good + ["--context", "novalue", message], status: 2,
                reason: "--context takes KEY=VALUE"),
            FailureCase(
                name: "--key-id with --key-name", arguments: ["decrypt", "--private-key", keys.privateKey, "--key-id", Self.arn,
                    "--key-name", "k1", message], status: 2, reason: "--key-id cannot be combined"),
            FailureCase(
                name: "--key-namespace alone", arguments: ["decrypt", "--private-key", keys.privateKey, "--key-namespace",
                    "escrow", message], status: 2, reason: "go together"),
            FailureCase(name: "missing input", arguments: good + [path(cli, "absent.sigil")], status: 2,
                reason: "cannot open input"),
            FailureCase(name: "input is a folder", arguments: good + [folder], status: 2, reason: "is a directory"),
            FailureCase(name: "input under a file", arguments: good + [message + "/x"], status: 2, reason: "Not a directory"),
            FailureCase(name: "zero data keys allowed", arguments: good + ["--max-encrypted-data-keys", "0", message],
                status: 2, reason: "--max-encrypted-data-keys"),
        ]
        if getuid() != 0 {
            let unreadable = try cli.write("unreadable.sigil", bytes)
            chmod(unreadable, 0)
            cases.append(FailureCase(name: "unreadable input", arguments: good + [unreadable], status: 2, reason: "cannot open input"))
        }
        try await runFailures(cases, cli: cli, target: "plain.out")

        // An output in a missing folder: exit 2, nothing created.
        let missingFolder = path(cli, "missing/plain.out")
        let result = try await cli.run(good + ["-o", missingFolder, message])
        #expect(result.status == 2)
        expectOneLine(result, naming: "cannot create a file in", "output in a missing folder")
        #expect(!FileManager.default.fileExists(atPath: path(cli, "missing")))

        // And the good command still works, and replaces a previous target.
        try cli.write("plain.out", Array("previous".utf8))
        let decrypted = try await cli.run(good + ["-o", path(cli, "plain.out"), message])
        #expect(decrypted.status == 0, "\(decrypted.stderrText)")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path(cli, "plain.out")))) == plaintext)
        #expect(try mode(of: path(cli, "plain.out")) == 0o600)
    }

    @Test func encryptFailuresLeaveNoOutputAndNameTheProblem() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let keys = try KeyFiles(cli)
        let input = try cli.write("plain", TestSupport.randomMessage(lengths: 10_000...10_000))
        let ecKey = try cli.write("ec.pub.pem", Array(TestSupport.privateKey(.eccNistP384).publicKey.pemRepresentation.utf8))
        let raw = ["encrypt", "--public-key", keys.publicKey, "--key-namespace", "escrow", "--key-name", "k1"]
        let kms = ["encrypt", "--public-key", keys.publicKey, "--key-id", Self.arn]
        let folder = path(cli, "a-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let cases: [FailureCase] = [
            FailureCase(name: "0578 with --key-id", arguments: kms + ["--suite", "0578", input], status: 2, reason: "0x0478"),
            FailureCase(name: "unknown suite", arguments: raw + ["--suite", "0178", input], status: 2,
                reason: "unknown algorithm suite '0178'"),
            FailureCase(name: "--key-id with --key-name", arguments: kms + ["--key-name", "k1", input], status: 2,
                reason: "--key-id cannot be combined"),
            FailureCase(name: "no recipient", arguments: ["encrypt", "--public-key", keys.publicKey, input], status: 2,
                reason: "name the key"),
            FailureCase(name: "bad padding", arguments: raw + ["--padding", "pkcs1", input], status: 2,
                reason: "unknown padding 'pkcs1'"),
            FailureCase(name: "insecure padding", arguments: raw + ["--padding", "insecure-pkcs1v15", input], status: 2,
                reason: "never encrypts with PKCS#1 v1.5"),
            FailureCase(name: "SHA-384 for --key-id", arguments: kms + ["--padding", "oaep-sha384", input], status: 2,
                reason: "RSAES_OAEP_SHA_256"),
            FailureCase(name: "malformed ARN", arguments: ["encrypt", "--public-key", keys.publicKey, "--key-id", "alias/x", input],
                status: 2, reason: "is not a KMS key ARN"),
            FailureCase(name: "reserved namespace", arguments: ["encrypt", "--public-key", keys.publicKey, "--key-namespace",
                "aws-kms", "--key-name", "k", input], status: 2, reason: "reserved"),
            FailureCase(name: "reserved context key", arguments: raw + ["--context", "aws-crypto-public-key=x", input], status: 2,
                reason: "reserved prefix"),
            FailureCase(name: "repeated context key", arguments: raw + ["--context", "a=1", "--context", "a=2", input], status: 2,
                reason: "'a' twice"),
            FailureCase(name: "frame size 0", arguments: raw + ["--frame-size", "0", input], status: 2, reason: "frame length"),
            FailureCase(name: "missing key file", arguments: ["encrypt", "--public-key", path(cli, "none.pem"), "--key-namespace",
                "escrow", "--key-name", "k1", input], status: 2, reason: "none.pem"),
            FailureCase(name: "EC public key", arguments: ["encrypt", "--public-key", ecKey, "--key-namespace", "escrow",
                "--key-name", "k1", input], status: 2, reason: "RSA"),
            FailureCase(name: "missing input", arguments: raw + [path(cli, "absent")], status: 2, reason: "cannot open input"),
            FailureCase(name: "input is a folder", arguments: raw + [folder], status: 2, reason: "is a directory"),
        ]
        try await runFailures(cases, cli: cli, target: "plain.sigil")
        let result = try await cli.run(raw + ["-o", path(cli, "missing/plain.sigil"), input])
        #expect(result.status == 2)
        expectOneLine(result, naming: "cannot create a file in", "output in a missing folder")
    }

    /// Runs each case twice — with no target and with a target already there — and checks
    /// the exit code, the one line on stderr, and that the target is as it was.
    func runFailures(_ cases: [FailureCase], cli: CLIFixture, target name: String) async throws {
        let target = path(cli, name)
        let previous = Array("previous contents, not to be touched\n".utf8)
        for failure in cases {
            for existing in [false, true] {
                if existing {
                    try cli.write(name, previous)
                } else {
                    try? FileManager.default.removeItem(atPath: target)
                }
                let result = try await cli.run(failure.arguments + ["-o", target], input: failure.input)
                let label = "\(failure.name)\(existing ? " (target exists)" : "")"
                #expect(result.status == failure.status, "\(label): exit \(result.status), \(result.stderrText)")
                expectOneLine(result, naming: failure.reason, label)
                #expect(result.standardOutput.isEmpty, "\(label): \(result.stdoutText)")
                if existing {
                    let after = try? Array(Data(contentsOf: URL(fileURLWithPath: target)))
                    #expect(after == previous, "\(label): the existing target changed")
                } else {
                    #expect(!FileManager.default.fileExists(atPath: target), "\(label): a target was created")
                }
                let left = try leftovers(cli)
                #expect(left.isEmpty, "\(label): temporary files left: \(left)")
            }
            // To standard output as well: the same exit code and reason.
            let toStdout = try await cli.run(failure.arguments, input: failure.input)
            #expect(toStdout.status == failure.status, "\(failure.name) to stdout: exit \(toStdout.status)")
            expectOneLine(toStdout, naming: failure.reason, "\(failure.name) to stdout")
        }
    }

    // MARK: - Helpers

    func path(_ cli: CLIFixture, _ name: String) -> String {
        cli.folder.appendingPathComponent(name).path
    }

    /// Temporary files the CLI left behind (`.NAME.sigil-XXXXXX`).
    func leftovers(_ cli: CLIFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cli.folder.path).filter {
            $0.hasPrefix(".") && $0.contains(".sigil-")
        }
    }

    func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }

    func expectOneLine(
        _ result: TestSupport.ProcessOutput, naming reason: String, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(label): one line on stderr, got: \(result.stderrText)", sourceLocation: sourceLocation)
        #expect(result.stderrText.hasPrefix("sigil: "), "\(label): \(result.stderrText)", sourceLocation: sourceLocation)
        #expect(
            reason.isEmpty || result.stderrText.contains(reason), "\(label): '\(reason)' not in: \(result.stderrText)",
            sourceLocation: sourceLocation)
    }
}
