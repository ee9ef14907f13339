import Foundation
import Sigil
import SigilTestSupport
import Testing

/// `sigil verify` on envelopes: the format detected, `valid`/`invalid`/exit 2, the payload
/// released only once verified, the trust store from a PEM file, a JWKS or a folder.
@Suite struct EnvelopeVerifyCommandTests {
    /// A throwaway P-256 key, its PEM file and the id envelopes name it by (its JWK thumbprint).
    struct Signer {
        let privateKey: AsymmetricPrivateKey
        let publicKey: PublicKey
        let keyID: String
        let pemPath: String

        init(_ cli: CLIFixture, name: String = "signer") throws {
            privateKey = try AsymmetricPrivateKey(generating: .eccNistP256)
            publicKey = try PublicKey(derRepresentation: privateKey.publicKey.derRepresentation)
            keyID = try JWK.thumbprint(of: publicKey)
            pemPath = try cli.write("\(name).pem", Array(publicKey.pemRepresentation.utf8))
        }

        /// A DER ECDSA signature over `message`'s SHA-256, as the key holder returns it.
        func sign(_ message: [UInt8]) throws -> [UInt8] {
            try privateKey.signature(forDigest: HashFunction.sha256.hash(message), scheme: .ecdsa(hash: .sha256))
        }
    }

    static let statement = Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"HEX"}}],"predicateType":"https://example.com/p/v1","predicate":{}}"#.utf8)

    static func dsse(_ signer: Signer, payload: [UInt8], type: String = "application/vnd.in-toto+json") throws -> [UInt8] {
        let signature = try signer.sign(DSSEEnvelope.preAuthenticationEncoding(payloadType: type, payload: payload))
        return try DSSEEnvelope(payloadType: type, payload: payload, signatures: [.init(keyID: signer.keyID, signature: signature)])
            .jsonRepresentation
    }

    static func jwt(_ signer: Signer, claims: String) throws -> [UInt8] {
        let input = try JWT.signingInput(claims: Array(claims.utf8), algorithm: .es256, keyID: signer.keyID)
        let signature = try signer.privateKey.signature(forDigest: input.digest(), scheme: .ecdsa(hash: .sha256))
        return Array(try input.compactSerialization(kmsSignature: signature).utf8)
    }

    static func cose(_ signer: Signer, payload: [UInt8]) throws -> [UInt8] {
        let builder = try COSESign1Builder(algorithm: .es256, keyID: signer.keyID, payload: payload)
        return try builder.message(signature: signer.sign(builder.toBeSigned))
    }

    static func bundle(_ signer: Signer, artifact: [UInt8]) throws -> [UInt8] {
        try SigstoreBundle(
            messageSignature: signer.sign(artifact), digest: HashFunction.sha256.hash(artifact),
            digestAlgorithm: .sha256, publicKeyHint: signer.keyID
        ).jsonRepresentation
    }

    @Test func detectsAndVerifiesEachFormatWithThePublicKeyAndReleasesThePayloadOnlyWhenValid() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let signer = try Signer(cli)
        let artifact = Array("the release".utf8)
        let artifactPath = try cli.write("app", artifact)
        let payload = Array("a device reading".utf8)
        let claims = #"{"iss":"https://issuer.example","aud":"api","exp":\#(Int(Date().timeIntervalSince1970) + 600)}"#
        let envelopes: [(String, [UInt8], [String], [UInt8])] = [
            ("dsse", try Self.dsse(signer, payload: payload, type: "text/plain"), [], payload),
            ("jwt", try Self.jwt(signer, claims: claims), ["--issuer", "https://issuer.example", "--audience", "api"], Array(claims.utf8)),
            ("cose", try Self.cose(signer, payload: payload), [], payload),
            ("sigstore-bundle", try Self.bundle(signer, artifact: artifact), ["--artifact", artifactPath], []),
        ]
        for (format, envelope, options, expectedPayload) in envelopes {
            let path = try cli.write("envelope.\(format)", envelope)
            let out = cli.folder.appendingPathComponent("payload.\(format)").path
            let result = try await cli.run(["verify", "--public-key", signer.pemPath, "--output", "json", "--payload-out", out] + options + [path])
            #expect(result.status == 0, "\(format): \(result.stdoutText) \(result.stderrText)")
            let json = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any], "\(format)")
            #expect(json["result"] as? String == "valid")
            #expect(json["format"] as? String == format)
            #expect(json["keyIds"] as? [String] == [signer.keyID], "\(format): \(json)")
            if format == "sigstore-bundle" {
                #expect((json["notices"] as? [String])?.first?.contains("were NOT verified") == true, "\(json)")
            } else {
                #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == expectedPayload, "\(format)")
            }

            // The signature changed: refused (invalid, or malformed once decoded), no payload written.
            var tampered = envelope
            let position = format == "cose" ? tampered.count - 1 : (format == "jwt" ? tampered.count - 2 : Self.signatureByte(in: tampered))
            tampered[position] = format == "cose" ? tampered[position] ^ 0x01 : Self.otherBase64Letter(tampered[position])
            let tamperedPath = try cli.write("tampered.\(format)", tampered)
            let tamperedOut = cli.folder.appendingPathComponent("tampered-payload.\(format)").path
            let refused = try await cli.run(["verify", "--public-key", signer.pemPath, "--payload-out", tamperedOut] + options + [tamperedPath])
            #expect(refused.status == 1 || refused.status == 2, "\(format): \(refused.stdoutText) \(refused.stderrText)")
            #expect(refused.status != 0)
            #expect(!FileManager.default.fileExists(atPath: tamperedOut), "\(format): a payload was released from a tampered envelope")
        }
    }

    /// A byte inside the first `sig`/`signature` value of a JSON envelope.
    static func signatureByte(in json: [UInt8]) -> Int {
        let text = String(decoding: json, as: UTF8.self)
        for name in ["\"sig\"", "\"signature\""] {
            guard let member = text.range(of: name),
                  let colon = text[member.upperBound...].firstIndex(of: ":"),
                  let quote = text[colon...].firstIndex(of: "\"")
            else { continue }
            return text.utf8.distance(from: text.utf8.startIndex, to: quote) + 5
        }
        return json.count / 2
    }

    /// Another letter of the base64 alphabets in place of `byte`.
    static func otherBase64Letter(_ byte: UInt8) -> UInt8 {
        byte == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    }

    @Test func anUntrustedSignerIsInvalidAndTheTrustStoreComesFromAJWKSOrAFolder() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let trusted = try Signer(cli, name: "trusted")
        let stranger = try Signer(cli, name: "stranger")
        let folder = cli.folder.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: trusted.pemPath, toPath: folder.appendingPathComponent("trusted.pem").path)
        let jwks = try cli.write("trusted.jwks", JWKSet(trustStore: TrustStore(publicKeys: [trusted.publicKey])).jsonRepresentation)

        let good = try cli.write("good.json", Self.dsse(trusted, payload: Self.statement))
        let foreign = try cli.write("foreign.json", Self.dsse(stranger, payload: Self.statement))
        for trust in [folder.path, jwks, trusted.pemPath] {
            #expect(try await cli.run(["verify", "--trust", trust, good]).status == 0, "\(trust)")
            let result = try await cli.run(["verify", "--trust", trust, foreign])
            #expect(result.status == 1, "\(trust): \(result.stderrText)")
            #expect(result.stdoutText == "invalid\n")
        }
        // Two distinct keys are needed; one signed.
        let threshold = try await cli.run(["verify", "--trust", folder.path, "--threshold", "2", good])
        #expect(threshold.status == 2 || threshold.status == 1, "\(threshold.stderrText)")
    }

    @Test func aJWTPastItsExpiryOrForAnotherAudienceIsInvalid() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let signer = try Signer(cli)
        let expired = try cli.write("expired.jwt", Self.jwt(signer, claims: #"{"aud":"api","exp":1000}"#))
        let result = try await cli.run(["verify", "--public-key", signer.pemPath, expired])
        #expect(result.status == 1 && result.stdoutText == "invalid\n", "\(result.stderrText)")
        #expect(result.stderrText.contains("exp"), "\(result.stderrText)")
        let current = try cli.write("current.jwt", Self.jwt(signer, claims: #"{"aud":"api","exp":\#(Int(Date().timeIntervalSince1970) + 600)}"#))
        #expect(try await cli.run(["verify", "--public-key", signer.pemPath, "--audience", "api", current]).status == 0)
        let other = try await cli.run(["verify", "--public-key", signer.pemPath, "--audience", "billing", current])
        #expect(other.status == 1, "\(other.stderrText)")
    }

    @Test func inputItCannotCheckExitsTwoWithAReason() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let signer = try Signer(cli)
        let cases: [(String, [UInt8], [String], String)] = [
            ("garbage", Array("not an envelope at all".utf8), [], "--format"),
            ("unknown-json", Array(#"{"hello":"world"}"#.utf8), [], "cannot tell"),
            ("none.jwt", Array("eyJhbGciOiJub25lIn0.eyJhIjoxfQ.".utf8), ["--format", "jws"], "unsigned"),
            ("dsse-with-issuer", try Self.dsse(signer, payload: Self.statement), ["--issuer", "x"], "--issuer"),
        ]
        for (name, bytes, options, expected) in cases {
            let path = try cli.write(name, bytes)
            let result = try await cli.run(["verify", "--public-key", signer.pemPath] + options + [path])
            #expect(result.status == 2, "\(name): \(result.stdoutText) \(result.stderrText)")
            #expect(result.stderrText.contains(expected), "\(name): \(result.stderrText)")
            #expect(result.stdoutText.isEmpty, "\(name)")
        }
        let neither = try await cli.run(["verify", try cli.write("e.json", Self.dsse(signer, payload: Self.statement))])
        #expect(neither.status == 2 && neither.stderrText.contains("--trust"), "\(neither.stderrText)")
    }
}
