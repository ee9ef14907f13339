import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Replays the signature vectors in `vectors/` (made with GnuTLS by `tools/make-vectors`)
/// through Sigil's public API. Needs only Sigil, so it runs where GnuTLS is not installed.
@Suite("Replay of the committed signature vectors")
struct VectorReplayTests {
    /// The shape `sigil-vectorgen` writes.
    typealias VectorFile = SignatureVectorFile

    struct ReplayFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The package's `vectors/` directory, found from this file's path
    /// (`<root>/Tests/VectorReplayTests/VectorReplayTests.swift`).
    static let vectorsDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("vectors", isDirectory: true)

    /// The file names of every `vectors/*.json`, sorted.
    static let vectorFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: vectorsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test("vectors/ holds vector files")
    func vectorsDirectoryIsNotEmpty() {
        #expect(!Self.vectorFiles.isEmpty, "no vectors/*.json under \(Self.vectorsDirectory.path); run tools/make-vectors")
    }

    @Test("Sigil agrees with every case of a vector file", arguments: vectorFiles)
    func sigilAgreesWithEveryCase(_ fileName: String) throws {
        let url = Self.vectorsDirectory.appendingPathComponent(fileName)
        let file = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
        #expect(file.formatVersion == 1)
        #expect(file.messageEncoding == "hex")
        #expect(file.signatureEncoding == "base64")
        let algorithm = try SigningAlgorithm(kmsName: file.algorithm)
        let format: SignatureFormat = file.signatureFormat == "DER" ? .der : .raw
        guard let publicKeyDER = Data(base64Encoded: file.publicKey) else {
            throw ReplayFailure(description: "\(fileName): publicKey is not base64")
        }
        let key = try PublicKey(derRepresentation: publicKeyDER)
        #expect(key.keySpec?.kmsName == file.keySpec)

        var counts = [String: Int]()
        for vector in file.cases {
            let label = "\(fileName) case \(vector.id) (\(vector.comment))"
            guard let signature = Data(base64Encoded: vector.signature) else {
                throw ReplayFailure(description: "\(label): signature is not base64")
            }
            let verify: () throws -> Bool
            switch vector.messageType {
            case "RAW":
                let message = try Self.bytes(fromHex: vector.message, label: label)
                verify = { try key.isValidSignature(signature, for: message, algorithm: algorithm, format: format) }
            case "DIGEST":
                let digest = try Self.bytes(fromHex: vector.digest, label: label)
                verify = { try key.isValidSignature(signature, forDigest: digest, algorithm: algorithm, format: format) }
            default:
                throw ReplayFailure(description: "\(label): unknown messageType \(vector.messageType)")
            }

            switch vector.expected {
            case "valid":
                #expect(try verify(), "\(label): a valid signature was refused")
                counts["valid \(vector.messageType)", default: 0] += 1
            case "invalid":
                let outcome: String
                do {
                    outcome = try verify() ? "accepted" : "false"
                } catch let error as SigilError {
                    outcome = "threw \(error.code)"
                }
                #expect(outcome != "accepted", "\(label): an invalid signature was accepted")
                counts["invalid (\(outcome))", default: 0] += 1
            default:
                throw ReplayFailure(description: "\(label): unknown expected value \(vector.expected)")
            }
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("replay \(fileName) [\(file.generator)]: \(file.cases.count) cases: \(summary)")
        #expect(!file.cases.isEmpty, "\(fileName) has no cases")
    }

    static func bytes(fromHex text: String?, label: String) throws -> [UInt8] {
        guard let text, let bytes = TestSupport.bytes(hex: text) else {
            throw ReplayFailure(description: "\(label): missing or malformed hex")
        }
        return bytes
    }
}
