import GnuTLSCheck
import SigilCrypto
import Testing

/// SigilCrypto's HKDF (OpenSSL EVP_KDF) against GnuTLS's `gnutls_hkdf_extract`/`expand`.
@Suite("HKDF: SigilCrypto and GnuTLS agree")
struct HKDFCrossCheckTests {
    /// Random inputs per hash.
    static let inputCount = 128

    @Test("SigilCrypto's HKDF extract and expand equal GnuTLS's", arguments: [HashFunction.sha512, .sha256])
    func sigilHKDFEqualsGnuTLS(_ hash: HashFunction) throws {
        let gnutlsHash = GnuTLSDigest(hash)
        let maximumLength = 255 * hash.digestSize
        var extracts = CheckCounter()
        var expands = CheckCounter()
        var suiteKeys = CheckCounter()
        var lengths: Set<Int> = []

        for index in 0..<Self.inputCount {
            // Salts: empty, the message format's 32-byte message id, or anything up to 200.
            let salt = try randomBytes([0, 32, Int.random(in: 1...200)][index % 3])
            let inputKeyMaterial = try randomBytes(index % 2 == 0 ? 32 : Int.random(in: 1...200))
            let info = try randomBytes(index % 5 == 0 ? 0 : Int.random(in: 1...100))
            let length = sampledLength(index: index, in: 1...maximumLength)
            lengths.insert(length)

            let sigilPRK = try HKDF.extract(hash: hash, salt: salt, inputKeyMaterial: SecureBytes(inputKeyMaterial))
            let gnutlsPRK = try GnuTLSHKDF.extract(hash: gnutlsHash, salt: salt, inputKeyMaterial: inputKeyMaterial)
            #expect(sigilPRK.unsafeBytes == gnutlsPRK, "extract \(index) differs")
            extracts.record(sigilPRK.unsafeBytes == gnutlsPRK)

            let sigilOKM = try HKDF.expand(hash: hash, pseudoRandomKey: sigilPRK, info: info, outputByteCount: length)
            let gnutlsOKM = try GnuTLSHKDF.expand(
                hash: gnutlsHash, pseudoRandomKey: gnutlsPRK, info: info, outputByteCount: length)
            #expect(sigilOKM.count == length)
            #expect(sigilOKM.unsafeBytes == gnutlsOKM, "expand \(index) to \(length) bytes differs")
            expands.record(sigilOKM.unsafeBytes == gnutlsOKM)

            // The message format's two derivations (suite 0x0478 when the hash is SHA-512).
            for suiteInfo in [[0x04, 0x78] + Array("DERIVEKEY".utf8), Array("COMMITKEY".utf8)] {
                let sigilKey = try HKDF.expand(hash: hash, pseudoRandomKey: sigilPRK, info: suiteInfo, outputByteCount: 32)
                let gnutlsKey = try GnuTLSHKDF.expand(
                    hash: gnutlsHash, pseudoRandomKey: gnutlsPRK, info: suiteInfo, outputByteCount: 32)
                #expect(sigilKey.unsafeBytes == gnutlsKey)
                suiteKeys.record(sigilKey.unsafeBytes == gnutlsKey)
            }
        }

        // Lengths no HKDF can give are refused.
        for impossible in [0, maximumLength + 1] {
            #expect(sigilFails(with: .invalidArgument) {
                _ = try HKDF.expand(hash: hash, pseudoRandomKey: SecureBytes(randomCount: hash.digestSize),
                                    info: [UInt8](), outputByteCount: impossible)
            }, "SigilCrypto expanded to \(impossible) bytes")
        }

        print("crosscheck hkdf-\(hash): \(Self.inputCount) random inputs, \(lengths.count) distinct lengths in "
              + "1...\(maximumLength): extract \(extracts.summary), expand \(expands.summary), "
              + "DERIVEKEY/COMMITKEY \(suiteKeys.summary) equal")
        #expect(extracts.tried == Self.inputCount && extracts.allHeld)
        #expect(expands.tried == Self.inputCount && expands.allHeld)
        #expect(suiteKeys.allHeld)
        #expect(lengths.contains(1) && lengths.contains(maximumLength))
    }
}
