import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Sigil's `encrypt`/`decrypt` against the official AWS Encryption SDK for Python, both
/// ways: what one writes, the other must read back byte for byte. The SDK runs through
/// `tools/interop/esdk.py` (one Python process per batch of jobs); Sigil is the built
/// `sigil` binary, run as a user would.
@Suite("Interop with the Python Encryption SDK")
struct EncryptionSDKInteropTests {
    /// Raw RSA: every OAEP hash × both suites × 0 B, 1 B, one frame, several frames ×
    /// with and without an encryption context, plus a few MiB for a subset.
    @Test func rawRSAMessagesRoundTripBetweenSigilAndTheSDK() async throws {
        guard try PythonSDK.isAvailable() else { return }
        let fixture = try InteropFixture(spec: .rsa2048)
        defer { fixture.remove() }
        let cases = InteropCase.rawRSAMatrix

        let sigilToSDK = try await fixture.sigilEncryptsSDKDecrypts(cases)
        let sdkToSigil = try await fixture.sdkEncryptsSigilDecrypts(cases)
        let negatives = try await fixture.wrongPaddingAndContextAreRefused()

        print(
            "interop matrix (raw RSA, \(cases.count) combinations: 4 OAEP hashes × 2 suites × sizes × context): "
                + "Sigil→SDK \(sigilToSDK.summary); SDK→Sigil \(sdkToSigil.summary); refusals \(negatives.summary)")
        for failure in sigilToSDK.failures + sdkToSigil.failures + negatives.failures {
            Issue.record(Comment(rawValue: failure))
        }
        #expect(sigilToSDK.passed == cases.count)
        #expect(sdkToSigil.passed == cases.count)
    }

    /// Data keys the SDK wrapped with PKCS#1 v1.5 (its raw RSA keyring still can): Sigil
    /// opens them only when told the padding is insecure, and never writes them.
    @Test func pkcs1v15DataKeysDecryptOnlyUnderTheInsecurePadding() async throws {
        guard try PythonSDK.isAvailable() else { return }
        let fixture = try InteropFixture(spec: .rsa2048)
        defer { fixture.remove() }
        let cases = [0, 5000].map {
            InteropCase(recipient: .rawRSA(padding: "insecure-pkcs1v15"), suite: "0478", size: $0, frameSize: 4096, context: [:])
        }
        let sdkToSigil = try await fixture.sdkEncryptsSigilDecrypts(cases)
        print("interop PKCS#1 v1.5 data keys: SDK→Sigil \(sdkToSigil.summary)")
        for failure in sdkToSigil.failures { Issue.record(Comment(rawValue: failure)) }
        #expect(sdkToSigil.passed == cases.count)

        let message = fixture.path("p2s-\(cases[1].slug).sdk")
        let refused = try await TestSupport.run(fixture.sigil, [
            "decrypt", "--private-key", fixture.privateKeyPath, "--key-namespace", fixture.keyNamespace,
            "--key-name", fixture.keyName, "-o", fixture.path("pkcs1.out"), message,
        ])
        #expect(refused.status == 1, "the default OAEP padding must not open a PKCS#1 v1.5 data key")
        let plaintext = try fixture.writePlaintext(cases[1], tag: "pkcs1-encrypt")
        let encrypt = try await TestSupport.run(fixture.sigil, [
            "encrypt", "--public-key", fixture.publicKeyPath, "--key-namespace", fixture.keyNamespace,
            "--key-name", fixture.keyName, "--padding", "insecure-pkcs1v15", plaintext.path,
        ])
        #expect(encrypt.status == 2 && encrypt.stderrText.contains("never encrypts with PKCS#1 v1.5"))
    }

    /// `aws-kms-rsa`: Sigil encrypts to a key ARN and the SDK's AWS KMS RSA keyring opens
    /// it, its KMS Decrypt answered from the private key by a stand-in; and the SDK
    /// encrypts with that keyring (the public key alone) for `sigil decrypt --key-id`.
    @Test func awsKMSRSAMessagesRoundTripBetweenSigilAndTheSDK() async throws {
        guard try PythonSDK.isAvailable() else { return }
        let fixture = try InteropFixture(spec: .rsa3072)
        defer { fixture.remove() }
        let cases = InteropCase.kmsRSAMatrix

        let sigilToSDK = try await fixture.sigilEncryptsSDKDecrypts(cases)
        let sdkToSigil = try await fixture.sdkEncryptsSigilDecrypts(cases)

        print(
            "interop matrix (aws-kms-rsa, \(cases.count) combinations: 2 OAEP hashes × sizes × context): "
                + "Sigil→SDK \(sigilToSDK.summary); SDK→Sigil \(sdkToSigil.summary)")
        for failure in sigilToSDK.failures + sdkToSigil.failures {
            Issue.record(Comment(rawValue: failure))
        }
        #expect(sigilToSDK.passed == cases.count)
        #expect(sdkToSigil.passed == cases.count)
    }
}

/// One combination of recipient, suite, size, frame length and encryption context.
struct InteropCase: Sendable, CustomStringConvertible {
    enum Recipient: Sendable {
        /// Raw RSA with this `--padding`.
        case rawRSA(padding: String)
        /// `aws-kms-rsa`; `nil` padding leaves Sigil's and the SDK's default (RSAES_OAEP_SHA_256).
        case kmsRSA(padding: String?)
    }

    var recipient: Recipient
    /// `nil`: give no `--suite`, so the default (0478) must be what is written.
    var suite: String?
    var size: Int
    var frameSize: Int
    var context: [String: String]

    var expectedSuite: String { suite ?? "0478" }

    var description: String {
        let who: String
        switch recipient {
        case .rawRSA(let padding): who = "raw-rsa \(padding)"
        case .kmsRSA(let padding): who = "aws-kms-rsa \(padding ?? "default")"
        }
        return "\(who) suite \(suite ?? "default") \(size) B frame \(frameSize) " + (context.isEmpty ? "no context" : "context")
    }

    /// A file-name-safe label, unique within a matrix.
    var slug: String {
        description.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    /// Pairs that exercise sorting by UTF-8 bytes (upper case before lower, multi-byte last).
    static let sampleContext: [String: String] = [
        "purpose": "interop",
        "Tenant": "café ünïcode ✓",
        "é-key": "non-ASCII key",
        "a": "",
    ]

    static let paddings = ["oaep-sha1", "oaep-sha256", "oaep-sha384", "oaep-sha512"]
    static let suites = ["0478", "0578"]
    static let frame = 4096
    /// 0 B, 1 B, exactly one frame, several frames and a partial one.
    static let smallSizes = [0, 1, frame, 5 * frame + 1234]
    static let mebibytes = 3 * 1_048_576 + 333

    static var rawRSAMatrix: [InteropCase] {
        var cases: [InteropCase] = []
        for padding in paddings {
            for suite in suites {
                for size in smallSizes {
                    for context in [[:], sampleContext] {
                        cases.append(
                            InteropCase(
                                recipient: .rawRSA(padding: padding), suite: suite, size: size, frameSize: frame,
                                context: context))
                    }
                }
            }
        }
        // A few MiB for one padding per (suite, context), so that all four hashes appear,
        // at 4 KiB frames for 0478 and 64 KiB frames for 0578.
        for (suiteIndex, suite) in suites.enumerated() {
            for (contextIndex, context) in [[:], sampleContext].enumerated() {
                let padding = paddings[suiteIndex * 2 + contextIndex]
                cases.append(
                    InteropCase(
                        recipient: .rawRSA(padding: padding), suite: suite, size: mebibytes,
                        frameSize: suite == "0478" ? frame : 65536, context: context))
            }
        }
        return cases
    }

    static var kmsRSAMatrix: [InteropCase] {
        var cases: [InteropCase] = []
        for padding in [nil, "oaep-sha1"] as [String?] {
            for size in [0, 1, frame, 3 * frame + 7] {
                for context in [[:], sampleContext] {
                    cases.append(
                        InteropCase(
                            recipient: .kmsRSA(padding: padding), suite: nil, size: size, frameSize: frame,
                            context: context))
                }
            }
        }
        cases.append(
            InteropCase(
                recipient: .kmsRSA(padding: nil), suite: "0478", size: mebibytes, frameSize: 65536,
                context: sampleContext))
        return cases
    }
}

/// What one direction of the matrix found.
struct DirectionReport {
    var ran = 0
    var passed = 0
    var failures: [String] = []

    var summary: String { "\(ran) ran, \(passed) passed, \(ran - passed) failed" }

    mutating func record(_ label: String, _ problems: [String]) {
        ran += 1
        if problems.isEmpty {
            passed += 1
        } else {
            failures.append("\(label): " + problems.joined(separator: "; "))
        }
    }
}

/// A temporary folder holding a throwaway RSA key pair, the plaintexts and the messages.
struct InteropFixture: Sendable {
    let folder: URL
    let privateKeyPath: String
    let publicKeyPath: String
    let keyNamespace = "sigil-interop"
    let keyName: String
    let keyARN = "arn:aws:kms:us-east-1:111122223333:key/\(UUID().uuidString.lowercased())"
    let sigil = TestSupport.productsDirectory.appendingPathComponent("sigil").path

    init(spec: KeySpec) throws {
        folder = try TestSupport.temporaryDirectory()
        let key = try TestSupport.privateKey(spec)
        keyName = "rsa-\(spec.sizeInBits)-\(UUID().uuidString.prefix(8))"
        privateKeyPath = folder.appendingPathComponent("private.pem").path
        publicKeyPath = folder.appendingPathComponent("public.pem").path
        try Data(key.pemRepresentation.utf8).write(to: URL(fileURLWithPath: privateKeyPath))
        try Data(key.publicKey.pemRepresentation.utf8).write(to: URL(fileURLWithPath: publicKeyPath))
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Writes a fresh random plaintext for `item` and returns its path and bytes.
    func writePlaintext(_ item: InteropCase, tag: String) throws -> (path: String, bytes: Data) {
        let bytes = randomData(count: item.size)
        let file = path("\(tag)-\(item.slug).plain")
        try bytes.write(to: URL(fileURLWithPath: file))
        return (file, bytes)
    }

    // MARK: Arguments

    func recipientArguments(_ item: InteropCase) -> [String] {
        switch item.recipient {
        case .rawRSA(let padding):
            return ["--key-namespace", keyNamespace, "--key-name", keyName, "--padding", padding]
        case .kmsRSA(let padding):
            return ["--key-id", keyARN] + (padding.map { ["--padding", $0] } ?? [])
        }
    }

    func contextArguments(_ context: [String: String]) -> [String] {
        context.keys.sorted().flatMap { ["--context", "\($0)=\(context[$0]!)"] }
    }

    func sdkJob(_ item: InteropCase, id: String, op: String, input: String, output: String) -> PythonSDK.Job {
        var job = PythonSDK.Job(id: id, op: op, input: input, output: output)
        switch item.recipient {
        case .rawRSA(let padding):
            job.keyNamespace = keyNamespace
            job.keyName = keyName
            job.padding = padding
        case .kmsRSA(let padding):
            job.keyId = keyARN
            job.padding = padding
        }
        // The stand-in KMS needs the private key to answer Decrypt; encrypt needs only the public key.
        if op == "encrypt" {
            job.publicKey = publicKeyPath
            job.suite = item.suite
            job.frameSize = item.frameSize
        } else {
            job.privateKey = privateKeyPath
        }
        job.context = item.context.isEmpty ? nil : item.context
        return job
    }

    func expectedRecipient(_ item: InteropCase) -> PythonSDK.Result.Header.Recipient {
        switch item.recipient {
        case .rawRSA: return .init(providerId: keyNamespace, providerInfo: keyName)
        case .kmsRSA: return .init(providerId: "aws-kms-rsa", providerInfo: keyARN)
        }
    }

    /// What is wrong with the header the SDK reported, if anything.
    func headerProblems(_ header: PythonSDK.Result.Header?, for item: InteropCase) -> [String] {
        guard let header else { return ["the SDK reported no header"] }
        var problems: [String] = []
        if header.suite != item.expectedSuite { problems.append("suite \(header.suite), expected \(item.expectedSuite)") }
        if header.frameLength != item.frameSize { problems.append("frame length \(header.frameLength), expected \(item.frameSize)") }
        if header.recipients != [expectedRecipient(item)] {
            problems.append("recipients \(header.recipients), expected [\(expectedRecipient(item))]")
        }
        var expectedKeys = Set(item.context.keys)
        if item.expectedSuite == "0578" { expectedKeys.insert("aws-crypto-public-key") }
        if Set(header.encryptionContext.keys) != expectedKeys {
            problems.append("context keys \(header.encryptionContext.keys.sorted()), expected \(expectedKeys.sorted())")
        }
        for (key, value) in item.context where header.encryptionContext[key] != value {
            problems.append("context[\(key)] = \(header.encryptionContext[key] ?? "nil"), expected \(value)")
        }
        return problems
    }

    // MARK: Directions

    /// Sigil encrypts every case; one SDK process decrypts them all.
    func sigilEncryptsSDKDecrypts(_ cases: [InteropCase]) async throws -> DirectionReport {
        struct Prepared: Sendable {
            var item: InteropCase
            var plaintext: Data
            var message: String
            var problem: String?
        }
        let prepared = try await concurrently(cases) { item -> Prepared in
            let plaintext = try writePlaintext(item, tag: "s2p")
            let message = path("s2p-\(item.slug).sigil")
            var arguments = ["encrypt", "--public-key", publicKeyPath] + recipientArguments(item) + contextArguments(item.context)
            if let suite = item.suite { arguments += ["--suite", suite] }
            arguments += ["--frame-size", String(item.frameSize), "-o", message, plaintext.path]
            let result = try await TestSupport.run(sigil, arguments)
            let problem = result.status == 0
                ? nil : "sigil encrypt exited \(result.status): \(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
            return Prepared(item: item, plaintext: plaintext.bytes, message: message, problem: problem)
        }
        let jobs = prepared.enumerated().compactMap { index, entry in
            entry.problem == nil
                ? sdkJob(entry.item, id: String(index), op: "decrypt", input: entry.message, output: entry.message + ".sdk-plain")
                : nil
        }
        let (results, stderr) = try await PythonSDK.run(jobs, in: folder)
        var report = DirectionReport()
        for (index, entry) in prepared.enumerated() {
            var problems: [String] = []
            if let problem = entry.problem {
                problems.append(problem)
            } else if let result = results[String(index)] {
                if result.ok {
                    problems += compare(file: entry.message + ".sdk-plain", with: entry.plaintext)
                    problems += headerProblems(result.header, for: entry.item)
                    if case .kmsRSA = entry.item.recipient, (result.kmsCalls ?? 0) < 1 {
                        problems.append("the SDK never called KMS Decrypt")
                    }
                } else {
                    problems.append("the SDK refused Sigil's message: \(result.error ?? "no error text")")
                }
            } else {
                problems.append("the SDK reported nothing for this job; its stderr: \(stderr.suffix(2000))")
            }
            report.record("Sigil→SDK \(entry.item)", problems)
        }
        return report
    }

    /// One SDK process encrypts every case; Sigil decrypts each (giving the context back).
    func sdkEncryptsSigilDecrypts(_ cases: [InteropCase]) async throws -> DirectionReport {
        let plaintexts = try cases.map { try writePlaintext($0, tag: "p2s") }
        let jobs = cases.enumerated().map { index, item in
            sdkJob(item, id: String(index), op: "encrypt", input: plaintexts[index].path, output: path("p2s-\(item.slug).sdk"))
        }
        let (results, stderr) = try await PythonSDK.run(jobs, in: folder)
        let indices = Array(cases.indices)
        let outcomes = try await concurrently(indices) { index -> [String] in
            let item = cases[index]
            guard let result = results[String(index)] else {
                return ["the SDK reported nothing for this job; its stderr: \(stderr.suffix(2000))"]
            }
            guard result.ok else { return ["the SDK could not encrypt: \(result.error ?? "no error text")"] }
            var problems = headerProblems(result.header, for: item)
            if (result.kmsCalls ?? 0) > 0 { problems.append("the SDK called KMS to encrypt; the public key alone should do") }
            let message = jobs[index].output
            let output = message + ".sigil-plain"
            let arguments = ["decrypt", "--private-key", privateKeyPath] + recipientArguments(item)
                + contextArguments(item.context) + ["-o", output, message]
            let run = try await TestSupport.run(sigil, arguments)
            if run.status != 0 {
                problems.append(
                    "sigil decrypt exited \(run.status): \(run.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
            } else {
                problems += compare(file: output, with: plaintexts[index].bytes)
            }
            return problems
        }
        var report = DirectionReport()
        for (index, problems) in outcomes.enumerated() {
            report.record("SDK→Sigil \(cases[index])", problems)
        }
        return report
    }

    /// Refusals both ways, so that a harness that passed everything would be noticed:
    /// the SDK opening Sigil's message under the wrong OAEP hash or a context the message
    /// lacks, and Sigil doing the same with the SDK's message. Each must fail with no output.
    func wrongPaddingAndContextAreRefused() async throws -> DirectionReport {
        let item = InteropCase(
            recipient: .rawRSA(padding: "oaep-sha256"), suite: "0478", size: 1000, frameSize: 4096,
            context: ["purpose": "interop"])
        let plaintext = try writePlaintext(item, tag: "neg")
        var report = DirectionReport()

        let sigilMessage = path("neg.sigil")
        let encrypted = try await TestSupport.run(
            sigil,
            ["encrypt", "--public-key", publicKeyPath] + recipientArguments(item) + contextArguments(item.context)
                + ["-o", sigilMessage, plaintext.path])
        let sdkMessage = path("neg.sdk")
        var jobs = [sdkJob(item, id: "encrypt", op: "encrypt", input: plaintext.path, output: sdkMessage)]
        var wrongPadding = sdkJob(item, id: "wrong-padding", op: "decrypt", input: sigilMessage, output: path("neg.wrong-padding"))
        wrongPadding.padding = "oaep-sha1"
        var wrongContext = sdkJob(item, id: "wrong-context", op: "decrypt", input: sigilMessage, output: path("neg.wrong-context"))
        wrongContext.context = ["purpose": "something else"]
        if encrypted.status == 0 { jobs += [wrongPadding, wrongContext] }
        let (results, _) = try await PythonSDK.run(jobs, in: folder)

        for job in [wrongPadding, wrongContext] {
            var problems: [String] = []
            if encrypted.status != 0 {
                problems.append("sigil encrypt exited \(encrypted.status): \(encrypted.stderrText)")
            } else if results[job.id]?.ok != false {
                problems.append("the SDK did not refuse it")
            }
            if FileManager.default.fileExists(atPath: job.output) { problems.append("the SDK left output behind") }
            report.record("the SDK refuses Sigil's message under \(job.id)", problems)
        }

        let sdkEncrypted = results["encrypt"]?.ok == true
        let refusals: [(String, [String])] = [
            ("wrong-padding", ["decrypt", "--private-key", privateKeyPath, "--key-namespace", keyNamespace, "--key-name", keyName,
                "--padding", "oaep-sha1"] + contextArguments(item.context)),
            ("wrong-context", ["decrypt", "--private-key", privateKeyPath] + recipientArguments(item)
                + ["--context", "purpose=something else"]),
        ]
        for (name, arguments) in refusals {
            var problems: [String] = []
            let output = path("neg.sigil-\(name)")
            if !sdkEncrypted {
                problems.append("the SDK could not encrypt: \(results["encrypt"]?.error ?? "no report")")
            } else {
                let run = try await TestSupport.run(sigil, arguments + ["-o", output, sdkMessage])
                if run.status == 0 { problems.append("sigil decrypt did not refuse it") }
                if FileManager.default.fileExists(atPath: output) { problems.append("sigil left output behind") }
            }
            report.record("Sigil refuses the SDK's message under \(name)", problems)
        }
        return report
    }
}

/// Differences between a file and the bytes expected in it.
func compare(file: String, with expected: Data) -> [String] {
    guard let actual = FileManager.default.contents(atPath: file) else { return ["no output file \(file)"] }
    guard actual != expected else { return [] }
    let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    return ["plaintext differs: \(actual.count) B, expected \(expected.count) B, first difference at byte \(firstDifference)"]
}

/// `count` random bytes, drawn eight at a time.
func randomData(count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    var data = Data(count: count)
    data.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) in
        var offset = 0
        while offset < count {
            let word = generator.next()
            withUnsafeBytes(of: word) { wordBytes in
                for byte in wordBytes.prefix(count - offset) {
                    buffer[offset] = byte
                    offset += 1
                }
            }
        }
    }
    return data
}

/// `body` applied to each item, at most two at a time (the machines this runs on have two
/// cores, and each call runs a process), results in the items' order.
func concurrently<Item: Sendable, Output: Sendable>(
    _ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Output
) async throws -> [Output] {
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        var results = [Output?](repeating: nil, count: items.count)
        var next = items.startIndex
        func startNext() {
            guard next < items.endIndex else { return }
            let index = next
            group.addTask { (index, try await body(items[index])) }
            next += 1
        }
        startNext()
        startNext()
        for try await (index, output) in group {
            results[index] = output
            startNext()
        }
        return results.map { $0! }
    }
}
