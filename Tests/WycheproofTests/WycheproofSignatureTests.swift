import Foundation
import Sigil
import SigilCrypto
import Testing

/// Collects the file reports of each family and prints the family's summary once its
/// last file is in, whatever order the parameterised cases finish in.
actor FamilyLedger {
    static let shared = FamilyLedger()

    private var reports: [SignatureFamily: [FileReport]] = [:]

    /// Records `report`; returns the summary lines to print when it completes its family
    /// (and, after the last family, the overall total).
    func record(_ report: FileReport) -> [String] {
        let family = report.file.family
        reports[family, default: []].append(report)
        let expectedFiles = WycheproofCorpus.fileCounts
        var lines: [String] = []
        if reports[family]?.count == expectedFiles[family] {
            lines.append(Self.summary(of: reports[family]!, named: "family \(family.rawValue)"))
        }
        let recorded = reports.values.map(\.count).reduce(0, +)
        if recorded == WycheproofCorpus.signatureFiles.count {
            lines.append(Self.summary(of: reports.values.flatMap { $0 }, named: "total"))
        }
        return lines
    }

    private static func summary(of reports: [FileReport], named name: String) -> String {
        func sum(_ value: (FileReport) -> Int) -> Int { reports.map(value).reduce(0, +) }
        var skipped: [String: Int] = [:]
        var rejections: [String: Int] = [:]
        for report in reports {
            skipped.merge(report.skipped, uniquingKeysWith: +)
            rejections.merge(report.invalidRejections, uniquingKeysWith: +)
        }
        let failures = sum { $0.failures.count }
        return "wycheproof \(name): \(reports.count) files, ran \(sum(\.ran)) "
            + "(valid \(sum(\.validAccepted))/\(sum(\.validTotal)) accepted, "
            + "invalid \(rejections.values.reduce(0, +))/\(sum(\.invalidTotal)) rejected \(FileReport.tally(rejections)), "
            + "acceptable \(sum(\.acceptableTotal))), "
            + "skipped \(sum(\.skippedTotal)) \(FileReport.tally(skipped)); "
            + "via Sigil \(sum(\.viaSigil)), via SigilCrypto \(sum(\.viaSigilCrypto)), "
            + "unsafe key imports \(sum(\.unsafeKeyImports)), "
            + "with id-RSASSA-PSS keys re-wrapped as rsaEncryption \(sum(\.rewrappedKeyCases)); failures \(failures)"
    }
}

/// Whether the vectors are there. When they are not, says so and, for the test that
/// `owns` the check, fails under CI (CI=true) and skips otherwise; the other tests skip.
private func corpusIsAvailable(owningTheCheck owns: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
    if WycheproofCorpus.isPresent { return true }
    if owns && WycheproofCorpus.isCI {
        print("FAIL: \(WycheproofCorpus.missingMessage); CI=true")
        Issue.record("\(WycheproofCorpus.missingMessage); CI=true, so this fails", sourceLocation: sourceLocation)
        return false
    }
    print("skipping: \(WycheproofCorpus.missingMessage)")
    try Test.cancel("skipped: \(WycheproofCorpus.missingMessage)", sourceLocation: sourceLocation)
}

@Suite("Wycheproof signature vectors")
struct WycheproofSignatureTests {
    @Test("the Wycheproof folder holds at least as many signature files of each family as it did")
    func corpusHoldsEveryExpectedFile() throws {
        guard try corpusIsAvailable(owningTheCheck: true) else { return }
        let counts = WycheproofCorpus.fileCounts
        for family in SignatureFamily.allCases {
            let found = counts[family, default: 0]
            let minimum = WycheproofCorpus.minimumFileCounts[family, default: 0]
            #expect(
                found >= minimum,
                "\(family.rawValue): \(found) files in \(WycheproofCorpus.directory.path), expected at least \(minimum)")
        }
        let perFamily = SignatureFamily.allCases.map { "\($0.rawValue) \(counts[$0, default: 0])" }
        print(
            "wycheproof corpus \(WycheproofCorpus.directory.path): \(WycheproofCorpus.signatureFiles.count) signature files "
                + "(\(perFamily.joined(separator: ", ")))")
    }

    @Test(
        "every case of a Wycheproof signature file verifies as the file says",
        arguments: WycheproofCorpus.signatureFiles)
    func signatureFileVerifiesAsTheVectorsSay(_ file: VectorFile) async throws {
        let vectors = try SignatureVectorFile.load(from: file.url)
        var report = SignatureFileRunner(file: file, vectors: vectors).run()
        if vectors.schema == SignatureVectorFile.pssWithParametersSchema {
            report.notes.append(Self.companionCoverage(of: file, vectors: vectors))
        }
        print(report.lines.joined(separator: "\n"))
        for failure in report.failures {
            Issue.record(Comment(rawValue: failure))
        }
        for line in await FamilyLedger.shared.record(report) {
            print(line)
        }
    }

    /// Says whether the cases of an id-RSASSA-PSS file also run with the file's own
    /// rsaEncryption key: the same parameters, message, signature and result.
    private static func companionCoverage(of file: VectorFile, vectors: SignatureVectorFile) -> String {
        let companionName = file.name.replacingOccurrences(of: "_params_test.json", with: "_test.json")
        guard let companion = WycheproofCorpus.signatureFiles.first(where: { $0.name == companionName }),
            let companionVectors = try? SignatureVectorFile.load(from: companion.url)
        else {
            return "no rsaEncryption-keyed companion \(companionName): only the re-wrapped key runs these cases"
        }
        func signatures(_ file: SignatureVectorFile) -> Set<String> {
            Set(file.testGroups.flatMap { group in
                group.tests.map { "\(group.sha)|\(group.mgfSha ?? "")|\(group.sLen ?? -1)|\($0.msg.bytes)|\($0.sig.bytes)|\($0.result)" }
            })
        }
        let mine = signatures(vectors)
        let covered = mine.intersection(signatures(companionVectors)).count
        return "\(covered) of \(mine.count) distinct cases also run with the rsaEncryption key in \(companionName)"
    }

    @Test("the runner reports a case whose outcome contradicts the vectors")
    func runnerReportsContradictions() throws {
        guard try corpusIsAvailable() else { return }
        let name = "rsa_signature_2048_sha256_test.json"
        let file = try #require(WycheproofCorpus.signatureFiles.first { $0.name == name })
        var vectors = try SignatureVectorFile.load(from: file.url)
        let validCases = vectors.testGroups.indices.flatMap { group in
            vectors.testGroups[group].tests.indices
                .filter { vectors.testGroups[group].tests[$0].result == .valid }
                .map { (group, $0) }
        }
        try #require(validCases.count >= 2)
        // A valid signature relabelled invalid must be reported as accepted-but-invalid,
        let relabelled = validCases[0]
        vectors.testGroups[relabelled.0].tests[relabelled.1].result = .invalid
        // and a valid one with a flipped bit as rejected-but-valid.
        let flipped = validCases[1]
        vectors.testGroups[flipped.0].tests[flipped.1].sig.bytes[17] ^= 0x01

        let report = SignatureFileRunner(file: file, vectors: vectors).run()

        #expect(report.failures.count == 2, "\(report.failures)")
        let relabelledID = vectors.testGroups[relabelled.0].tests[relabelled.1].tcId
        let flippedID = vectors.testGroups[flipped.0].tests[flipped.1].tcId
        #expect(report.failures.contains { $0.contains("tcId \(relabelledID) ") && $0.contains("invalid signature was accepted") })
        #expect(report.failures.contains { $0.contains("tcId \(flippedID) ") && $0.contains("valid signature was rejected") })
    }

    @Test("an ECDSA signature whose check reaches the point at infinity answers false, not an error")
    func ecdsaPointAtInfinityAnswersFalse() throws {
        guard try corpusIsAvailable() else { return }
        let name = "ecdsa_secp256r1_sha256_test.json"
        let file = try #require(WycheproofCorpus.signatureFiles.first { $0.name == name })
        let vectors = try SignatureVectorFile.load(from: file.url)
        var checked = 0
        for group in vectors.testGroups {
            let key = try PublicKey(derRepresentation: group.publicKeyDer.bytes)
            for test in group.tests where test.comment.contains("point at infinity") {
                // OpenSSL returns -1 here (EC "point at infinity"); SEC 1 says: invalid.
                #expect(
                    try key.isValidSignature(test.sig.bytes, for: test.msg.bytes, algorithm: .ecdsaSHA256) == false,
                    "tcId \(test.tcId) [\(test.comment)]")
                checked += 1
            }
        }
        #expect(checked >= 2, "expected the point-at-infinity cases of \(name), found \(checked)")
    }

    @Test("only high-S malleability cases of the Bitcoin file are excused by the low-S rule")
    func lowSExemptionIsNarrow() throws {
        guard try corpusIsAvailable() else { return }
        let name = "ecdsa_secp256k1_sha256_bitcoin_test.json"
        let file = try #require(WycheproofCorpus.signatureFiles.first { $0.name == name })
        let vectors = try SignatureVectorFile.load(from: file.url)
        let excused = vectors.testGroups.flatMap(\.tests).filter {
            SignatureFileRunner.isInvalidOnlyByLowSRule($0, family: .ecdsaBitcoin)
        }
        // The same cases read as a plain ECDSA file are never excused.
        #expect(!excused.contains { SignatureFileRunner.isInvalidOnlyByLowSRule($0, family: .ecdsaDER) })
        #expect(!excused.isEmpty)
        #expect(excused.count <= 5, "the exemption grew to \(excused.count) cases: \(excused.map(\.tcId))")
        print("wycheproof \(name): cases that qualify for the low-S exemption: tcId \(excused.map(\.tcId))")
    }
}
