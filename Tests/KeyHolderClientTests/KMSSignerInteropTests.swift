import Foundation
import Sigil
import SigilTestSupport
import Testing

/// securesystemslib's AWS KMS signer (`AWSSigner`) and the in-toto runner, their boto3
/// client pointed at the key holder with `AWS_ENDPOINT_URL`: the DSSE envelopes and in-toto
/// links they sign through the key holder verify offline with `sigil verify`, and in-toto
/// verifies a link Sigil signed through the key holder. Driven by `tools/interop/envelopes.py`.
@Suite("securesystemslib's AWS KMS signer and in-toto through the key holder", .serialized)
struct KMSSignerInteropTests {
    static let script = TestSupport.packageRoot.appendingPathComponent("tools/interop/envelopes.py").path

    /// Every key spec and scheme both securesystemslib's AWSSigner and the key holder have.
    static let schemes: [(spec: String, algorithm: String, scheme: String)] = [
        ("ECC_NIST_P256", "ECDSA_SHA_256", "ecdsa-sha2-nistp256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384", "ecdsa-sha2-nistp384"),
        ("RSA_2048", "RSASSA_PSS_SHA_256", "rsassa-pss-sha256"),
        ("RSA_3072", "RSASSA_PSS_SHA_384", "rsassa-pss-sha384"),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "rsa-pkcs1v15-sha256"),
        ("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512", "rsa-pkcs1v15-sha512"),
    ]

    /// Runs `envelopes.py LIB OP …` with boto3 pointed at `server`; returns its exit status
    /// and the JSON line it printed.
    static func driver(_ server: KeyHolderServer, _ arguments: [String]) async throws -> (status: Int32, report: String) {
        let result = try await server.run(
            RealClientTests.python, [script] + arguments, extra: ["AWS_ENDPOINT_URL": server.endpoint])
        return (result.status, result.stdoutText + result.stderrText.suffix(1500))
    }

    @Test func envelopesSignedThroughTheKeyHolderByPythonVerifyWithSigilAndBack() async throws {
        guard try RealClientTests.venvIsAvailable() else { return }
        let server = try await KeyHolderServer()
        defer { server.stop() }
        let artifact = try server.write("app.tar", TestSupport.randomMessage(lengths: 4096...4096))
        let statement = try server.write(
            "statement.json",
            Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.tar","digest":{"sha256":"\#(TestSupport.hex(try HashFunction.sha256.hash(Array(try Data(contentsOf: URL(fileURLWithPath: artifact))))))"}}],"predicateType":"https://example.com/p/v1","predicate":{}}"#.utf8))
        var checks = 0
        for (spec, algorithm, scheme) in Self.schemes {
            let tag = "\(spec)-\(scheme)"
            let arn = KeyHolderCommandTests.arn(
                try await KeyHolderCommandTests.createKey(server, ["--key-spec", spec, "--key-usage", "SIGN_VERIFY"]))
            let pem = server.path("\(tag).pem")
            await #expect(try server.sigil(["public-key", "get", "--key-id", arn, "-o", pem]).status == 0)
            let keyID = try JWK.thumbprint(of: try PublicKey(pemRepresentation: String(contentsOfFile: pem, encoding: .utf8)))
            let kmsKeys = try server.write(
                "\(tag).kms-keys.json", Array(#"[{"kms_key_id":"\#(arn)","key_id":"\#(keyID)","scheme":"\#(scheme)"}]"#.utf8))
            let publicKeys = try server.write(
                "\(tag).keys.json", Array(#"[{"path":"\#(pem)","key_id":"\#(keyID)","scheme":"\#(scheme)"}]"#.utf8))

            // securesystemslib's AWSSigner signs a DSSE envelope through the key holder.
            let envelope = server.path("\(tag).dsse.json")
            let signed = try await Self.driver(server, ["sslib", "sign", "--keys", kmsKeys, "-o", envelope, statement])
            #expect(signed.status == 0, "\(tag): \(signed.report)")
            let verified = try await server.sigil(["verify", "--trust", pem, "--format", "dsse", "--artifact", artifact, envelope])
            #expect(verified.status == 0, "\(tag): \(verified.stdoutText) \(verified.stderrText)")
            let tampered = try server.write(
                "\(tag).tampered.dsse.json",
                Array(try String(contentsOfFile: envelope, encoding: .utf8).replacingOccurrences(of: "\"payload\": \"", with: "\"payload\": \"e30K").utf8))
            await #expect(try server.sigil(["verify", "--trust", pem, "--format", "dsse", tampered]).status == 1, "\(tag): tampered")

            // in-toto records the artifact as a step's product and signs the link through the
            // key holder; Sigil verifies it offline, and in-toto verifies it with the PEM.
            let link = server.path("\(tag).link.dsse.json")
            let ran = try await Self.driver(server, ["intoto", "run", "--keys", kmsKeys, "--name", "build", "-o", link, artifact])
            #expect(ran.status == 0, "\(tag): \(ran.report)")
            let linkVerified = try await server.sigil(["verify", "--trust", pem, "--format", "dsse", "--output", "json", link])
            #expect(linkVerified.status == 0, "\(tag): \(linkVerified.stdoutText) \(linkVerified.stderrText)")
            #expect((try? linkVerified.json())?["keyIds"] as? [String] == [keyID], "\(tag): \(linkVerified.stdoutText)")
            let linkChecked = try await Self.driver(server, ["intoto", "verify", "--keys", publicKeys, link])
            #expect(linkChecked.status == 0 && linkChecked.report.contains(#""products": ["app.tar"]"#), "\(tag): \(linkChecked.report)")

            // Sigil signs an in-toto link through the key holder; in-toto verifies it, and
            // refuses it against another key's PEM.
            let ownLink = try server.write(
                "\(tag).own-link.json",
                Array(#"{"_type":"link","name":"package","materials":{},"products":{"app.tar":{"sha256":"00"}},"byproducts":{},"command":[],"environment":{}}"#.utf8))
            let sigilSigned = try await server.sigil(["sign", "--format", "dsse", "--key-id", arn, "--algorithm", algorithm, ownLink])
            #expect(sigilSigned.status == 0, "\(tag): \(sigilSigned.stderrText)")
            let inTotoVerified = try await Self.driver(server, ["intoto", "verify", "--keys", publicKeys, ownLink + ".dsse.json"])
            #expect(inTotoVerified.status == 0 && inTotoVerified.report.contains(#""name": "package""#), "\(tag): \(inTotoVerified.report)")
            if let previous = Self.schemes.first(where: { $0.scheme != scheme }), checks > 0 {
                let otherKeys = try server.write(
                    "\(tag).other-keys.json",
                    Array(#"[{"path":"\#(server.path("\(previous.spec)-\(previous.scheme).pem"))","key_id":"\#(keyID)","scheme":"\#(previous.scheme)"}]"#.utf8))
                let wrongKey = try await Self.driver(server, ["intoto", "verify", "--keys", otherKeys, ownLink + ".dsse.json"])
                #expect(wrongKey.status == 1, "\(tag): in-toto with another key's PEM: \(wrongKey.report)")
            }
            checks += 1
        }
        print("interop securesystemslib AWSSigner and in-toto through the key holder: \(checks) key specs × 6 checks")
        #expect(checks == Self.schemes.count)
    }
}
