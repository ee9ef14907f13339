import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct KeyImportTests {
    @Test(arguments: KeySpec.allAsymmetric)
    func roundTripsEveryKeySpecThroughDERAndPEM(spec: KeySpec) throws {
        let privateKey = try TestSupport.privateKey(spec)
        let der = privateKey.publicKey.derRepresentation
        let key = try PublicKey(derRepresentation: der)
        #expect(key.keySpec == spec)
        #expect(key.sizeInBits == spec.sizeInBits)
        #expect(key.derRepresentation == der)
        let fromPEM = try PublicKey(pemRepresentation: key.pemRepresentation)
        #expect(fromPEM.derRepresentation == der)
        #expect(try PublicKey(encoded: Array(key.pemRepresentation.utf8)).derRepresentation == der)
        #expect(try PublicKey(encoded: der).derRepresentation == der)
        #expect(!key.supportedSigningAlgorithms.isEmpty)
        #expect(key.supportedSigningAlgorithms.allSatisfy { $0.isCompatible(with: spec) })
    }

    @Test(arguments: KeySpec.allAsymmetric)
    func fingerprintAndDERAgreeWithTheOpenSSLCLI(spec: KeySpec) async throws {
        let privateKey = try TestSupport.privateKey(spec)
        let pem = try privateKey.pemRepresentation
        let der = try await TestSupport.openssl(["pkey", "-pubout", "-outform", "DER"], input: Data(pem.utf8))
        let key = try PublicKey(derRepresentation: der)
        #expect(key.derRepresentation == privateKey.publicKey.derRepresentation)
        let sha = try await TestSupport.openssl(["dgst", "-sha256", "-r"], input: der)
        #expect(String(decoding: sha, as: UTF8.self).hasPrefix(key.fingerprint))
    }

    @Test(arguments: KeySpec.allAsymmetric)
    func roundTripsPrivateKeysThroughPKCS8(spec: KeySpec) throws {
        let key = try TestSupport.privateKey(spec)
        let der = try key.pkcs8DERRepresentation
        let again = try AsymmetricPrivateKey(pkcs8DERRepresentation: der)
        #expect(again.publicKey.derRepresentation == key.publicKey.derRepresentation)
        let fromPEM = try AsymmetricPrivateKey(pemRepresentation: key.pemRepresentation)
        #expect(fromPEM.publicKey.derRepresentation == key.publicKey.derRepresentation)
    }

    @Test func refusesRSAKeysUnder2048BitsUnlessAskedUnsafely() async throws {
        let small = try await rsaPublicKeyDER(bits: 1024)
        #expect(throws: SigilError(.keyTooSmall, "")) { try PublicKey(derRepresentation: small) }
        let unsafe = try AsymmetricPublicKey(unsafeDERRepresentation: small)
        #expect(unsafe.sizeInBits == 1024)
        #expect(unsafe.keySpec == nil)
    }

    @Test func acceptsRSASizesKMSDoesNotIssueWithoutAKeySpec() async throws {
        let key = try PublicKey(derRepresentation: await rsaPublicKeyDER(bits: 2560))
        #expect(key.keySpec == nil)
        #expect(key.supportedSigningAlgorithms.count == 6)
    }

    @Test(arguments: [
        ("Ed25519", ["-algorithm", "ed25519"]),
        ("X25519", ["-algorithm", "x25519"]),
        ("brainpoolP256r1", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:brainpoolP256r1"]),
        ("RSA-PSS", ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"]),
    ])
    func refusesKeyTypesSigilDoesNotSupport(name: String, generate: [String]) async throws {
        let pem = try await TestSupport.openssl(["genpkey"] + generate)
        let der = try await TestSupport.openssl(["pkey", "-pubout", "-outform", "DER"], input: pem)
        let error = #expect(throws: SigilError.self) { try PublicKey(derRepresentation: der) }
        #expect(error?.code == .unsupportedKey, "\(name): \(String(describing: error))")
    }

    @Test func refusesMalformedDER() throws {
        let der = try TestSupport.privateKey(.eccNistP256).publicKey.derRepresentation
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated", Array(der.dropLast())),
            ("trailing byte", der + [0]),
            ("garbage", Array("not a key at all".utf8)),
            ("off-curve point", TestSupport.flippingBit(der.count * 8 - 1, of: der)),
            ("BER long-form length", [0x30, 0x81, UInt8(der.count - 2)] + der.dropFirst(2)),
        ]
        for (name, bytes) in cases {
            let error = #expect(throws: SigilError.self, "\(name)") { try PublicKey(derRepresentation: bytes) }
            #expect(error?.code == .malformedKey, "\(name): \(String(describing: error))")
        }
    }

    /// The BER check rebuilds an EC key's DER from its curve and point (not OpenSSL's
    /// encoder): it must give back exactly what OpenSSL writes, compressed points included,
    /// and still refuse a BER length inside the key.
    @Test(arguments: ["P-256", "P-384", "P-521", "secp256k1"])
    func importsECKeysInBothPointFormsAndRefusesBERInside(curve: String) async throws {
        let pem = try await TestSupport.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)"])
        for form in ["uncompressed", "compressed"] {
            let der = try [UInt8](await TestSupport.openssl(["ec", "-pubout", "-outform", "DER", "-conv_form", form], input: pem))
            let key = try PublicKey(derRepresentation: der)
            #expect(key.derRepresentation == der, "\(curve) \(form)")
            // The BIT STRING's length in long form: the same key, in BER. It follows the
            // outer SEQUENCE's header and the AlgorithmIdentifier.
            let header = der[1] < 0x80 ? 2 : 3
            let bitString = header + 2 + Int(der[header + 1])
            #expect(der[bitString] == 0x03)
            if der[bitString + 1] < 0x80 {
                var ber = Array(der[..<(bitString + 1)]) + [0x81] + der[(bitString + 1)...]
                ber[header - 1] += 1  // the outer SEQUENCE grew by one byte
                let error = #expect(throws: SigilError.self, "\(curve) \(form)") { try PublicKey(derRepresentation: ber) }
                #expect(error?.code == .malformedKey)
            }
        }
    }

    @Test func refusesPEMThatIsNotAPublicKey() throws {
        let key = try TestSupport.privateKey(.eccNistP384)
        let good = key.publicKey.pemRepresentation
        let cases: [(String, String, String)] = [
            ("private key", try key.pemRepresentation, "expected a 'PUBLIC KEY'"),
            ("no END line", String(good.split(separator: "\n").dropLast().joined(separator: "\n")), "no '-----END PUBLIC KEY-----'"),
            ("bad base64", good.replacingOccurrences(of: "A", with: "*"), "base64"),
            ("no BEGIN line", "hello\n", "not PEM"),
        ]
        for (name, text, fragment) in cases {
            let error = #expect(throws: SigilError.self, "\(name)") { try PublicKey(pemRepresentation: text) }
            #expect(error?.code == .malformedKey, "\(name)")
            #expect(error?.message.contains(fragment) == true, "\(name): \(error?.message ?? "")")
        }
    }

    @Test func refusesMalformedPrivateKeys() {
        let error = #expect(throws: SigilError.self) { try AsymmetricPrivateKey(pkcs8DERRepresentation: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        #expect(error?.code == .malformedKey)
        #expect(!(error?.openSSLErrors.isEmpty ?? true), "the OpenSSL error queue is carried in the error")
    }

    private func rsaPublicKeyDER(bits: Int) async throws -> Data {
        let pem = try await TestSupport.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)"])
        return try await TestSupport.openssl(["pkey", "-pubout", "-outform", "DER"], input: pem)
    }
}
