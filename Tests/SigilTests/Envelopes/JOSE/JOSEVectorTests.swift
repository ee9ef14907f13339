import Foundation
import Sigil
import SigilTestSupport
import Testing

/// The RFC 7520 section 4 JWS examples (ietf-jose/cookbook), read in place: every
/// public-key signature is verified in every serialization it is given in; HMAC ones are
/// refused by design, and counted as skipped.
@Suite("JOSE RFC 7520 vectors")
struct JOSEVectorTests {
    static let hmacReason = "HMAC is refused with public keys, by design"

    struct Counts: Equatable, CustomStringConvertible {
        var run = 0
        var passed = 0
        var skipped: [String: Int] = [:]
        var description: String {
            "run \(run), passed \(passed), skipped \(skipped.map { "\($0.value) (\($0.key))" }.joined(separator: ", "))"
        }
    }

    static func load(_ name: String) throws -> JOSEJSON {
        let url = SharedVectors.folder("jose").appendingPathComponent(name)
        return try JOSEJSONReader(maximumSize: 1 << 20).read(Data(contentsOf: url), what: name)
    }

    /// The public part of a cookbook key: its private members left out.
    static func publicJWK(_ key: JOSEJSON) throws -> JWK {
        var members = key.objectValue ?? [:]
        for name in JWK.privateMembers { members[name] = nil }
        return try JWK(jsonRepresentation: JOSEJSONWriter.data(.object(members)))
    }

    /// Runs one cookbook file and returns its counts.
    static func run(_ name: String) throws -> Counts {
        let vector = try load("jws/\(name)")
        let input = try #require(vector["input"])
        let key = try #require(input["key"])
        let keys = key.arrayValue ?? [key]
        let alg = try #require(input["alg"])
        let single = alg.stringValue.map { [$0] }
        let algorithms = try #require(alg.arrayValue?.compactMap(\.stringValue) ?? single)
        let payload = Array(try #require(input["payload"]?.stringValue).utf8)
        let outputs = try #require(vector["output"]?.objectValue)
        var counts = Counts()
        for (keyIndex, algorithm) in algorithms.enumerated() {
            for (form, output) in outputs.sorted(by: { $0.key < $1.key }) {
                let serialization: [UInt8] = output.stringValue.map { Array($0.utf8) } ?? JOSEJSONWriter.data(output)
                let jws = try JWS(serialization: serialization)
                let detached: [UInt8]? = jws.isDetached ? payload : nil
                guard algorithm.hasPrefix("ES") || algorithm.hasPrefix("RS") || algorithm.hasPrefix("PS") else {
                    counts.skipped[hmacReason, default: 0] += 1
                    // Refused, never verified: HS* is not an algorithm Sigil knows.
                    let store = try TrustStore([])
                    let code = JOSETestKeys.errorCode { _ = try jws.verify(using: store, detachedPayload: detached) }
                    #expect(code == .unknownAlgorithm || jws.signatures.count > 1, "\(name) \(form)")
                    continue
                }
                counts.run += 1
                let jwk = try publicJWK(keys[keyIndex])
                let store = try TrustStore([TrustedKey(jwk: jwk)])
                let verified = try jws.verify(using: store, detachedPayload: detached)
                let index = jws.signatures.firstIndex { $0.header.algorithmName == algorithm }
                #expect(verified.payload == payload, "\(name) \(form)")
                #expect(verified.algorithm.name == algorithm, "\(name) \(form)")
                #expect(verified.keyID == jwk.keyID, "\(name) \(form)")
                #expect(verified.verifiedSignatureIndices == [index].compactMap { $0 }, "\(name) \(form)")
                for (position, signature) in jws.signatures.enumerated() where signature.header.algorithmName.hasPrefix("HS") {
                    guard case .refused(let error) = verified.statuses[position] else {
                        Issue.record("\(name): the HMAC signature \(position) was not refused")
                        continue
                    }
                    #expect(error.code == .unknownAlgorithm)
                }
                if verified.payload == payload, verified.verifiedSignatureIndices == [index].compactMap({ $0 }) {
                    counts.passed += 1
                }
            }
        }
        print("JOSE vectors \(name): \(counts)")
        return counts
    }

    @Test("RFC 7520 JWS examples, counted per file", arguments: [
        ("4_1.rsa_v15_signature.json", 3, 0),
        ("4_2.rsa-pss_signature.json", 3, 0),
        ("4_3.ecdsa_signature.json", 3, 0),
        ("4_4.hmac-sha2_integrity_protection.json", 0, 3),
        ("4_5.signature_with_detached_content.json", 0, 3),
        ("4_6.protecting_specific_header_fields.json", 0, 2),
        ("4_7.protecting_content_only.json", 0, 2),
        ("4_8.multiple_signatures.json", 2, 1),
    ])
    func cookbookFile(name: String, expectedRun: Int, expectedHMAC: Int) throws {
        guard SharedVectors.isPresent("jose") || SharedVectors.isCI else {
            print(SharedVectors.missingMessage("jose"))
            return
        }
        let counts = try Self.run(name)
        #expect(counts.run == expectedRun)
        #expect(counts.passed == expectedRun)
        #expect(counts.skipped == (expectedHMAC > 0 ? [Self.hmacReason: expectedHMAC] : [:]))
    }

    @Test("The cookbook signatures fail once the payload changes")
    func cookbookSignaturesBindThePayload() throws {
        guard SharedVectors.isPresent("jose") else { return }
        for name in ["4_1.rsa_v15_signature.json", "4_2.rsa-pss_signature.json", "4_3.ecdsa_signature.json"] {
            let vector = try Self.load("jws/\(name)")
            let compact = try #require(vector["output"]?["compact"]?.stringValue)
            let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
            let forged = "\(parts[0]).\(Base64URL.encode(Array("forged".utf8))).\(parts[2])"
            let store = try TrustStore([TrustedKey(jwk: Self.publicJWK(try #require(vector["input"]?["key"])))])
            let code = JOSETestKeys.errorCode { _ = try JWS(compactSerialization: forged).verify(using: store) }
            #expect(code == .authenticationFailure, "\(name)")
        }
    }

    @Test("The cookbook's private JWKs are refused, naming the private member")
    func cookbookPrivateKeysAreRefused() throws {
        guard SharedVectors.isPresent("jose") else { return }
        for name in ["3_2.ec_private_key.json", "3_4.rsa_private_key.json"] {
            let data = try Data(contentsOf: SharedVectors.folder("jose").appendingPathComponent("jwk/\(name)"))
            let message = JOSETestKeys.errorMessage { _ = try JWK(jsonRepresentation: data) }
            #expect(message?.contains("'d'") == true, "\(name): \(message ?? "accepted")")
        }
        for name in ["3_5.symmetric_key_mac_computation.json", "3_6.symmetric_key_encryption.json"] {
            let data = try Data(contentsOf: SharedVectors.folder("jose").appendingPathComponent("jwk/\(name)"))
            let code = JOSETestKeys.errorCode { _ = try JWK(jsonRepresentation: data) }
            // 'k' is a private member, named before the key type is looked at.
            #expect(code == .invalidArgument, "\(name)")
        }
        for name in ["3_1.ec_public_key.json", "3_3.rsa_public_key.json"] {
            let data = try Data(contentsOf: SharedVectors.folder("jose").appendingPathComponent("jwk/\(name)"))
            let jwk = try JWK(jsonRepresentation: data)
            #expect(jwk.keyID == "bilbo.baggins@hobbiton.example")
            // Export gives back the same key members.
            let again = try JWK(jsonRepresentation: jwk.jsonRepresentation)
            #expect(again.publicKey.derRepresentation == jwk.publicKey.derRepresentation)
        }
    }
}
