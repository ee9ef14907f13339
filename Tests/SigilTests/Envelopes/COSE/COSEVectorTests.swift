import Foundation
import Sigil
import SigilTestSupport
import Testing

/// The COSE working group's examples (`../shared/vectors/cose`, cose-wg/Examples): every
/// COSE_Sign1 example verified from its own output bytes (signatures are randomized, so
/// they are checked, not reproduced), pass and fail, counted per file.
@Suite struct COSEVectorTests {
    struct Example: Decodable {
        let title: String
        let fail: Bool?
        let input: Input
        let output: Output
        let intermediates: Intermediates?

        struct Input: Decodable {
            let plaintext: String
            let sign0: Signer?
            let sign: Sign?
        }
        struct Signer: Decodable {
            let key: COSETestKeys.ExampleKey
            let alg: String?
            let protected: [String: Value]?
            let unprotected: [String: Value]?
            let external: String?
        }
        struct Sign: Decodable {
            let signers: [Signer]
        }
        struct Output: Decodable { let cbor: String }
        struct Intermediates: Decodable {
            let ToBeSign_hex: String?
        }
        /// A header value of the example's input: a name or a number.
        struct Value: Decodable {
            init(from decoder: any Decoder) throws {}
        }
    }

    /// What became of one example.
    enum Outcome: Hashable, CustomStringConvertible {
        case passed
        /// A pass example Sigil refuses on purpose, with the code it must refuse with.
        case refusedByPolicy(String)
        case skipped(String)

        var description: String {
            switch self {
            case .passed: return "passed"
            case .refusedByPolicy(let reason): return "refused by policy (\(reason))"
            case .skipped(let reason): return "skipped (\(reason))"
            }
        }
    }

    static let folders = ["sign1-tests", "ecdsa-examples", "rsa-pss-examples", "sign-tests", "eddsa-examples"]

    /// Why Sigil refuses a pass example, and the error code it refuses with; `nil` when it
    /// must verify.
    static func policyRefusal(_ signer: Example.Signer) -> (reason: String, code: SigilError.Code)? {
        if signer.key.kty == "OKP" {
            return ("EdDSA is not in Sigil's COSE algorithm table", .unknownAlgorithm)
        }
        if signer.protected?["alg"] == nil, signer.unprotected?["alg"] != nil {
            return ("alg only in the unprotected header", .malformedMessage)
        }
        if let name = signer.alg, let algorithm = try? COSEAlgorithm(name: name),
            let curve = algorithm.curve, curve.name != signer.key.crv
        {
            return ("\(name) on a \(signer.key.crv ?? "?") key", .algorithmKeyMismatch)
        }
        return nil
    }

    static func run(_ example: Example, file: String) throws -> Outcome {
        guard let signer = example.input.sign0 else {
            return .skipped("COSE_Sign (multi-signer, tag 98): Sigil implements COSE_Sign1 only")
        }
        let expectsFailure = example.fail ?? false
        let message = try COSETestKeys.hex(example.output.cbor)
        let externalAAD = try signer.external.map(COSETestKeys.hex) ?? []
        let policy = expectsFailure ? nil : policyRefusal(signer)

        // An EdDSA key cannot be imported; its message must still be refused by the parser.
        var keys: [TrustedKey] = []
        do {
            keys = [try TrustedKey(id: signer.key.kid ?? "example", publicKey: signer.key.publicKey())]
        } catch where policy != nil {}
        let trusted = try TrustStore(keys)
        do {
            let parsed = try COSESign1(cborRepresentation: message)
            let verified: VerifiedCOSESign1
            do {
                verified = try parsed.verify(using: trusted, externalAAD: externalAAD)
            } catch let error as SigilError where error.code == .authenticationFailure && policy == nil {
                #expect(expectsFailure, "\(file): \(example.title) must verify, but: \(error.message)")
                print("cose \(file) '\(example.title)': invalid as expected: \(error.message)")
                return .passed
            }
            #expect(!expectsFailure && policy == nil, "\(file): \(example.title) verified, but must be refused")
            #expect(verified.payload == Array(example.input.plaintext.utf8), "\(file): payload")
            if let toBeSigned = example.intermediates?.ToBeSign_hex {
                let ours = COSESign1.signatureStructure(
                    protectedHeader: parsed.protectedHeaderBytes, externalAAD: externalAAD, payload: verified.payload)
                #expect(ours == (try COSETestKeys.hex(toBeSigned)), "\(file): Sig_structure differs from ToBeSign")
            }
            return .passed
        } catch let error as SigilError {
            if let policy {
                #expect(error.code == policy.code, "\(file): \(example.title): \(policy.reason), refused with \(error)")
                return .refusedByPolicy(policy.reason)
            }
            #expect(expectsFailure, "\(file): \(example.title) must verify, but: \(error)")
            print("cose \(file) '\(example.title)': refused as expected (\(error.code)): \(error)")
            return .passed
        }
    }

    @Test func verifiesEveryCOSESign1ExampleAsItsFailFlagSays() throws {
        guard try TestSupport.require(SharedVectors.isPresent("cose"), missing: SharedVectors.missingMessage("cose")) else { return }
        var totals: [Outcome: Int] = [:]
        var perFolder: [String: [Outcome: Int]] = [:]
        for folder in Self.folders {
            let directory = SharedVectors.folder("cose").appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
            #expect(!files.isEmpty, "no examples in \(folder)")
            for name in files {
                let example = try JSONDecoder().decode(
                    Example.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
                let outcome = try Self.run(example, file: "\(folder)/\(name)")
                print("cose \(folder)/\(name) [\(example.fail == true ? "fail" : "pass")]: \(outcome)")
                totals[outcome, default: 0] += 1
                perFolder[folder, default: [:]][outcome, default: 0] += 1
            }
        }
        for (folder, counts) in perFolder.sorted(by: { $0.key < $1.key }) {
            print("cose \(folder): \(counts.values.reduce(0, +)) examples: \(counts.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", "))")
        }
        // cose-wg/Examples at 53c9d63: 9 sign1-tests (8 verified or refused as their flag
        // says, 1 refused by policy), 4 ecdsa sign0 examples (3 + 1 by policy), 2 EdDSA
        // sign0 examples (policy), and 4 + 3 + 10 + 2 COSE_Sign examples skipped.
        #expect(perFolder["sign1-tests"]?[.passed] == 8)
        #expect(perFolder["ecdsa-examples"]?[.passed] == 3)
        #expect(totals[.passed] == 11)
        #expect(totals.filter { if case .refusedByPolicy = $0.key { true } else { false } }.values.reduce(0, +) == 4)
        #expect(totals.filter { if case .skipped = $0.key { true } else { false } }.values.reduce(0, +) == 19)
    }

    /// The RSA-PSS examples are COSE_Sign messages, which Sigil does not parse; their
    /// signer signatures are checked here over the COSE_Sign Sig_structure built from
    /// Sigil's CBOR codec, to pin PS256/384/512 (salt = hash length) to the working group's.
    @Test func rsaPSSExampleSignaturesVerifyUnderSigilsPSAlgorithms() throws {
        guard try TestSupport.require(SharedVectors.isPresent("cose"), missing: SharedVectors.missingMessage("cose")) else { return }
        let directory = SharedVectors.folder("cose").appendingPathComponent("rsa-pss-examples")
        var checked: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).filter({ $0.hasSuffix(".json") }).sorted() {
            let example = try JSONDecoder().decode(Example.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
            let signers = try #require(example.input.sign?.signers)
            guard case .tagged(98, let body) = try CBOR(decoding: COSETestKeys.hex(example.output.cbor)),
                let elements = body.arrayValue, elements.count == 4,
                let bodyProtected = elements[0].byteStringValue, let payload = elements[2].byteStringValue,
                let signatures = elements[3].arrayValue, signatures.count == signers.count
            else { throw TestFailure("\(name): not a COSE_Sign message") }
            for (signer, signature) in zip(signers, signatures) {
                let parts = try #require(signature.arrayValue)
                let signProtected = try #require(parts[0].byteStringValue)
                let algorithmID = try #require(try CBOR(decoding: signProtected)[1]?.intValue)
                let algorithm = try COSEAlgorithm(identifier: algorithmID)
                let toBeSigned = try CBOR.array([
                    "Signature", .byteString(bodyProtected), .byteString(signProtected), .byteString([]), .byteString(payload),
                ]).deterministicEncoding()
                let key = try signer.key.publicKey()
                let bytes = try #require(parts[2].byteStringValue)
                #expect(try key.isValidSignature(bytes, for: toBeSigned, algorithm: algorithm.signingAlgorithm), "\(name)")
                #expect(try !key.isValidSignature(bytes, for: toBeSigned + [0], algorithm: algorithm.signingAlgorithm), "\(name)")
                checked.append("\(name): \(algorithm.name)")
            }
        }
        print("cose rsa-pss-examples checked as COSE_Sign signer signatures: \(checked)")
        #expect(checked.count == 3)
    }
}
