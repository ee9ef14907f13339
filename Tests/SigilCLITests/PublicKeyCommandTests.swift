import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct PublicKeyCommandTests {
    @Test(arguments: KeySpec.allAsymmetric)
    func inspectNamesTheKeySpecFingerprintAndAlgorithms(spec: KeySpec) async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let publicKey = try TestSupport.privateKey(spec).publicKey
        let key = try PublicKey(publicKey)
        let der = try cli.write("key.der", publicKey.derRepresentation)
        let pem = try cli.write("key.pem", Array(publicKey.pemRepresentation.utf8))
        for file in [der, pem] {
            let text = try await cli.run(["public-key", "inspect", file])
            #expect(text.status == 0)
            #expect(text.stdoutText.contains("Key spec:     \(spec.kmsName)\n"))
            #expect(text.stdoutText.contains("SHA256:\(key.fingerprint)"))
            let json = try await cli.run(["public-key", "inspect", "--output", "json", file])
            let object = try #require(try JSONSerialization.jsonObject(with: json.standardOutput) as? [String: Any])
            #expect(object["keySpec"] as? String == spec.kmsName)
            #expect(object["sizeInBits"] as? Int == spec.sizeInBits)
            #expect(object["signingAlgorithms"] as? [String] == key.supportedSigningAlgorithms.map(\.kmsName))
        }
    }

    @Test func inspectRefusesWhatIsNotAPublicKey() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let privatePEM = try cli.write("private.pem", Array(TestSupport.privateKey(.eccNistP256).pemRepresentation.utf8))
        let result = try await cli.run(["public-key", "inspect", privatePEM])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("expected a 'PUBLIC KEY'"))
        await #expect(try cli.run(["public-key", "inspect", cli.folder.path]).status == 2)
    }
}
