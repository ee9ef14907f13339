import Foundation
import Sigil
import SigilTestSupport
import Testing

/// The official Encryption SDK v2 vectors (`../shared/vectors/esdk/commitment-test-vectors.json`):
/// each whole message decrypted with the data key it gives. Status true must yield the
/// expected plaintext; status false must fail.
@Suite struct EncryptionSDKVectorTests {
    struct VectorFile: Decodable {
        let tests: [Vector]
    }

    struct Vector: Decodable {
        let ciphertext: String
        let decryptedDEK: String
        let commitment: String
        let encryptionContext: [String: String]
        let plaintextFrames: [String]?
        let status: Bool
        let exception: String?
        let comment: String

        enum CodingKeys: String, CodingKey {
            case ciphertext, commitment, status, exception, comment
            case decryptedDEK = "decrypted-dek"
            case encryptionContext = "encryption-context"
            case plaintextFrames = "plaintext-frames"
        }
    }

    static func loadVectors() throws -> [Vector]? {
        guard SharedVectors.isPresent("esdk") else { return nil }
        let url = SharedVectors.folder("esdk").appendingPathComponent("commitment-test-vectors.json")
        return try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url)).tests
    }

    static func base64(_ text: String) throws -> [UInt8] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else { throw TestFailure("not base64: \(text.prefix(20))") }
        return [UInt8](data)
    }

    @Test func decryptsEveryOfficialVectorAsItsStatusSays() async throws {
        guard try TestSupport.require(SharedVectors.isPresent("esdk"), missing: SharedVectors.missingMessage("esdk")),
            let vectors = try Self.loadVectors()
        else { return }
        var decrypted = 0, refused = 0, signed = 0, nonFramed = 0
        var refusals: [String: Int] = [:]
        for vector in vectors {
            let message = try Self.base64(vector.ciphertext)
            let decryptor = MessageDecryptor(unwrapper: FixedDataKey(key: SecureBytes(try Self.base64(vector.decryptedDEK))))
            do {
                let (plaintext, header) = try await decryptor.decrypt(message)
                guard vector.status else {
                    Issue.record("\(vector.comment): decrypted, but the vector says it must fail (\(vector.exception ?? ""))")
                    continue
                }
                let expected = (vector.plaintextFrames ?? []).flatMap { Array($0.utf8) }  // frames are UTF-8 text
                #expect(plaintext == expected, "\(vector.comment)")
                #expect(header.commitKey == (try Self.base64(vector.commitment)), "\(vector.comment)")
                for (key, value) in vector.encryptionContext {
                    #expect(header.encryptionContext[key] == value, "\(vector.comment): context \(key)")
                }
                decrypted += 1
                if header.suite.isSigned { signed += 1 }
                if header.contentType == .nonFramed { nonFramed += 1 }
            } catch let error as SigilError {
                guard !vector.status else {
                    Issue.record("\(vector.comment): must decrypt, but: \(error)")
                    continue
                }
                refused += 1
                refusals[error.code.name, default: 0] += 1
                print("esdk vector '\(vector.comment)': refused as expected (\(vector.exception ?? "")): \(error)")
            }
        }
        print("esdk commitment vectors: \(vectors.count) cases: \(decrypted) decrypted as expected "
            + "(\(signed) signed 0x0578, \(nonFramed) non-framed), \(refused) refused as expected \(refusals)")
        #expect(decrypted + refused == vectors.count)
        #expect(vectors.count >= 46, "the vector file lost cases")
    }
}
