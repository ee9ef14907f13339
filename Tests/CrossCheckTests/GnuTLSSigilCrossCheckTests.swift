import GnuTLSCheck
import Sigil
import SigilCrypto
import Testing

/// Signatures made by GnuTLS must verify with Sigil, signatures made by SigilCrypto must
/// verify with GnuTLS, and both must refuse a flipped bit anywhere.
@Suite("GnuTLS and Sigil cross-check")
struct GnuTLSSigilCrossCheckTests {
    /// Messages per algorithm and direction.
    static let messageCount = 50
    /// The largest random message (64 KiB).
    static let maximumMessageLength = 64 * 1024

    @Test("GnuTLS and Sigil verify each other's signatures and refuse tampered ones",
          arguments: CrossCheckCase.all)
    func gnutlsAndSigilVerifyEachOthersSignatures(_ check: CrossCheckCase) throws {
        let algorithm = check.algorithm
        let gnutlsAlgorithm = check.gnutlsAlgorithm
        var tamperedRejected = 0
        var tamperedTried = 0

        // (a) GnuTLS signs, Sigil verifies from the exported SPKI DER.
        let gnutlsKey = try GnuTLSPrivateKey(generating: check.gnutlsKeySpec)
        let gnutlsSPKI = try gnutlsKey.publicKeyDERRepresentation()
        let sigilView = try PublicKey(derRepresentation: gnutlsSPKI)
        #expect(sigilView.derRepresentation == gnutlsSPKI, "Sigil re-encodes GnuTLS's SPKI to the same DER")
        #expect(sigilView.keySpec == check.keySpec)
        let gnutlsView = try GnuTLSPublicKey(derRepresentation: gnutlsSPKI)

        var gnutlsToSigilRaw = 0
        var gnutlsToSigilDigest = 0
        for index in 0..<Self.messageCount {
            let message = RandomInput.message(index: index, maximumLength: Self.maximumMessageLength)
            let rawSignature = try gnutlsKey.signature(for: message, algorithm: gnutlsAlgorithm)
            let ok = try sigilView.isValidSignature(rawSignature, for: message, algorithm: algorithm)
            #expect(ok, "Sigil refuses GnuTLS RAW signature \(index) (\(message.count)-byte message)")
            if ok { gnutlsToSigilRaw += 1 }

            let digest = try gnutlsAlgorithm.digest.hash(message)
            #expect(digest == (try algorithm.hashFunction.hash(message)), "GnuTLS and Sigil digests differ")
            let digestSignature = try gnutlsKey.signature(forDigest: digest, algorithm: gnutlsAlgorithm)
            let digestOK = try sigilView.isValidSignature(digestSignature, forDigest: digest, algorithm: algorithm)
            #expect(digestOK, "Sigil refuses GnuTLS DIGEST signature \(index)")
            // A signature over the digest is a signature over the message too.
            #expect(try sigilView.isValidSignature(digestSignature, for: message, algorithm: algorithm))
            if digestOK { gnutlsToSigilDigest += 1 }

            // (c) Tampering, on GnuTLS's signatures: both sides must refuse.
            let flippedSignature = RandomInput.flippingOneBit(rawSignature)
            let flippedMessage = RandomInput.flippingOneBit(message)
            let flippedDigest = RandomInput.flippingOneBit(digest)
            let sigilVerdicts = [
                sigilRejects { try sigilView.isValidSignature(flippedSignature, for: message, algorithm: algorithm) },
                sigilRejects { try sigilView.isValidSignature(rawSignature, for: flippedMessage, algorithm: algorithm) },
                sigilRejects { try sigilView.isValidSignature(digestSignature, forDigest: flippedDigest, algorithm: algorithm) },
            ]
            let gnutlsVerdicts = [
                !(try gnutlsView.isValidSignature(flippedSignature, for: message, algorithm: gnutlsAlgorithm)),
                !(try gnutlsView.isValidSignature(rawSignature, for: flippedMessage, algorithm: gnutlsAlgorithm)),
                !(try gnutlsView.isValidSignature(digestSignature, forDigest: flippedDigest, algorithm: gnutlsAlgorithm)),
            ]
            for (number, rejected) in (sigilVerdicts + gnutlsVerdicts).enumerated() {
                #expect(rejected, "tampered input \(number) of message \(index) was accepted")
                tamperedTried += 1
                if rejected { tamperedRejected += 1 }
            }
        }

        // (b) SigilCrypto signs a digest it computed; GnuTLS verifies data and hash forms.
        let sigilKey = try AsymmetricPrivateKey(generating: check.keySpec)
        let sigilSPKI = sigilKey.publicKey.derRepresentation
        let gnutlsVerifier = try GnuTLSPublicKey(derRepresentation: sigilSPKI)
        #expect(try gnutlsVerifier.derRepresentation() == sigilSPKI, "GnuTLS re-exports Sigil's SPKI unchanged")
        let sigilVerifier = try PublicKey(derRepresentation: sigilSPKI)

        var sigilToGnuTLS = 0
        for index in 0..<Self.messageCount {
            let message = RandomInput.message(index: index, maximumLength: Self.maximumMessageLength)
            let digest = try algorithm.hashFunction.hash(message)
            let signature = try sigilKey.signature(forDigest: digest, scheme: algorithm.scheme)
            let dataOK = try gnutlsVerifier.isValidSignature(signature, for: message, algorithm: gnutlsAlgorithm)
            let hashOK = try gnutlsVerifier.isValidSignature(signature, forDigest: digest, algorithm: gnutlsAlgorithm)
            #expect(dataOK, "GnuTLS refuses Sigil signature \(index) over the data (\(message.count) bytes)")
            #expect(hashOK, "GnuTLS refuses Sigil signature \(index) over the digest")
            if dataOK && hashOK { sigilToGnuTLS += 1 }

            // (c) Tampering, on Sigil's signatures: both sides must refuse.
            let flippedSignature = RandomInput.flippingOneBit(signature)
            let flippedMessage = RandomInput.flippingOneBit(message)
            let verdicts = [
                !(try gnutlsVerifier.isValidSignature(flippedSignature, for: message, algorithm: gnutlsAlgorithm)),
                !(try gnutlsVerifier.isValidSignature(flippedSignature, forDigest: digest, algorithm: gnutlsAlgorithm)),
                !(try gnutlsVerifier.isValidSignature(signature, for: flippedMessage, algorithm: gnutlsAlgorithm)),
                sigilRejects { try sigilVerifier.isValidSignature(flippedSignature, for: message, algorithm: algorithm) },
                sigilRejects { try sigilVerifier.isValidSignature(signature, for: flippedMessage, algorithm: algorithm) },
            ]
            for (number, rejected) in verdicts.enumerated() {
                #expect(rejected, "tampered input \(number) of Sigil message \(index) was accepted")
                tamperedTried += 1
                if rejected { tamperedRejected += 1 }
            }
        }

        print("crosscheck \(algorithm.kmsName) on \(check.keySpec.kmsName): "
              + "\(gnutlsToSigilRaw) gnutls->sigil raw, \(gnutlsToSigilDigest) digest, "
              + "\(sigilToGnuTLS) sigil->gnutls (data and hash), "
              + "\(tamperedRejected)/\(tamperedTried) tampered rejected")
        #expect(gnutlsToSigilRaw == Self.messageCount)
        #expect(gnutlsToSigilDigest == Self.messageCount)
        #expect(sigilToGnuTLS == Self.messageCount)
        #expect(tamperedRejected == tamperedTried)
    }
}
