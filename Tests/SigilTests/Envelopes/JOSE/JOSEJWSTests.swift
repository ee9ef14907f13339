import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite("JOSE JWS signing and verification")
struct JOSEJWSTests {
    static let payload = Array("{\"iss\":\"sigil\",\"n\":1}".utf8)

    @Test("Each algorithm round-trips in every serialization, attached and detached", arguments: JOSEAlgorithm.all)
    func roundTrips(algorithm: JOSEAlgorithm) throws {
        let store = try JOSETestKeys.store(for: algorithm)
        let input = try JWSSigningInput(algorithm: algorithm, payload: Self.payload, keyID: "test-key")
        let signature = try JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: algorithm))
        let serializations: [(String, [UInt8], Bool)] = [
            ("compact", Array(try input.compactSerialization(kmsSignature: signature).utf8), false),
            ("compact detached", Array(try input.compactSerialization(kmsSignature: signature, detached: true).utf8), true),
            ("json", try input.jsonSerialization(kmsSignature: signature), false),
            ("flattened", try input.jsonSerialization(kmsSignature: signature, flattened: true), false),
            ("flattened detached", try input.jsonSerialization(kmsSignature: signature, flattened: true, detached: true), true),
            ("json unprotected", try input.jsonSerialization(kmsSignature: signature, unprotectedHeader: ["x-note": .string("hi")]), false),
        ]
        for (name, bytes, detached) in serializations {
            let jws = try JWS(serialization: bytes)
            #expect(jws.isDetached == detached, "\(name)")
            let verified = try jws.verify(using: store, detachedPayload: detached ? Self.payload : nil)
            #expect(verified.payload == Self.payload, "\(name)")
            #expect(verified.keyID == "test-key" && verified.algorithm == algorithm, "\(name)")
            #expect(verified.header.keyID == "test-key", "\(name)")
            if detached {
                let code = JOSETestKeys.errorCode { _ = try jws.verify(using: store, detachedPayload: Array("other".utf8)) }
                #expect(code == .authenticationFailure, "\(name)")
                #expect(JOSETestKeys.errorCode { _ = try jws.verify(using: store) } == .invalidArgument, "\(name)")
            } else {
                #expect(JOSETestKeys.errorCode { _ = try jws.verify(using: store, detachedPayload: Self.payload) } == .invalidArgument)
            }
        }
        if algorithm.curve != nil {
            let raw = try input.joseSignature(fromKMSSignature: signature)
            #expect(raw.count == 2 * algorithm.curve!.coordinateSize)
        }
    }

    /// A throwaway openssl key for `algorithm`: its private PEM file and public PEM file.
    static func opensslKey(for algorithm: JOSEAlgorithm, in folder: URL) async throws -> (URL, URL) {
        let options = algorithm.curve.map { ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\($0.openSSLGroupName)"] }
            ?? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        let privateFile = folder.appendingPathComponent("\(algorithm.name).key")
        let publicFile = folder.appendingPathComponent("\(algorithm.name).pub")
        try await TestSupport.openssl(["genpkey"] + options + ["-out", privateFile.path]).write(to: folder.appendingPathComponent("unused"))
        _ = try await TestSupport.openssl(["pkey", "-in", privateFile.path, "-pubout", "-out", publicFile.path])
        return (privateFile, publicFile)
    }

    static func opensslDigestOptions(_ algorithm: JOSEAlgorithm) -> [String] {
        let hash = "-" + algorithm.signingAlgorithm.hashFunction.name.lowercased().replacingOccurrences(of: "-", with: "")
        let pss = algorithm.name.hasPrefix("PS") ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"] : []
        return ["dgst", hash] + pss
    }

    @Test("openssl verifies what Sigil signs, and Sigil verifies what openssl signs", arguments: JOSEAlgorithm.all)
    func interoperatesWithOpenSSL(algorithm: JOSEAlgorithm) async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (privateFile, publicFile) = try await Self.opensslKey(for: algorithm, in: folder)
        let privateKey = try AsymmetricPrivateKey(pemRepresentation: String(contentsOf: privateFile, encoding: .utf8))
        let store = try TrustStore(pemFileAt: publicFile)
        let keyID = store.keys[0].id

        // Sigil signs; openssl checks the JWS signature (r‖s back to DER for ECDSA) over the signing input.
        let input = try JWSSigningInput(algorithm: algorithm, payload: Self.payload, keyID: keyID)
        let token = try input.compactSerialization(kmsSignature: JOSETestKeys.kmsSignature(input, with: privateKey))
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(Array("\(parts[0]).\(parts[1])".utf8) == input.bytes)
        var joseSignature = try Base64URL.decode(parts[2], what: "signature")
        if let curve = algorithm.curve {
            joseSignature = try ECDSASignature.der(fromRaw: joseSignature, curve: curve)
        }
        let inputFile = folder.appendingPathComponent("input")
        let signatureFile = folder.appendingPathComponent("signature")
        try Data(input.bytes).write(to: inputFile)
        try Data(joseSignature).write(to: signatureFile)
        let check = try await TestSupport.run("openssl", Self.opensslDigestOptions(algorithm)
            + ["-verify", publicFile.path, "-signature", signatureFile.path, inputFile.path])
        #expect(check.status == 0 && check.stdoutText.contains("Verified OK"), "\(check.stdoutText) \(check.stderrText)")

        // openssl signs the signing input; Sigil verifies the JWS assembled from it.
        let theirs = try await TestSupport.openssl(Self.opensslDigestOptions(algorithm) + ["-sign", privateFile.path, inputFile.path])
        let assembled = try input.compactSerialization(kmsSignature: theirs)
        let verified = try JWS(compactSerialization: assembled).verify(using: store)
        #expect(verified.payload == Self.payload && verified.keyID == keyID)
        let tampered = "\(parts[0]).\(Base64URL.encode(Array("x".utf8))).\(assembled.split(separator: ".")[2])"
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: tampered).verify(using: store) } == .authenticationFailure)
    }

    @Test("alg none is refused, with or without a signature")
    func refusesNone() throws {
        let store = try JOSETestKeys.store(for: .es256)
        let header = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8))
        let body = Base64URL.encode(Self.payload)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: "\(header).\(body).") } == .malformedSignature)
        let signed = try JOSETestKeys.compactToken(rawHeader: #"{"alg":"none","kid":"test-key"}"#, payload: Self.payload, signedWith: .es256)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: signed).verify(using: store) } == .unknownAlgorithm)
        for name in ["NONE", "None", "nOnE", "ES256 ", "es256", ""] {
            let token = try JOSETestKeys.compactToken(rawHeader: "{\"alg\":\"\(name)\"}", payload: Self.payload, signedWith: .es256)
            #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: token).verify(using: store) } == .unknownAlgorithm, "\(name)")
        }
    }

    @Test("HS256 keyed with the RSA public key's bytes (algorithm confusion) is refused", arguments: ["der", "pem"])
    func refusesAlgorithmConfusion(form: String) async throws {
        let store = try JOSETestKeys.store(for: .rs256)
        let key = store.keys[0].publicKey
        let secret = form == "der" ? key.derRepresentation : Array(key.pemRepresentation.utf8)
        for algorithm in ["HS256", "HS384", "HS512"] {
            let signingInput = Base64URL.encode(Array("{\"alg\":\"\(algorithm)\",\"kid\":\"test-key\"}".utf8)) + "." + Base64URL.encode(Self.payload)
            let mac = try await TestSupport.openssl(
                ["dgst", "-sha\(algorithm.dropFirst(2))", "-mac", "HMAC", "-macopt", "hexkey:\(TestSupport.hex(secret))", "-binary"],
                input: Data(signingInput.utf8))
            let token = signingInput + "." + Base64URL.encode(mac)
            let message = JOSETestKeys.errorMessage { _ = try JWS(compactSerialization: token).verify(using: store) }
            #expect(message?.contains("HMAC") == true, "\(message ?? "accepted")")
        }
    }

    @Test("With a kid only that key is tried; without one, only keys allowed the alg")
    func keySelection() throws {
        let p256 = try JOSETestKeys.publicKey(of: JOSETestKeys.privateKey(for: .es256))
        let other = try PublicKey(AsymmetricPrivateKey(generating: .eccNistP256).publicKey)
        let k1 = try JOSETestKeys.publicKey(of: JOSETestKeys.privateKey(for: .es256K))
        let rsa = try JOSETestKeys.publicKey(of: JOSETestKeys.privateKey(for: .rs256))
        let store = try TrustStore([
            TrustedKey(id: "other", publicKey: other),
            TrustedKey(id: "k1", publicKey: k1),
            TrustedKey(id: "rsa-pss-only", publicKey: rsa, algorithms: [.rsassaPSSSHA256]),
            TrustedKey(id: "test-key", publicKey: p256),
        ])
        // No kid: the P-256 keys are tried (not the secp256k1 one, though it is allowed ECDSA_SHA_256).
        let anonymous = try JOSETestKeys.compactToken(.es256, keyID: nil)
        #expect(try JWS(compactSerialization: anonymous).verify(using: store).keyID == "test-key")
        // A kid naming another key: only that key is tried, and it does not verify.
        let misnamed = try JOSETestKeys.compactToken(.es256, keyID: "other")
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: misnamed).verify(using: store) } == .authenticationFailure)
        let unknown = try JOSETestKeys.compactToken(.es256, keyID: "nobody")
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: unknown).verify(using: store) } == .notFound)
        // The kid names a secp256k1 key, the alg says P-256: refused before any check.
        let wrongCurve = try JOSETestKeys.compactToken(.es256, keyID: "k1")
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: wrongCurve).verify(using: store) } == .algorithmKeyMismatch)
        // The key is allowed PS256 only: RS256 under its kid is refused, and without a kid no key may verify it.
        let rs256 = try JOSETestKeys.compactToken(.rs256, keyID: "rsa-pss-only")
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: rs256).verify(using: store) } == .algorithmKeyMismatch)
        let rs256Anonymous = try JOSETestKeys.compactToken(.rs256, keyID: nil)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: rs256Anonymous).verify(using: store) } == .notFound)
        let ps256 = try JOSETestKeys.compactToken(.ps256, keyID: "rsa-pss-only")
        #expect(try JWS(compactSerialization: ps256).verify(using: store).keyID == "rsa-pss-only")
        // An empty store verifies nothing.
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: anonymous).verify(using: TrustStore([])) } == .notFound)
    }

    @Test("A JSON JWS with several signatures says which verified")
    func multipleSignatures() throws {
        let es = try JWSSigningInput(algorithm: .es384, payload: Self.payload)
        let rs = try JWSSigningInput(algorithm: .rs512, payload: Self.payload)
        let esSignature = try es.joseSignature(fromKMSSignature: JOSETestKeys.kmsSignature(es, with: JOSETestKeys.privateKey(for: .es384)))
        var rsSignature = try JOSETestKeys.kmsSignature(rs, with: JOSETestKeys.privateKey(for: .rs512))
        rsSignature[10] ^= 1
        let document = JOSEJSON.object([
            "payload": .string(es.encodedPayload),
            "signatures": .array([
                .object(["protected": .string(rs.encodedProtectedHeader), "header": .object(["kid": .string("rsa")]), "signature": .string(Base64URL.encode(rsSignature))]),
                .object(["protected": .string(Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))), "signature": .string("AAAA")]),
                .object(["protected": .string(es.encodedProtectedHeader), "header": .object(["kid": .string("ec")]), "signature": .string(Base64URL.encode(esSignature))]),
            ]),
        ])
        let store = try TrustStore([
            TrustedKey(id: "rsa", publicKey: JOSETestKeys.publicKey(of: JOSETestKeys.privateKey(for: .rs512))),
            TrustedKey(id: "ec", publicKey: JOSETestKeys.publicKey(of: JOSETestKeys.privateKey(for: .es384))),
        ])
        let jws = try JWS(serialization: JOSEJSONWriter.data(document))
        #expect(jws.serialization == .generalJSON && jws.signatures.count == 3)
        let verified = try jws.verify(using: store)
        #expect(verified.signatureIndex == 2 && verified.keyID == "ec" && verified.verifiedSignatureIndices == [2])
        guard case .invalid = verified.statuses[0], case .refused(let error) = verified.statuses[1] else {
            Issue.record("statuses: \(verified.statuses)")
            return
        }
        #expect(error.code == .unknownAlgorithm)
        // Without the EC key, nothing verifies: the whole JWS is invalid, and says why for each.
        let rsaOnly = try TrustStore([store.keys[0]])
        let message = JOSETestKeys.errorMessage { _ = try jws.verify(using: rsaOnly) }
        #expect(message?.contains("signature 0") == true && message?.contains("signature 2") == true, "\(message ?? "")")
    }
}
