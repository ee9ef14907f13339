import Foundation
import Sigil
import SigilTestSupport
import Testing

/// `sigil sign --format` through a running key holder, every format × a key of each kind,
/// each result verified offline by `sigil verify --trust` with the PEM `public-key get`
/// wrote: the signed-package flow and the token flow end to end.
@Suite("sigil sign --format: envelopes signed through the key holder, verified offline", .serialized)
struct EnvelopeSignCommandTests {
    static let keys: [(spec: String, algorithm: String)] = [
        ("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"), ("RSA_2048", "RSASSA_PSS_SHA_256"),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"), ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
    ]

    @Test func everyFormatSignedThroughTheKeyHolderVerifiesOfflineAndATamperedOneDoesNot() async throws {
        let server = try await KeyHolderServer()
        defer { server.stop() }
        // More than a read buffer: the bundle's artifact is streamed, the others read whole.
        let artifact = TestSupport.randomMessage(lengths: 300_000...300_000)
        let statement = Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"\#(TestSupport.hex(try HashFunction.sha256.hash(artifact)))"}}],"predicateType":"https://example.com/p/v1","predicate":{}}"#.utf8)
        let claims = #"{"iss":"sigil-test","aud":"api","exp":\#(Int(Date().timeIntervalSince1970) + 600)}"#
        var verified: [String: Int] = [:]
        for (spec, algorithm) in Self.keys {
            let metadata = try await KeyHolderCommandTests.createKey(server, ["--key-spec", spec, "--key-usage", "SIGN_VERIFY"])
            let arn = KeyHolderCommandTests.arn(metadata)
            let tag = "\(spec)-\(algorithm)"
            let pem = server.path("\(tag).pem")
            await #expect(try server.sigil(["public-key", "get", "--key-id", arn, "-o", pem]).status == 0)
            let publicKey = try PublicKey(pemRepresentation: String(contentsOfFile: pem, encoding: .utf8))
            let keyID = try JWK.thumbprint(of: publicKey)

            let artifactPath = try server.write("\(tag).tar", artifact)
            let statementPath = try server.write("\(tag).intoto.json", statement)
            let claimsPath = try server.write("\(tag).claims.json", Array(claims.utf8))
            let formats: [(format: String, sign: [String], verify: [String], output: String)] = [
                ("dsse", [statementPath], ["--artifact", artifactPath], statementPath + ".dsse.json"),
                ("sigstore-bundle", [artifactPath], ["--artifact", artifactPath], artifactPath + ".sigstore.json"),
                ("jws", [artifactPath], [], artifactPath + ".jws"),
                ("jwt", ["--claims", claimsPath, "-o", server.path("\(tag).jwt")], ["--issuer", "sigil-test", "--audience", "api"], server.path("\(tag).jwt")),
                ("cose", [artifactPath, "--payload-type", "application/x-tar"], [], artifactPath + ".cose"),
            ]
            for (format, signArguments, verifyArguments, output) in formats {
                let signed = try await server.sigil(["sign", "--format", format, "--key-id", arn, "--algorithm", algorithm] + signArguments)
                #expect(signed.status == 0, "\(tag) \(format): \(signed.stderrText)")
                let result = try await server.sigil(["verify", "--trust", pem, "--output", "json"] + verifyArguments + [output])
                #expect(result.status == 0, "\(tag) \(format): \(result.stdoutText) \(result.stderrText)")
                let json = try? JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
                #expect(json?["keyIds"] as? [String] == [keyID], "\(tag) \(format): the envelope names the key by its thumbprint")
                #expect(json?["format"] as? String == format)
                if result.status == 0 { verified[format, default: 0] += 1 }

                // Another key's PEM does not verify it.
                let other = server.path("other.pem")
                if !FileManager.default.fileExists(atPath: other) {
                    let otherKey = try await KeyHolderCommandTests.createKey(server, ["--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"])
                    await #expect(try server.sigil(["public-key", "get", "--key-id", KeyHolderCommandTests.arn(otherKey), "-o", other]).status == 0)
                }
                let stranger = try await server.sigil(["verify", "--trust", other] + verifyArguments + [output])
                #expect(stranger.status == 1, "\(tag) \(format): \(stranger.stdoutText) \(stranger.stderrText)")
            }
            // The artifact changed after signing: the bundle and the in-toto subject no longer match.
            var changed = artifact
            changed[changed.count / 2] ^= 1
            let changedPath = try server.write("\(tag)-changed.tar", changed)
            for (format, envelope) in [("sigstore-bundle", artifactPath + ".sigstore.json"), ("dsse", statementPath + ".dsse.json")] {
                let result = try await server.sigil(["verify", "--trust", pem, "--artifact", changedPath, envelope])
                #expect(result.status == 1, "\(tag) \(format) with a changed artifact: \(result.stdoutText) \(result.stderrText)")
            }
        }
        print("sigil sign --format: verified offline per format: \(verified.sorted { $0.key < $1.key })")
        #expect(verified.values.allSatisfy { $0 == Self.keys.count } && verified.count == 5, "\(verified)")
    }

    @Test func aJWKSExportedFromTheKeyHolderVerifiesTokensSignedThroughIt() async throws {
        let server = try await KeyHolderServer()
        defer { server.stop() }
        let ecc = await KeyHolderCommandTests.arn(try KeyHolderCommandTests.createKey(server, ["--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"]))
        let rsa = await KeyHolderCommandTests.arn(try KeyHolderCommandTests.createKey(server, ["--key-spec", "RSA_2048", "--key-usage", "SIGN_VERIFY"]))
        let jwks = server.path("keys.jwks")
        let exported = try await server.sigil(["public-key", "export", "--key-id", ecc, "--key-id", rsa, "--key-id", ecc, "-o", jwks])
        #expect(exported.status == 0, "\(exported.stderrText)")
        let set = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jwks))) as? [String: Any])
        let keys = try #require(set["keys"] as? [[String: Any]])
        #expect(keys.count == 2, "the key named twice is written once: \(keys)")
        #expect(keys.first?["alg"] as? String == "ES256" && keys.first?["kty"] as? String == "EC")
        #expect(keys.last?["alg"] == nil && keys.last?["kty"] as? String == "RSA", "an RSA key signs RS* and PS*: no alg")
        #expect(keys.allSatisfy { $0["use"] as? String == "sig" && $0["d"] == nil })

        let claims = try server.write("claims.json", Array(#"{"sub":"device-7"}"#.utf8))
        for (arn, algorithm) in [(ecc, "ECDSA_SHA_256"), (rsa, "RSASSA_PSS_SHA_256"), (rsa, "RSASSA_PKCS1_V1_5_SHA_256")] {
            let token = server.path("\(algorithm).jwt")
            let signed = try await server.sigil(["sign", "--format", "jwt", "--claims", claims, "--key-id", arn, "--algorithm", algorithm, "-o", token])
            #expect(signed.status == 0, "\(signed.stderrText)")
            let verified = try await server.sigil(["verify", "--trust", jwks, "--output", "json", token])
            #expect(verified.status == 0, "\(algorithm): \(verified.stdoutText) \(verified.stderrText)")
            let json = try? JSONSerialization.jsonObject(with: verified.standardOutput) as? [String: Any]
            #expect((json?["claims"] as? [String: Any])?["sub"] as? String == "device-7", "\(String(describing: json))")
        }

        // PEM files in, one PEM file out, that verifies the same tokens.
        let eccPEM = server.path("ecc.pem")
        await #expect(try server.sigil(["public-key", "get", "--key-id", ecc, "-o", eccPEM]).status == 0)
        let bundle = server.path("all.pem")
        await #expect(try server.sigil(["public-key", "export", "--format", "pem", eccPEM, "-o", bundle]).status == 0)
        await #expect(try server.sigil(["verify", "--trust", bundle, server.path("ECDSA_SHA_256.jwt")]).status == 0)
        let both = try await server.sigil(["public-key", "export", "--key-id", ecc, eccPEM])
        #expect(both.status == 2, "\(both.stderrText)")
    }

    @Test func usageErrorsExitTwoAndWriteNothing() async throws {
        let server = try await KeyHolderServer()
        defer { server.stop() }
        let metadata = try await KeyHolderCommandTests.createKey(server, ["--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"])
        let arn = KeyHolderCommandTests.arn(metadata)
        let input = try server.write("input", Array("x".utf8))
        let cases: [([String], String)] = [
            (["--format", "jwt", input], "--claims"),
            (["--format", "jwt"], "--claims"),
            (["--format", "sigstore-bundle", "--payload-type", "x", input], "--payload-type"),
            (["--format", "dsse", "--claims", input, input], "--claims"),
            (["--format", "jws", "-"], "-o FILE"),
        ]
        for (arguments, expected) in cases {
            let result = try await server.sigil(["sign", "--key-id", arn, "--algorithm", "ECDSA_SHA_256"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderrText)")
            #expect(result.stderrText.contains(expected), "\(arguments): \(result.stderrText)")
        }
        let written = try FileManager.default.contentsOfDirectory(atPath: server.path(".")).filter { $0.hasPrefix("input.") }
        #expect(written.isEmpty, "\(written)")
    }
}
