import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Runs the built `sigil` binary as a user would, in a scratch folder of files.
struct CLIFixture {
    let folder: URL
    let sigil = TestSupport.productsDirectory.appendingPathComponent("sigil").path

    init() throws {
        folder = try TestSupport.temporaryDirectory()
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes `bytes` to a file in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: some DataProtocol) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func run(_ arguments: [String], input: Data? = nil) async throws -> TestSupport.ProcessOutput {
        try await TestSupport.run(sigil, arguments, input: input)
    }

    /// Signs `message` with a throwaway key and writes the key, message and signature files.
    func signedFiles(_ algorithm: SigningAlgorithm, _ spec: KeySpec, message: [UInt8]) throws
        -> (key: String, message: String, signature: String, digest: [UInt8])
    {
        let privateKey = try TestSupport.privateKey(spec)
        let digest = try algorithm.hashFunction.hash(message)
        let signature = try privateKey.signature(forDigest: digest, scheme: algorithm.scheme)
        return (
            try write("key-\(spec).pem", Array(privateKey.publicKey.pemRepresentation.utf8)),
            try write("message", message),
            try write("signature", signature),
            digest
        )
    }
}

@Suite struct VerifyCommandTests {
    static let cases: [(SigningAlgorithm, KeySpec)] = [
        (.rsassaPSSSHA256, .rsa2048), (.rsassaPKCS1V1_5SHA384, .rsa2048), (.ecdsaSHA256, .eccNistP256),
        (.ecdsaSHA384, .eccNistP384), (.ecdsaSHA512, .eccNistP521), (.ecdsaSHA256, .eccSecgP256k1),
    ]

    @Test(arguments: cases)
    func printsValidAndExitsZeroForAGoodSignature(algorithm: SigningAlgorithm, spec: KeySpec) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let files = try cli.signedFiles(algorithm, spec, message: TestSupport.randomMessage(lengths: 0...20000))
        let result = try await cli.run([
            "verify", "--public-key", files.key, "--algorithm", algorithm.kmsName, "--signature", files.signature, files.message,
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "valid\n")
        #expect(result.stderrText.isEmpty)
    }

    @Test(arguments: cases)
    func printsInvalidAndExitsOneForATamperedMessage(algorithm: SigningAlgorithm, spec: KeySpec) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let message = TestSupport.randomMessage(lengths: 1...20000)
        let files = try cli.signedFiles(algorithm, spec, message: message)
        try cli.write("message", TestSupport.flippingBit(0, of: message))
        let result = try await cli.run([
            "verify", "--public-key", files.key, "--algorithm", algorithm.kmsName, "--signature", files.signature, files.message,
        ])
        #expect(result.status == 1)
        #expect(result.stdoutText == "invalid\n")
    }

    @Test func readsTheMessageFromStandardInputAndDigestsAsBinaryOrHex() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let message = TestSupport.randomMessage(lengths: 5000...5000)
        let files = try cli.signedFiles(.ecdsaSHA256, .eccNistP256, message: message)
        let common = ["verify", "--public-key", files.key, "--algorithm", "ECDSA_SHA_256", "--signature", files.signature]
        await #expect(try cli.run(common, input: Data(message)).stdoutText == "valid\n")
        await #expect(try cli.run(common + ["-"], input: Data(message)).stdoutText == "valid\n")
        let binary = try cli.write("digest.bin", files.digest)
        let hex = try cli.write("digest.hex", Array((TestSupport.hex(files.digest) + "\n").utf8))
        for digestFile in [binary, hex] {
            let result = try await cli.run(common + ["--message-type", "DIGEST", digestFile])
            #expect(result.status == 0 && result.stdoutText == "valid\n", "\(digestFile): \(result.stderrText)")
        }
    }

    @Test func acceptsBase64SignaturesAsTheAWSCLIPrintsThem() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let files = try cli.signedFiles(.rsassaPSSSHA256, .rsa2048, message: [1, 2, 3])
        let signature = try Data(contentsOf: URL(fileURLWithPath: files.signature))
        let base64 = try cli.write("signature.b64", Array((signature.base64EncodedString() + "\n").utf8))
        let result = try await cli.run([
            "verify", "--public-key", files.key, "--algorithm", "RSASSA_PSS_SHA_256", "--signature", base64, files.message,
        ])
        #expect(result.status == 0 && result.stdoutText == "valid\n", "\(result.stderrText)")
    }

    @Test func verifiesRawP1363SignaturesWhenAsked() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let files = try cli.signedFiles(.ecdsaSHA384, .eccNistP384, message: [9, 9, 9])
        let der = try Data(contentsOf: URL(fileURLWithPath: files.signature))
        let raw = try cli.write("signature.raw", ECDSASignature.raw(fromDER: der, curve: .p384))
        let common = ["verify", "--public-key", files.key, "--algorithm", "ECDSA_SHA_384", "--signature", raw, files.message]
        #expect(try await cli.run(common + ["--signature-format", "raw"]).status == 0)
        #expect(try await cli.run(common).status == 2, "raw bytes are not DER")
    }

    @Test func printsJSONForScripts() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let files = try cli.signedFiles(.ecdsaSHA256, .eccNistP256, message: [7])
        let result = try await cli.run([
            "verify", "--public-key", files.key, "--algorithm", "ECDSA_SHA_256", "--signature", files.signature,
            "--output", "json", files.message,
        ])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
        #expect(object["result"] as? String == "valid")
        #expect(object["keySpec"] as? String == "ECC_NIST_P256")
        #expect(object["messageType"] as? String == "RAW")
        let key = try PublicKey(pemRepresentation: String(contentsOfFile: files.key, encoding: .utf8))
        #expect(object["fingerprint"] as? String == key.fingerprint)

        let failing = try await cli.run([
            "verify", "--public-key", files.message, "--algorithm", "ECDSA_SHA_256", "--signature", files.signature,
            "--output", "json", files.message,
        ])
        #expect(failing.status == 2)
        let error = try #require(try JSONSerialization.jsonObject(with: failing.standardOutput) as? [String: Any])
        #expect(error["result"] as? String == "error")
        #expect(error["code"] as? String == "malformedKey")
    }

    /// Bad input of every kind: exit 2, one line on stderr naming the problem, never `valid`.
    @Test func refusesBadInputWithExitTwoAndAReason() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let files = try cli.signedFiles(.rsassaPKCS1V1_5SHA256, .rsa2048, message: Array("release 1.2.3".utf8))
        let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files.signature)))
        let ecKey = try cli.write("ec.pem", Array(TestSupport.privateKey(.eccNistP256).publicKey.pemRepresentation.utf8))
        let ed25519 = try await TestSupport.openssl(["pkey", "-pubout"], input: await TestSupport.openssl(["genpkey", "-algorithm", "ed25519"]))
        let pemText = try String(contentsOfFile: files.key, encoding: .utf8)

        let cases: [(String, [String: String], String)] = [
            ("malformed DER key", ["--public-key": try cli.write("bad.der", [0x30, 0x82, 0x01])], "not a DER SubjectPublicKeyInfo"),
            ("truncated PEM key", ["--public-key": try cli.write("bad.pem", Array(pemText.prefix(200).utf8))], "no '-----END"),
            ("unsupported key type", ["--public-key": try cli.write("ed.pem", ed25519)], "not supported"),
            ("empty key file", ["--public-key": try cli.write("empty", [])], "is empty"),
            ("missing key file", ["--public-key": cli.folder.appendingPathComponent("nope").path], "does not exist"),
            ("truncated signature", ["--signature": try cli.write("short.sig", signature.dropLast(10))], "256 bytes, but this one is 246"),
            ("overlong signature", ["--signature": try cli.write("long.sig", signature + [0])], "256 bytes, but this one is 257"),
            ("empty signature", ["--signature": try cli.write("empty.sig", [])], "is empty"),
            ("unknown algorithm", ["--algorithm": "RSASSA_PSS_SHA_1"], "unknown signing algorithm 'RSASSA_PSS_SHA_1'"),
            ("EC key, RSA algorithm", ["--public-key": ecKey], "cannot be used with key spec ECC_NIST_P256"),
            ("digest of the wrong length", ["--message-type": "DIGEST", "input": try cli.write("d", [UInt8](repeating: 1, count: 20))],
             "digest is 32 bytes, but 20 were given"),
            ("unknown message type", ["--message-type": "EXTERNAL_MU"], "unknown message type"),
            ("unknown signature format", ["--signature-format": "pem"], "unknown signature format"),
            ("directory as input", ["input": cli.folder.path], "is a directory"),
            ("missing input", ["input": cli.folder.appendingPathComponent("nope").path], "does not exist"),
        ]
        for (name, overrides, reason) in cases {
            var options = ["--public-key": files.key, "--algorithm": "RSASSA_PKCS1_V1_5_SHA_256", "--signature": files.signature]
            var input = files.message
            for (option, value) in overrides {
                if option == "input" { input = value } else { options[option] = value }
            }
            let arguments = ["verify"] + options.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] } + [input]
            let result = try await cli.run(arguments)
            #expect(result.status == 2, "\(name): exit \(result.status)")
            #expect(!result.stdoutText.contains("valid"), "\(name)")
            #expect(result.stderrText.contains(reason), "\(name): \(result.stderrText)")
            #expect(result.stderrText.split(separator: "\n").count == 1, "\(name): one line, got \(result.stderrText)")
        }
    }

    @Test func usageErrorsExitTwo() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let missing = try await cli.run(["verify", "--algorithm", "ECDSA_SHA_256"])
        #expect(missing.status == 2)
        #expect(missing.stderrText.contains("--public-key"))
        await #expect(try cli.run(["no-such-verb"]).status == 2)
        let help = try await cli.run(["verify", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("--message-type"))
    }

    /// A 512 MiB input streams through a fixed buffer: the process stays far below its size.
    @Test func verifiesALargeFileInConstantMemory() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let path = cli.folder.appendingPathComponent("large").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 512 << 20)  // sparse: costs no disk
        try handle.close()
        let privateKey = try TestSupport.privateKey(.eccNistP256)
        let digest = try FileDigestForTest.sha256(ofZeros: 512 << 20)
        let signature = try cli.write("large.sig", privateKey.signature(forDigest: digest, scheme: .ecdsa(hash: .sha256)))
        let key = try cli.write("key.pem", Array(privateKey.publicKey.pemRepresentation.utf8))

        func peakKibibytes(_ arguments: [String]) async throws -> Int {
            let result = try await TestSupport.run("/usr/bin/time", ["-f", "maxrss-kib=%M", cli.sigil] + arguments)
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "valid\n")
            let reported = result.stderrText.split(separator: "\n").first { $0.hasPrefix("maxrss-kib=") }
            return try #require(reported.flatMap { Int($0.dropFirst("maxrss-kib=".count)) })
        }
        let kibibytes = try await peakKibibytes(["verify", "--public-key", key, "--algorithm", "ECDSA_SHA_256",
            "--signature", signature, path])
        // Under a sanitizer (tools/test --sanitize) the runtime's shadow memory and the
        // quarantine of freed blocks come on top: the bound then applies to the growth over
        // the same verification of an empty file.
        var baseline = 0
        if TestSupport.sanitizer != nil {
            let empty = try cli.write("empty", [UInt8]())
            let emptySignature = try cli.write("empty.sig", privateKey.signature(
                forDigest: try FileDigestForTest.sha256(ofZeros: 0), scheme: .ecdsa(hash: .sha256)))
            baseline = try await peakKibibytes(["verify", "--public-key", key, "--algorithm", "ECDSA_SHA_256",
                "--signature", emptySignature, empty])
        }
        #expect(kibibytes - baseline < 64 * 1024, "peak RSS \(kibibytes) KiB (\(baseline) KiB for an empty file) for a 512 MiB input")
    }
}

enum FileDigestForTest {
    /// SHA-256 of `count` zero bytes, hashed in pieces.
    static func sha256(ofZeros count: Int) throws -> [UInt8] {
        let hasher = try StreamingHasher(.sha256)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(count >> 20) { try hasher.update(zeros) }
        return try hasher.finalize()
    }
}
