import Foundation
@testable import SigilCrypto
import SigilTestSupport
import Testing

/// P-256 with SHA-256 verifies through swift-crypto (BoringSSL); the Wycheproof P-256
/// files hold it to the published verdicts. This holds that the path is the one taken for
/// P-256 keys only, and that its verdicts are OpenSSL's, case by case.
@Suite struct P256VerificationTests {
    @Test("P-256 keys, and only they, verify through swift-crypto, with openssl's verdicts")
    func p256KeysUseSwiftCrypto() async throws {
        let privateKey = try AsymmetricPrivateKey(generating: .eccNistP256)
        let key = try AsymmetricPublicKey(derRepresentation: privateKey.publicKey.derRepresentation)
        let verifier = try #require(key.p256)
        #expect(try AsymmetricPrivateKey(generating: .eccNistP384).publicKey.p256 == nil)
        #expect(try AsymmetricPrivateKey(generating: .eccSecgP256k1).publicKey.p256 == nil)

        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem")
        try Data(key.pemRepresentation.utf8).write(to: keyFile)
        for index in 0..<8 {
            let digest = try HashFunction.sha256.hash(Array("message \(index)".utf8))
            var signature = try privateKey.signature(forDigest: digest, scheme: .ecdsa(hash: .sha256))
            // Even cases as signed; odd ones with the signature's last byte changed.
            if index % 2 == 1 { signature[signature.count - 1] ^= 0x01 }
            let swiftCrypto = signature.withUnsafeBytes { signature in
                digest.withUnsafeBytes { verifier.isValidSignature(signature, forSHA256Digest: $0) }
            }
            let sigil = try key.isValidSignature(signature, forDigest: digest, scheme: .ecdsa(hash: .sha256))
            let signatureFile = directory.appendingPathComponent("signature-\(index).der")
            let digestFile = directory.appendingPathComponent("digest-\(index).bin")
            try Data(signature).write(to: signatureFile)
            try Data(digest).write(to: digestFile)
            let openssl = try await TestSupport.run("openssl", [
                "pkeyutl", "-verify", "-pubin", "-inkey", keyFile.path, "-in", digestFile.path, "-sigfile", signatureFile.path,
            ])
            #expect(swiftCrypto == (index % 2 == 0), "case \(index)")
            #expect(sigil == swiftCrypto && (openssl.status == 0) == swiftCrypto, "case \(index): openssl \(openssl.stderrText)")
        }
    }
}
