import Foundation
import Sigil
import SigilCrypto

/// What Sigil must do with Wycheproof's `acceptable` cases, decided per flag.
///
/// Every flag that marks an `acceptable` case needs an entry here: a case whose flags
/// have none fails, so that a new kind of leniency is decided by a person, not by
/// whatever OpenSSL happens to do.
enum AcceptablePolicy {
    struct Decision: Sendable {
        let mustAccept: Bool
        let reason: String
    }

    static let decisions: [String: Decision] = [
        // PKCS#1 v1.5 DigestInfo whose AlgorithmIdentifier omits the NULL parameters.
        // Decision: reject. RFC 8017 §9.2 builds the DigestInfo with NULL; KMS and every
        // signer Sigil meets write it; OpenSSL 3 re-encodes the expected DigestInfo and
        // compares the whole block byte for byte, so it rejects the other form; and a
        // strict verifier admits one encoding per signature, not two.
        "MissingNull": Decision(
            mustAccept: false,
            reason: "DigestInfo without NULL parameters: strict RFC 8017 encoding only, as OpenSSL 3 compares"),
    ]

    /// The decision for a case carrying `flags`, or a description of why there is none.
    static func decision(for flags: [String]) -> Result<Decision, PolicyGap> {
        let decided = flags.compactMap { flag in decisions[flag].map { (flag, $0) } }
        guard let first = decided.first else {
            return .failure(PolicyGap(message: "no AcceptablePolicy decision for flags \(flags)"))
        }
        guard decided.allSatisfy({ $0.1.mustAccept == first.1.mustAccept }) else {
            return .failure(PolicyGap(message: "AcceptablePolicy decisions conflict for flags \(flags)"))
        }
        return .success(first.1)
    }

    struct PolicyGap: Error {
        let message: String
    }
}

/// The result of checking one signature.
enum Outcome: Sendable, CustomStringConvertible {
    case accepted
    /// Not accepted: `false`, or the code of the ``SigilError`` that was thrown.
    case rejected(by: String)

    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .accepted: return "accepted"
        case let .rejected(reason): return "rejected by \(reason)"
        }
    }
}

/// How the cases of one group are checked.
struct GroupVerifier {
    enum Path {
        /// A KMS algorithm: through Sigil's public verifier API.
        case sigil(PublicKey, SigningAlgorithm, SignatureFormat)
        /// Any other combination: through SigilCrypto, hashing here; P1363 signatures
        /// converted to DER when `rawCurve` is set.
        case sigilCrypto(AsymmetricPublicKey, SignatureScheme, rawCurve: ECCurve?)
        /// The key import itself threw: every case of the group is rejected by it.
        case refusedKey(SigilError)
    }

    let path: Path
    let usedUnsafeKeyImport: Bool
    /// The key is the file's id-RSASSA-PSS key re-wrapped as rsaEncryption.
    let usedRewrappedKey: Bool

    var pathName: String {
        switch path {
        case .sigil: return "Sigil"
        case .sigilCrypto: return "SigilCrypto"
        case .refusedKey: return "key import"
        }
    }

    /// Checks one signature; throwing only for errors that are not ``SigilError``, which
    /// the API promises never to throw.
    func check(signature: [UInt8], message: [UInt8]) throws -> Outcome {
        do {
            let accepted: Bool
            switch path {
            case let .sigil(key, algorithm, format):
                accepted = try key.isValidSignature(signature, for: message, algorithm: algorithm, format: format)
            case let .sigilCrypto(key, scheme, rawCurve):
                let digest = try scheme.hash.hash(message)
                let der = try rawCurve.map { try ECDSASignature.der(fromRaw: signature, curve: $0) } ?? signature
                accepted = try key.isValidSignature(der, forDigest: digest, scheme: scheme)
            case let .refusedKey(error):
                return .rejected(by: "keyImport-\(error.code.name)")
            }
            return accepted ? .accepted : .rejected(by: "false")
        } catch let error as SigilError {
            return .rejected(by: error.code.name)
        }
    }
}

/// What happened to every case of one file, by outcome and by skip reason.
struct FileReport: Sendable {
    let file: VectorFile
    let declaredTests: Int
    var ran = 0
    var validTotal = 0
    var validAccepted = 0
    var invalidTotal = 0
    var invalidRejections: [String: Int] = [:]
    var acceptableTotal = 0
    var acceptableOutcomes: [String: Int] = [:]
    var skipped: [String: Int] = [:]
    var viaSigil = 0
    var viaSigilCrypto = 0
    var viaRefusedKey = 0
    var unsafeKeyImports = 0
    var rewrappedKeyCases = 0
    var notes: [String] = []
    var failures: [String] = []

    var skippedTotal: Int { skipped.values.reduce(0, +) }

    /// `[a 3, b 65]`, largest first.
    static func tally(_ counts: [String: Int]) -> String {
        let entries = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return "[" + entries.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "]"
    }

    private static func fraction(_ part: Int, _ whole: Int) -> String {
        part == whole ? "\(whole)" : "\(part) of \(whole)"
    }

    /// The report as printed: the file's line, then one line per skip reason and note.
    var lines: [String] {
        let rejectedInvalid = invalidRejections.values.reduce(0, +)
        var ranParts = [
            "valid \(Self.fraction(validAccepted, validTotal)) accepted",
            "invalid \(Self.fraction(rejectedInvalid, invalidTotal)) rejected \(Self.tally(invalidRejections))",
        ]
        if acceptableTotal > 0 {
            ranParts.append("acceptable \(acceptableTotal) as policy \(Self.tally(acceptableOutcomes))")
        }
        var paths = ["via Sigil \(viaSigil)", "via SigilCrypto \(viaSigilCrypto)"]
        if viaRefusedKey > 0 { paths.append("refused at key import \(viaRefusedKey)") }
        if unsafeKeyImports > 0 { paths.append("with unsafe (<2048-bit) key import \(unsafeKeyImports)") }
        if rewrappedKeyCases > 0 { paths.append("with the id-RSASSA-PSS key re-wrapped as rsaEncryption \(rewrappedKeyCases)") }
        var lines = [
            "wycheproof \(file.name): ran \(ran) (\(ranParts.joined(separator: ", "))), skipped \(skippedTotal); "
                + paths.joined(separator: ", ")
        ]
        for (reason, count) in skipped.sorted(by: { $0.key < $1.key }) {
            lines.append("    skipped \(count): \(reason)")
        }
        for note in notes {
            lines.append("    note: \(note)")
        }
        for failure in failures {
            lines.append("    FAILED: \(failure)")
        }
        return lines
    }
}

/// Runs every case of one decoded Wycheproof signature file through Sigil.
struct SignatureFileRunner {
    static let pssRestrictedKeyReason = "RSASSA-PSS-restricted key (id-RSASSA-PSS SPKI), refused by design"
    static let bitcoinLowSReason = "bitcoin low-S rule not enforced (KMS doesn't): high-S signature accepted"

    /// Skip reasons that may account for a whole file without failing it: the file is
    /// out of Sigil's scope by design, and the runner has checked that Sigil refuses it.
    static let wholeFileSkipReasons: Set<String> = [pssRestrictedKeyReason]

    /// Wycheproof's curve names for the curves Sigil supports.
    static let curves: [String: ECCurve] = [
        "secp256r1": .p256, "secp384r1": .p384, "secp521r1": .p521, "secp256k1": .secp256k1,
    ]

    /// The hash KMS pairs with each curve (ECDSA_SHA_256 on P-256 and secp256k1, …).
    static let kmsECDSAHashes: [ECCurve: HashFunction] = [
        .p256: .sha256, .p384: .sha384, .p521: .sha512, .secp256k1: .sha256,
    ]

    /// The suffix of KMS algorithm names for the hashes KMS signs with.
    static func kmsHashSuffix(_ hash: HashFunction) -> String? {
        switch hash {
        case .sha256: return "SHA_256"
        case .sha384: return "SHA_384"
        case .sha512: return "SHA_512"
        default: return nil
        }
    }

    /// secp256k1's group order halved, rounded down: Bitcoin (BIP-62/BIP-146) requires s ≤ n/2.
    static let secp256k1HalfOrder: [UInt8] = [
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
    ]

    let file: VectorFile
    let vectors: SignatureVectorFile

    func run() -> FileReport {
        var report = FileReport(file: file, declaredTests: vectors.numberOfTests)
        guard file.family.schemas.contains(vectors.schema) else {
            report.failures.append(
                "schema \(vectors.schema) is not a \(file.family.rawValue) schema (\(file.family.schemas.sorted())); file not run")
            return report
        }
        for group in vectors.testGroups {
            let plan = plan(for: group, report: &report)
            for test in group.tests {
                run(test, plan: plan, report: &report)
            }
        }
        let counted = report.ran + report.skippedTotal
        if counted != vectors.numberOfTests {
            report.failures.append("counted \(counted) cases (ran + skipped), but the file declares numberOfTests \(vectors.numberOfTests)")
        }
        if report.ran == 0 {
            let justified = report.skippedTotal > 0 && report.skipped.keys.allSatisfy(Self.wholeFileSkipReasons.contains)
            if justified {
                report.notes.append("ran none, justified: every case skipped as \(report.skipped.keys.sorted().joined(separator: "; "))")
            } else {
                report.failures.append("ran no case at all")
            }
        }
        return report
    }

    private enum GroupPlan {
        case verify(GroupVerifier)
        case skip(reason: String)
    }

    /// Decides how the cases of `group` are checked, importing its key once.
    private func plan(for group: SignatureVectorFile.TestGroup, report: inout FileReport) -> GroupPlan {
        let family = file.family
        let groupName = "group of \(group.tests.count) cases (\(group.type), \(group.sha))"
        var keyDER = group.publicKeyDer.bytes
        var rewrapped = false
        if vectors.schema == SignatureVectorFile.pssWithParametersSchema {
            // Sigil refuses id-RSASSA-PSS keys by design (KMS issues rsaEncryption keys):
            // check that refusal, then run the cases with the same RSA key re-wrapped as
            // rsaEncryption and the group's PSS parameters, which are the key's own. Only
            // a key that cannot be re-wrapped leaves its cases skipped.
            expectRefusal(of: group, as: .unsupportedKey, groupName: groupName, report: &report)
            guard let rsaEncryptionKey = RSASSAPSSKeyRewrap.rsaEncryptionSPKI(fromRSASSAPSS: keyDER) else {
                report.failures.append("\(groupName): the id-RSASSA-PSS key cannot be re-wrapped as rsaEncryption")
                return .skip(reason: Self.pssRestrictedKeyReason)
            }
            keyDER = rsaEncryptionKey
            rewrapped = true
        }
        guard let hash = HashFunction(name: group.sha) else {
            return .skip(reason: "hash \(group.sha) not supported by Sigil")
        }
        let scheme: SignatureScheme
        var kmsName: String? = nil
        var curve: ECCurve? = nil
        switch family {
        case .rsaPSS:
            let mgf = group.mgf ?? "(none)"
            guard mgf == "MGF1" else {
                return .skip(reason: "mask generation function \(mgf) not supported by Sigil")
            }
            guard let mgfName = group.mgfSha, let mgfHash = HashFunction(name: mgfName) else {
                return .skip(reason: "MGF1 hash \(group.mgfSha ?? "(none)") not supported by Sigil")
            }
            guard let saltLength = group.sLen else {
                report.failures.append("\(groupName) has no sLen")
                return .skip(reason: "PSS group without a salt length (malformed file)")
            }
            scheme = .rsaPSS(hash: hash, mgf1Hash: mgfHash, saltLength: saltLength)
            if let suffix = Self.kmsHashSuffix(hash), mgfHash == hash, saltLength == hash.digestSize {
                kmsName = "RSASSA_PSS_\(suffix)"
            }
        case .rsaPKCS1:
            scheme = .rsaPKCS1v15(hash: hash)
            kmsName = Self.kmsHashSuffix(hash).map { "RSASSA_PKCS1_V1_5_\($0)" }
        case .ecdsaDER, .ecdsaP1363, .ecdsaBitcoin:
            let curveName = group.publicKey?.curve ?? "(unnamed)"
            guard let groupCurve = Self.curves[curveName] else {
                expectRefusal(of: group, as: .unsupportedKey, groupName: groupName, report: &report)
                return .skip(reason: "curve \(curveName) not supported by Sigil (KMS has P-256, P-384, P-521, secp256k1)")
            }
            curve = groupCurve
            scheme = .ecdsa(hash: hash)
            if Self.kmsECDSAHashes[groupCurve] == hash, let suffix = Self.kmsHashSuffix(hash) {
                kmsName = "ECDSA_\(suffix)"
            }
        }

        let unsafe = family.isRSA && (group.keySize ?? Int.max) < AsymmetricPublicKey.minimumRSABits
        let key: AsymmetricPublicKey
        do {
            key = unsafe
                ? try AsymmetricPublicKey(unsafeDERRepresentation: keyDER)
                : try AsymmetricPublicKey(derRepresentation: keyDER)
        } catch let error as SigilError {
            report.notes.append("\(groupName): key import threw \(error.code): \(error)")
            return .verify(GroupVerifier(path: .refusedKey(error), usedUnsafeKeyImport: unsafe, usedRewrappedKey: rewrapped))
        } catch {
            report.failures.append("\(groupName): key import threw a non-SigilError \(type(of: error)): \(error)")
            return .skip(reason: "key import threw a non-SigilError")
        }
        if let curve, key.curve != curve {
            report.failures.append("\(groupName): the key imported on \(key.curve.map(\.name) ?? "no curve"), the file says \(curve)")
        }
        if let kmsName {
            do {
                let algorithm = try SigningAlgorithm(kmsName: kmsName)
                let format: SignatureFormat = family == .ecdsaP1363 ? .raw : .der
                return .verify(GroupVerifier(path: .sigil(try PublicKey(key), algorithm, format), usedUnsafeKeyImport: unsafe, usedRewrappedKey: rewrapped))
            } catch {
                report.failures.append("\(groupName): cannot set up the Sigil API for \(kmsName): \(error)")
                return .skip(reason: "Sigil API setup failed")
            }
        }
        let rawCurve = family == .ecdsaP1363 ? curve : nil
        return .verify(GroupVerifier(path: .sigilCrypto(key, scheme, rawCurve: rawCurve), usedUnsafeKeyImport: unsafe, usedRewrappedKey: rewrapped))
    }

    /// Checks that importing the group's key throws `code`, recording a failure if not.
    private func expectRefusal(
        of group: SignatureVectorFile.TestGroup, as code: SigilError.Code, groupName: String, report: inout FileReport
    ) {
        do {
            _ = try AsymmetricPublicKey(unsafeDERRepresentation: group.publicKeyDer.bytes)
            report.failures.append("\(groupName): the key imported, but Sigil must refuse it with \(code)")
        } catch let error as SigilError where error.code == code {
            let note = "key refused with \(code), as designed (\(error.message))"
            if !report.notes.contains(where: { $0.hasPrefix(note) }) {
                report.notes.append(note)
            }
        } catch {
            report.failures.append("\(groupName): the key import threw \(error), expected \(code)")
        }
    }

    /// Whether an `invalid` case of the Bitcoin file is invalid only by BIP-62's low-S
    /// rule, decided from the case itself: flagged or described as malleability, strict
    /// DER, and s > n/2. ECDSA proper accepts (r, s) exactly when it accepts (r, n − s).
    static func isInvalidOnlyByLowSRule(_ test: SignatureVectorFile.TestCase, family: SignatureFamily) -> Bool {
        guard family == .ecdsaBitcoin, test.result == .invalid else { return false }
        guard test.flags.contains("SignatureMalleabilityBitcoin") || test.comment.lowercased().contains("malleability") else {
            return false
        }
        guard let raw = try? ECDSASignature.raw(fromDER: test.sig.bytes, curve: .secp256k1) else { return false }
        let s = raw[ECCurve.secp256k1.coordinateSize...]
        return Self.secp256k1HalfOrder.lexicographicallyPrecedes(s)
    }

    private func run(_ test: SignatureVectorFile.TestCase, plan: GroupPlan, report: inout FileReport) {
        let verifier: GroupVerifier
        switch plan {
        case let .skip(reason):
            report.skipped[reason, default: 0] += 1
            return
        case let .verify(groupVerifier):
            verifier = groupVerifier
        }
        let describe = { (problem: String) in
            "\(file.name) tcId \(test.tcId) [\(test.comment)] flags \(test.flags) result \(test.result.rawValue): "
                + "\(problem) (via \(verifier.pathName))"
        }
        let outcome: Outcome
        do {
            outcome = try verifier.check(signature: test.sig.bytes, message: test.msg.bytes)
        } catch {
            report.failures.append(describe("threw a non-SigilError \(type(of: error)): \(error)"))
            outcome = .rejected(by: "non-SigilError")
        }
        if outcome.isAccepted, Self.isInvalidOnlyByLowSRule(test, family: file.family) {
            report.skipped[Self.bitcoinLowSReason, default: 0] += 1
            return
        }

        report.ran += 1
        switch verifier.path {
        case .sigil: report.viaSigil += 1
        case .sigilCrypto: report.viaSigilCrypto += 1
        case .refusedKey: report.viaRefusedKey += 1
        }
        if verifier.usedUnsafeKeyImport {
            report.unsafeKeyImports += 1
        }
        if verifier.usedRewrappedKey {
            report.rewrappedKeyCases += 1
        }

        switch test.result {
        case .valid:
            report.validTotal += 1
            if outcome.isAccepted {
                report.validAccepted += 1
            } else {
                report.failures.append(describe("a valid signature was \(outcome)"))
            }
        case .invalid:
            report.invalidTotal += 1
            if case let .rejected(reason) = outcome {
                report.invalidRejections[reason, default: 0] += 1
            } else {
                report.failures.append(describe("an invalid signature was accepted"))
            }
        case .acceptable:
            report.acceptableTotal += 1
            switch AcceptablePolicy.decision(for: test.flags) {
            case let .failure(gap):
                report.failures.append(describe("\(gap.message); outcome was \(outcome)"))
            case let .success(decision):
                if decision.mustAccept == outcome.isAccepted {
                    report.acceptableOutcomes["\(test.flags.joined(separator: "+")) \(outcome)", default: 0] += 1
                } else {
                    let wanted = decision.mustAccept ? "accepted" : "rejected"
                    report.failures.append(describe("policy says \(wanted) (\(decision.reason)), but it was \(outcome)"))
                }
            }
        }
    }
}
