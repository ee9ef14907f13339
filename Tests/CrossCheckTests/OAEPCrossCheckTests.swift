import GnuTLSCheck
import SigilCrypto
import Testing

/// SigilCrypto's RSA-OAEP (OpenSSL) against OAEP written from RFC 8017 on nettle's raw
/// RSA: each decrypts what the other encrypts, both refuse a flipped bit, and the length
/// limit is KMS's.
@Suite("RSA-OAEP: SigilCrypto and RFC 8017 on nettle agree")
struct OAEPCrossCheckTests {
    /// Plaintexts per key and hash, in each direction.
    static let plaintextCount = 32

    /// KMS's OAEP plaintext limits: (SHA-1, SHA-256) per key spec.
    static let kmsLimits: [String: (sha1: Int, sha256: Int)] = [
        "RSA_2048": (214, 190), "RSA_3072": (342, 318), "RSA_4096": (470, 446),
    ]

    @Test("SigilCrypto and nettle OAEP decrypt each other, SHA-1 and SHA-256",
          arguments: [KeySpec.rsa2048, .rsa3072, .rsa4096])
    func sigilAndNettleOAEPDecryptEachOther(_ spec: KeySpec) throws {
        let sigilKey = try AsymmetricPrivateKey(generating: spec)
        let nettleKey = try NettleRSAPrivateKey(pkcs8DERRepresentation: sigilKey.pkcs8DERRepresentation)
        let nettlePublicKey = try NettleRSAPublicKey(derRepresentation: sigilKey.publicKey.derRepresentation)
        let k = spec.sizeInBits / 8
        #expect(nettleKey.modulusByteCount == k && nettlePublicKey.modulusByteCount == k)

        for (hash, otherHash) in [(HashFunction.sha1, HashFunction.sha256), (.sha256, .sha1)] {
            let padding = RSAEncryptionPadding.oaep(hash: hash)
            let oaep = RFC8017OAEP(hash: GnuTLSDigest(hash))
            let wrongHash = RFC8017OAEP(hash: GnuTLSDigest(otherHash))
            let limit = oaep.maximumMessageLength(modulusByteCount: k)
            let kmsLimit = hash == .sha1 ? Self.kmsLimits[spec.kmsName]?.sha1 : Self.kmsLimits[spec.kmsName]?.sha256
            #expect(limit == kmsLimit && padding.maximumPlaintextLength(modulusBytes: k) == limit)

            var sigilToNettle = CheckCounter()
            var nettleToSigil = CheckCounter()
            var tampered = CheckCounter()

            for index in 0..<Self.plaintextCount {
                let plaintext = try randomBytes(sampledLength(index: index, in: 0...limit))

                // SigilCrypto encrypts; nettle decrypts with RFC 8017 §7.1.2.
                let sigilCiphertext = try sigilKey.publicKey.encrypt(plaintext, padding: padding)
                #expect(sigilCiphertext.count == k)
                let byNettle = try oaep.decrypt(sigilCiphertext, with: nettleKey)
                #expect(byNettle == plaintext, "\(hash) \(index): nettle cannot decrypt SigilCrypto's ciphertext")
                sigilToNettle.record(byNettle == plaintext)

                // nettle encrypts with RFC 8017 §7.1.1; SigilCrypto decrypts.
                let nettleCiphertext = try oaep.encrypt(plaintext, to: nettlePublicKey)
                #expect(nettleCiphertext.count == k)
                let bySigil = try sigilKey.decrypt(nettleCiphertext, padding: padding).unsafeBytes
                #expect(bySigil == plaintext, "\(hash) \(index): SigilCrypto cannot decrypt nettle's ciphertext")
                nettleToSigil.record(bySigil == plaintext)

                // A flipped bit, in either side's ciphertext, is refused by both.
                for ciphertext in [sigilCiphertext, nettleCiphertext] {
                    let flipped = RandomInput.flippingOneBit(ciphertext)
                    let nettleRefused = try oaep.decrypt(flipped, with: nettleKey) == nil
                    let sigilRefused = sigilFails(with: .decryptionFailure) {
                        _ = try sigilKey.decrypt(flipped, padding: padding)
                    }
                    #expect(nettleRefused && sigilRefused, "\(hash) \(index): a flipped bit was accepted")
                    tampered.record(nettleRefused)
                    tampered.record(sigilRefused)
                }
                // The other hash is refused by both.
                let nettleWrongHash = try wrongHash.decrypt(sigilCiphertext, with: nettleKey) == nil
                let sigilWrongHash = sigilFails(with: .decryptionFailure) {
                    _ = try sigilKey.decrypt(nettleCiphertext, padding: .oaep(hash: otherHash))
                }
                #expect(nettleWrongHash && sigilWrongHash, "\(hash) \(index): decrypted with \(otherHash)")
                tampered.record(nettleWrongHash)
                tampered.record(sigilWrongHash)
            }

            // One byte over the limit: SigilCrypto refuses, and so does the RFC 8017 encoder.
            let tooLong = try randomBytes(limit + 1)
            let sigilRefusesTooLong = sigilFails(with: .invalidArgument) {
                _ = try sigilKey.publicKey.encrypt(tooLong, padding: padding)
            }
            #expect(sigilRefusesTooLong, "SigilCrypto encrypted \(limit + 1) bytes with \(padding)")
            #expect(throws: GnuTLSError.self) { _ = try oaep.encrypt(tooLong, to: nettlePublicKey) }

            print("crosscheck rsa-oaep-\(hash) \(spec.kmsName) (limit \(limit) bytes): "
                  + "\(sigilToNettle.summary) sigil->nettle, \(nettleToSigil.summary) nettle->sigil, "
                  + "\(tampered.summary) tampered or wrong-hash refused, "
                  + "\(limit + 1) bytes refused by sigil: \(sigilRefusesTooLong)")
            #expect(sigilToNettle.tried == Self.plaintextCount && sigilToNettle.allHeld)
            #expect(nettleToSigil.tried == Self.plaintextCount && nettleToSigil.allHeld)
            #expect(tampered.tried == 6 * Self.plaintextCount && tampered.allHeld)
        }
    }
}
