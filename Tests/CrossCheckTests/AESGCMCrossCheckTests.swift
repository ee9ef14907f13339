import GnuTLSCheck
import SigilCrypto
import Testing

/// SigilCrypto's AES-256-GCM (OpenSSL) against GnuTLS's (nettle): the same bytes both
/// ways, and a flipped bit anywhere refused by both.
@Suite("AES-256-GCM: SigilCrypto and GnuTLS agree")
struct AESGCMCrossCheckTests {
    /// Random messages per run.
    static let messageCount = 128
    /// The largest random plaintext (64 KiB).
    static let maximumPlaintextLength = 64 * 1024

    @Test("SigilCrypto and GnuTLS seal identically, open each other's, and refuse tampering")
    func sigilAndGnuTLSOpenEachOthersAESGCM() throws {
        var identical = CheckCounter()
        var sigilToGnuTLS = CheckCounter()
        var gnutlsToSigil = CheckCounter()
        var tamperedGnuTLS = CheckCounter()
        var tamperedSigil = CheckCounter()
        var plaintextBytes = 0

        for index in 0..<Self.messageCount {
            let keyBytes = try randomBytes(AESGCM.keySize)
            let key = SecureBytes(keyBytes)
            let nonce = try randomBytes(AESGCM.nonceSize)
            // Every fourth message has no AAD, as the header tag's plaintext has no bytes.
            let aad = index % 4 == 3 ? [] : try randomBytes(Int.random(in: 1...300))
            let plaintext = try randomBytes(sampledLength(index: index, in: 0...Self.maximumPlaintextLength))
            plaintextBytes += plaintext.count

            // SigilCrypto seals; GCM is deterministic, so GnuTLS must seal the same bytes.
            let sigil = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
            let gnutls = try GnuTLSAEAD.seal(plaintext, key: keyBytes, nonce: nonce, aad: aad)
            let same = sigil.ciphertext == gnutls.ciphertext && sigil.tag == gnutls.tag
            #expect(same, "message \(index) (\(plaintext.count) bytes): the two seals differ")
            identical.record(same)

            let openedByGnuTLS = try GnuTLSAEAD.open(sigil.ciphertext, tag: sigil.tag, key: keyBytes, nonce: nonce, aad: aad)
            #expect(openedByGnuTLS == plaintext, "GnuTLS cannot open SigilCrypto's message \(index)")
            sigilToGnuTLS.record(openedByGnuTLS == plaintext)

            let openedBySigil = try AESGCM.open(
                gnutls.ciphertext, tag: gnutls.tag, key: key, nonce: nonce, authenticating: aad)
            #expect(openedBySigil == plaintext, "SigilCrypto cannot open GnuTLS's message \(index)")
            gnutlsToSigil.record(openedBySigil == plaintext)

            // One flipped bit in the ciphertext, the tag, the AAD, the nonce, or the key.
            var wrongKey = keyBytes
            wrongKey[Int.random(in: 0..<wrongKey.count)] ^= 0x80
            let tampered: [(String, ciphertext: [UInt8], tag: [UInt8], aad: [UInt8], nonce: [UInt8], key: [UInt8])] = [
                ("ciphertext", RandomInput.flippingOneBit(sigil.ciphertext), sigil.tag, aad, nonce, keyBytes),
                ("tag", sigil.ciphertext, RandomInput.flippingOneBit(sigil.tag), aad, nonce, keyBytes),
                ("aad", sigil.ciphertext, sigil.tag, RandomInput.flippingOneBit(aad), nonce, keyBytes),
                ("nonce", sigil.ciphertext, sigil.tag, aad, RandomInput.flippingOneBit(nonce), keyBytes),
                ("key", sigil.ciphertext, sigil.tag, aad, nonce, wrongKey),
            ]
            for (what, ciphertext, tag, tamperedAAD, tamperedNonce, tamperedKey) in tampered {
                let gnutlsRefused = try GnuTLSAEAD.open(
                    ciphertext, tag: tag, key: tamperedKey, nonce: tamperedNonce, aad: tamperedAAD) == nil
                #expect(gnutlsRefused, "GnuTLS opened message \(index) with a flipped bit in the \(what)")
                tamperedGnuTLS.record(gnutlsRefused)
                let sigilRefused = sigilFails(with: .authenticationFailure) {
                    _ = try AESGCM.open(
                        ciphertext, tag: tag, key: SecureBytes(tamperedKey), nonce: tamperedNonce,
                        authenticating: tamperedAAD)
                }
                #expect(sigilRefused, "SigilCrypto opened message \(index) with a flipped bit in the \(what)")
                tamperedSigil.record(sigilRefused)
            }
        }

        print("crosscheck aes-256-gcm: \(Self.messageCount) random messages (\(plaintextBytes) plaintext bytes, "
              + "0...\(Self.maximumPlaintextLength) each): \(identical.summary) identical seals, "
              + "\(sigilToGnuTLS.summary) sigil->gnutls opened, \(gnutlsToSigil.summary) gnutls->sigil opened, "
              + "tampered refused \(tamperedGnuTLS.summary) by gnutls and \(tamperedSigil.summary) by sigil")
        #expect(identical.tried == Self.messageCount && identical.allHeld)
        #expect(sigilToGnuTLS.allHeld && gnutlsToSigil.allHeld)
        #expect(tamperedGnuTLS.tried == 5 * Self.messageCount && tamperedGnuTLS.allHeld)
        #expect(tamperedSigil.tried == 5 * Self.messageCount && tamperedSigil.allHeld)
    }

    /// A truncated tag or ciphertext is refused by both; both refuse nonces other than
    /// 12 bytes (SigilCrypto by design, GnuTLSAEAD because GnuTLS 3.7 gets them wrong).
    @Test("truncated tags and odd nonce lengths are refused by both")
    func truncatedTagsAndOddNoncesAreRefusedByBoth() throws {
        let keyBytes = try randomBytes(32)
        let key = SecureBytes(keyBytes)
        let nonce = try randomBytes(12)
        let plaintext = try randomBytes(100)
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, authenticating: [UInt8]())
        for tag in [Array(sealed.tag.prefix(12)), Array(sealed.tag.prefix(15)), []] {
            #expect(try GnuTLSAEAD.open(sealed.ciphertext, tag: tag, key: keyBytes, nonce: nonce, aad: []) == nil)
            #expect(throws: SigilError.self) {
                _ = try AESGCM.open(sealed.ciphertext, tag: tag, key: key, nonce: nonce, authenticating: [UInt8]())
            }
        }
        let shortened = Array(sealed.ciphertext.dropLast())
        #expect(try GnuTLSAEAD.open(shortened, tag: sealed.tag, key: keyBytes, nonce: nonce, aad: []) == nil)
        #expect(sigilFails(with: .authenticationFailure) {
            _ = try AESGCM.open(shortened, tag: sealed.tag, key: key, nonce: nonce, authenticating: [UInt8]())
        })
        for length in [0, 8, 16] {
            let odd = try randomBytes(length)
            #expect(throws: GnuTLSError.self) { _ = try GnuTLSAEAD.seal(plaintext, key: keyBytes, nonce: odd, aad: []) }
            #expect(sigilFails(with: .invalidArgument) {
                _ = try AESGCM.seal(plaintext, key: key, nonce: odd, authenticating: [UInt8]())
            }, "SigilCrypto sealed with a \(length)-byte nonce")
        }
    }
}
