import Foundation
import GnuTLSCheck
import Testing

/// Before the GnuTLS/nettle side judges Sigil, it must itself pass Wycheproof: GnuTLS's
/// AES-GCM and HKDF, and the RFC 8017 OAEP decoder on nettle's raw RSA.
@Suite("GnuTLS cross-check tools pass Wycheproof")
struct GnuTLSCheckWycheproofTests {
    struct File<Group: Decodable>: Decodable {
        let numberOfTests: Int
        let testGroups: [Group]
    }

    struct AEADGroup: Decodable {
        let ivSize: Int
        let keySize: Int
        let tagSize: Int
        let tests: [AEADCase]
    }

    struct AEADCase: Decodable {
        let tcId: Int
        let key: Hex
        let iv: Hex
        let aad: Hex
        let msg: Hex
        let ct: Hex
        let tag: Hex
        let result: String
    }

    @Test("GnuTLS AES-GCM agrees with every aes_gcm_test.json case")
    func gnutlsAESGCMPassesWycheproof() throws {
        guard let url = CrossCheckVectors.wycheproofFile("aes_gcm_test.json") else { return }
        let file = try JSONDecoder().decode(File<AEADGroup>.self, from: Data(contentsOf: url))
        var tally = VectorTally()
        for group in file.testGroups {
            for test in group.tests {
                guard group.tagSize == 128 else {
                    tally.skip("\(group.tagSize)-bit tag")
                    continue
                }
                // See GnuTLSAEAD: GnuTLS 3.7.9's accelerated GCM is wrong for other IV lengths.
                guard group.ivSize == 96 else {
                    tally.skip("\(test.result), IV not 96 bits: GnuTLSAEAD refuses")
                    continue
                }
                let opened: [UInt8]?
                do {
                    opened = try GnuTLSAEAD.open(
                        test.ct.bytes, tag: test.tag.bytes, key: test.key.bytes, nonce: test.iv.bytes, aad: test.aad.bytes)
                } catch let error as GnuTLSError {
                    // GnuTLS refusing the parameters is a rejection, right only for invalid cases.
                    let ok = test.result == "invalid"
                    #expect(ok, "tcId \(test.tcId): GnuTLS refused a valid case: \(error)")
                    tally.record(ok)
                    continue
                }
                if test.result == "valid" {
                    let sealed = try GnuTLSAEAD.seal(
                        test.msg.bytes, key: test.key.bytes, nonce: test.iv.bytes, aad: test.aad.bytes)
                    let ok = opened == test.msg.bytes && sealed.ciphertext == test.ct.bytes && sealed.tag == test.tag.bytes
                    #expect(ok, "tcId \(test.tcId): GnuTLS disagrees with a valid case")
                    tally.record(ok)
                } else {
                    #expect(opened == nil, "tcId \(test.tcId): GnuTLS opened an invalid case")
                    tally.record(opened == nil)
                }
            }
        }
        print("wycheproof gnutls aes_gcm_test.json: \(tally)")
        #expect(tally.total == file.numberOfTests)
        #expect(tally.failed == 0)
        #expect(tally.passed >= 190)
    }

    struct HKDFGroup: Decodable {
        let tests: [HKDFCase]
    }

    struct HKDFCase: Decodable {
        let tcId: Int
        let ikm: Hex
        let salt: Hex
        let info: Hex
        let size: Int
        let okm: Hex
        let result: String
    }

    @Test("GnuTLS HKDF agrees with hkdf_sha256/512_test.json",
          arguments: [("hkdf_sha256_test.json", GnuTLSDigest.sha256), ("hkdf_sha512_test.json", .sha512)])
    func gnutlsHKDFPassesWycheproof(_ name: String, _ hash: GnuTLSDigest) throws {
        guard let url = CrossCheckVectors.wycheproofFile(name) else { return }
        let file = try JSONDecoder().decode(File<HKDFGroup>.self, from: Data(contentsOf: url))
        var tally = VectorTally()
        for group in file.testGroups {
            for test in group.tests {
                let prk = try GnuTLSHKDF.extract(hash: hash, salt: test.salt.bytes, inputKeyMaterial: test.ikm.bytes)
                if test.result == "valid" {
                    let okm = try GnuTLSHKDF.expand(hash: hash, pseudoRandomKey: prk, info: test.info.bytes, outputByteCount: test.size)
                    #expect(okm == test.okm.bytes, "tcId \(test.tcId)")
                    tally.record(okm == test.okm.bytes)
                } else {
                    // The invalid cases ask for more than 255 hash lengths.
                    let refused = (try? GnuTLSHKDF.expand(
                        hash: hash, pseudoRandomKey: prk, info: test.info.bytes, outputByteCount: test.size)) == nil
                    #expect(refused, "tcId \(test.tcId): \(test.size) bytes accepted")
                    tally.record(refused)
                }
            }
        }
        print("wycheproof gnutls \(name): \(tally)")
        #expect(tally.total == file.numberOfTests)
        #expect(tally.failed == 0)
    }

    struct OAEPGroup: Decodable {
        let keySize: Int
        let sha: String
        let mgf: String
        let mgfSha: String
        let privateKeyPkcs8: Hex
        let tests: [OAEPCase]
    }

    struct OAEPCase: Decodable {
        let tcId: Int
        let msg: Hex
        let ct: Hex
        let label: Hex
        let result: String
        let flags: [String]
    }

    static let oaepFiles = CrossCheckVectors.wycheproofFiles(prefix: "rsa_oaep_")

    /// Every rsa_oaep_*.json file: valid cases decrypt to the message (and re-encrypt
    /// with the RFC 8017 encoder round-trips), invalid ones are a decryption error;
    /// "acceptable" cases (tiny ciphertext integers) are counted either way.
    @Test("RFC 8017 OAEP on nettle agrees with every rsa_oaep_*.json case", arguments: oaepFiles)
    func rfc8017OAEPOnNettlePassesWycheproof(_ name: String) throws {
        guard let url = CrossCheckVectors.wycheproofFile(name) else { return }
        let file = try JSONDecoder().decode(File<OAEPGroup>.self, from: Data(contentsOf: url))
        var tally = VectorTally()
        var acceptableDecrypted = 0
        var roundTrips = 0
        for group in file.testGroups {
            guard group.mgf == "MGF1", let hash = GnuTLSDigest(wycheproofName: group.sha),
                  let mgf1Hash = GnuTLSDigest(wycheproofName: group.mgfSha) else {
                for _ in group.tests { tally.skip("\(group.sha) with \(group.mgf) \(group.mgfSha)") }
                continue
            }
            let key = try NettleRSAPrivateKey(pkcs8DERRepresentation: group.privateKeyPkcs8.bytes)
            #expect(key.modulusByteCount * 8 == group.keySize)
            for test in group.tests {
                let oaep = RFC8017OAEP(hash: hash, mgf1Hash: mgf1Hash, label: test.label.bytes)
                let decrypted = try oaep.decrypt(test.ct.bytes, with: key)
                switch test.result {
                case "valid":
                    #expect(decrypted == test.msg.bytes, "tcId \(test.tcId) \(test.flags)")
                    let again = try oaep.decrypt(try oaep.encrypt(test.msg.bytes, to: key.publicKey), with: key)
                    #expect(again == test.msg.bytes, "tcId \(test.tcId): encoder round trip")
                    if again == test.msg.bytes { roundTrips += 1 }
                    tally.record(decrypted == test.msg.bytes)
                case "invalid":
                    #expect(decrypted == nil, "tcId \(test.tcId) \(test.flags) decrypted")
                    tally.record(decrypted == nil)
                default:
                    if decrypted == test.msg.bytes { acceptableDecrypted += 1 }
                    tally.record(decrypted == nil || decrypted == test.msg.bytes)
                }
            }
        }
        print("wycheproof nettle-oaep \(name): \(tally), \(acceptableDecrypted) acceptable decrypted, "
              + "\(roundTrips) encoder round trips")
        #expect(tally.total == file.numberOfTests)
        #expect(tally.failed == 0)
        #expect(tally.skipped.isEmpty)
    }

    @Test("the OAEP file list is the corpus's")
    func oaepCorpusIsComplete() {
        guard CrossCheckVectors.wycheproofFile("rsa_oaep_misc_test.json") != nil else { return }
        #expect(Self.oaepFiles.count >= 15, "found \(Self.oaepFiles)")
    }
}
