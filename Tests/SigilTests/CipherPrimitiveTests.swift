import Foundation
import SigilCrypto
import SigilTestSupport
import Testing

@Suite struct CipherPrimitiveTests {
    /// RFC 5869 appendix A.1 (HKDF-SHA-256, basic case).
    @Test func hkdfMatchesRFC5869() throws {
        let ikm = SecureBytes([UInt8](repeating: 0x0b, count: 22))
        let salt: [UInt8] = Array(0x00...0x0c)
        let info: [UInt8] = Array(0xf0...0xf9)
        let prk = try HKDF.extract(hash: .sha256, salt: salt, inputKeyMaterial: ikm)
        #expect(TestSupport.hex(prk.unsafeBytes) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let okm = try HKDF.expand(hash: .sha256, pseudoRandomKey: prk, info: info, outputByteCount: 42)
        #expect(TestSupport.hex(okm.unsafeBytes)
            == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        #expect(throws: SigilError(.invalidArgument, "")) {
            try HKDF.expand(hash: .sha256, pseudoRandomKey: prk, info: info, outputByteCount: 255 * 32 + 1)
        }
    }

    @Test func aesGCMRoundTripsAndRefusesEveryAlteration() throws {
        let key = try SecureBytes(randomCount: 32)
        let nonce = try SecureRandom.bytes(count: 12)
        let aad = Array("header".utf8)
        for length in [0, 1, 15, 16, 17, 4096, 100_000] {
            let plaintext = TestSupport.randomMessage(lengths: length...length)
            let (ciphertext, tag) = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
            #expect(ciphertext.count == length && tag.count == 16)
            #expect(try AESGCM.open(ciphertext, tag: tag, key: key, nonce: nonce, authenticating: aad) == plaintext)
            var alterations: [([UInt8], [UInt8], [UInt8], [UInt8])] = [
                (ciphertext, TestSupport.flippingBit(9, of: tag), nonce, aad),
                (ciphertext, tag, TestSupport.flippingBit(0, of: nonce), aad),
                (ciphertext, tag, nonce, aad + [0]),
            ]
            if length > 0 { alterations.append((TestSupport.flippingBit(length * 4, of: ciphertext), tag, nonce, aad)) }
            for (c, t, n, a) in alterations {
                #expect(throws: SigilError(.authenticationFailure, "")) {
                    try AESGCM.open(c, tag: t, key: key, nonce: n, authenticating: a)
                }
            }
        }
        #expect(throws: SigilError(.invalidArgument, "")) {
            try AESGCM.seal([1], key: SecureBytes([1, 2, 3]), nonce: nonce, authenticating: aad)
        }
    }

    @Test(arguments: [RSAEncryptionPadding.oaepSHA1, .oaepSHA256, .oaepSHA384, .oaepSHA512])
    func oaepRoundTripsUpToItsLimitAndNoFurther(padding: RSAEncryptionPadding) throws {
        let key = try TestSupport.privateKey(.rsa2048)
        let limit = padding.maximumPlaintextLength(modulusBytes: 256)
        for length in [0, 32, limit] {
            let plaintext = TestSupport.randomMessage(lengths: length...length)
            let ciphertext = try key.publicKey.encrypt(plaintext, padding: padding)
            #expect(ciphertext.count == 256)
            #expect(try key.decrypt(ciphertext, padding: padding).unsafeBytes == plaintext)
            #expect(throws: SigilError(.decryptionFailure, "")) {
                try key.decrypt(TestSupport.flippingBit(100, of: ciphertext), padding: padding)
            }
        }
        #expect(throws: SigilError(.invalidArgument, "")) {
            try key.publicKey.encrypt([UInt8](repeating: 1, count: limit + 1), padding: padding)
        }
    }

    @Test func oaepRefusesTheWrongPaddingAndPKCS1Encryption() throws {
        let key = try TestSupport.privateKey(.rsa2048)
        let ciphertext = try key.publicKey.encrypt([1, 2, 3], padding: .oaepSHA256)
        #expect(throws: SigilError(.decryptionFailure, "")) { try key.decrypt(ciphertext, padding: .oaepSHA1) }
        #expect(throws: SigilError(.invalidArgument, "")) { try key.publicKey.encrypt([1], padding: .insecurePKCS1v1_5) }
        #expect(throws: SigilError(.algorithmKeyMismatch, "")) {
            try TestSupport.privateKey(.eccNistP256).publicKey.encrypt([1], padding: .oaepSHA256)
        }
    }

    @Test(arguments: ECCurve.all)
    func compressedPointsRoundTrip(curve: ECCurve) throws {
        let spec = try #require(KeySpec.allAsymmetric.first { $0.curve == curve })
        let key = try TestSupport.privateKey(spec).publicKey
        let point = try key.compressedPoint
        #expect(point.count == 1 + curve.coordinateSize)
        let again = try AsymmetricPublicKey(ecPoint: point, curve: curve)
        #expect(try again.compressedPoint == point)
        #expect(throws: SigilError.self) { try AsymmetricPublicKey(ecPoint: [0x02] + [UInt8](repeating: 0xff, count: curve.coordinateSize), curve: curve) }
    }

    @Test func secureBytesCompareInConstantTimeAndNeverPrintTheirBytes() throws {
        let secret = SecureBytes([1, 2, 3])
        #expect(secret == SecureBytes([1, 2, 3]))
        #expect(secret != SecureBytes([1, 2, 4]))
        #expect(secret != SecureBytes([1, 2]))
        #expect("\(secret)" == "SecureBytes(3 bytes)")
        #expect(SecureBytes([]).count == 0)
    }
}
