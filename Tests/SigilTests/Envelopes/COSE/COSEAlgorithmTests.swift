import Sigil
import SigilTestSupport
import Testing

/// The COSE algorithm table: identifiers, names, KMS algorithms and curves.
@Suite struct COSEAlgorithmTests {
    @Test func mapsEachIdentifierToItsKMSAlgorithmAndCurve() throws {
        let expected: [(Int, String, SigningAlgorithm, ECCurve?)] = [
            (-7, "ES256", .ecdsaSHA256, .p256), (-35, "ES384", .ecdsaSHA384, .p384), (-36, "ES512", .ecdsaSHA512, .p521),
            (-47, "ES256K", .ecdsaSHA256, .secp256k1), (-37, "PS256", .rsassaPSSSHA256, nil),
            (-38, "PS384", .rsassaPSSSHA384, nil), (-39, "PS512", .rsassaPSSSHA512, nil),
            (-257, "RS256", .rsassaPKCS1V1_5SHA256, nil), (-258, "RS384", .rsassaPKCS1V1_5SHA384, nil),
            (-259, "RS512", .rsassaPKCS1V1_5SHA512, nil),
        ]
        #expect(COSEAlgorithm.all.count == expected.count)
        for (identifier, name, signingAlgorithm, curve) in expected {
            let algorithm = try COSEAlgorithm(identifier: identifier)
            #expect(algorithm.name == name)
            #expect(algorithm.signingAlgorithm == signingAlgorithm)
            #expect(algorithm.curve == curve)
            #expect(try COSEAlgorithm(name: name) == algorithm)
        }
    }

    @Test(arguments: [-8, -6, 0, 5, -65535, -260, Int.min])
    func refusesIdentifiersOutsideTheTable(identifier: Int) {
        let error = #expect(throws: SigilError.self) { try COSEAlgorithm(identifier: identifier) }
        #expect(error?.code == .unknownAlgorithm)
        #expect(error?.message.contains("-7 ES256") == true, "the message lists the known algorithms")
    }

    @Test func findsTheCOSEAlgorithmForAKMSAlgorithmAndKeySpec() {
        #expect(COSEAlgorithm(signingAlgorithm: .ecdsaSHA256, keySpec: .eccNistP256) == .es256)
        #expect(COSEAlgorithm(signingAlgorithm: .ecdsaSHA256, keySpec: .eccSecgP256k1) == .es256K)
        #expect(COSEAlgorithm(signingAlgorithm: .ecdsaSHA512, keySpec: .eccNistP521) == .es512)
        #expect(COSEAlgorithm(signingAlgorithm: .rsassaPSSSHA384, keySpec: .rsa3072) == .ps384)
        #expect(COSEAlgorithm(signingAlgorithm: .ecdsaSHA512, keySpec: .eccNistP256) == nil)
        #expect(COSEAlgorithm(signingAlgorithm: .rsassaPSSSHA256, keySpec: .eccNistP256) == nil)
    }

    @Test func suitsOnlyKeysOnTheRequiredCurve() throws {
        let p256 = try PublicKey(TestSupport.privateKey(.eccNistP256).publicKey)
        let secp256k1 = try PublicKey(TestSupport.privateKey(.eccSecgP256k1).publicKey)
        let rsa = try PublicKey(TestSupport.privateKey(.rsa2048).publicKey)
        #expect(COSEAlgorithm.es256.suits(p256) && !COSEAlgorithm.es256.suits(secp256k1))
        #expect(COSEAlgorithm.es256K.suits(secp256k1) && !COSEAlgorithm.es256K.suits(p256))
        #expect(COSEAlgorithm.ps512.suits(rsa) && !COSEAlgorithm.ps512.suits(p256) && !COSEAlgorithm.es256.suits(rsa))
    }
}
