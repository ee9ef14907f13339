import GnuTLSCheck
import Sigil
import SigilCrypto
import Testing

/// Pins down how GnuTLS signs and verifies, so that "GnuTLS agrees" means what KMS means.
@Suite("GnuTLS behaves as KMS does")
struct GnuTLSBehaviourTests {
    static let pss: [(SigningAlgorithm, GnuTLSSignatureAlgorithm)] = [
        (.rsassaPSSSHA256, .rsassaPSSSHA256), (.rsassaPSSSHA384, .rsassaPSSSHA384), (.rsassaPSSSHA512, .rsassaPSSSHA512),
    ]
    static let pkcs1: [GnuTLSSignatureAlgorithm] = [
        .rsassaPKCS1V1_5SHA256, .rsassaPKCS1V1_5SHA384, .rsassaPKCS1V1_5SHA512,
    ]

    /// GnuTLS's PSS salt is exactly the hash length: its signatures verify with an
    /// explicit salt of that length and fail with any other.
    @Test("GnuTLS signs RSA-PSS with salt length equal to the hash length", arguments: pss)
    func gnutlsPSSSaltLengthIsHashLength(_ algorithms: (SigningAlgorithm, GnuTLSSignatureAlgorithm)) throws {
        let (algorithm, gnutlsAlgorithm) = algorithms
        let hash = algorithm.hashFunction
        let key = try GnuTLSPrivateKey(generating: .rsa2048)
        let verifier = try AsymmetricPublicKey(derRepresentation: try key.publicKeyDERRepresentation())
        let maximumSalt = 256 - hash.digestSize - 2
        for _ in 0..<5 {
            let message = RandomInput.bytes(Int.random(in: 0...4096))
            let digest = try hash.hash(message)
            for signature in [
                try key.signature(for: message, algorithm: gnutlsAlgorithm),
                try key.signature(forDigest: digest, algorithm: gnutlsAlgorithm),
            ] {
                #expect(try verifier.isValidSignature(
                    signature, forDigest: digest, scheme: .rsaPSS(hash: hash, mgf1Hash: hash, saltLength: hash.digestSize)))
                for otherSalt in [0, 20, hash.digestSize - 1, hash.digestSize + 1, maximumSalt] {
                    #expect(sigilRejects {
                        try verifier.isValidSignature(
                            signature, forDigest: digest, scheme: .rsaPSS(hash: hash, saltLength: otherSalt))
                    }, "salt length \(otherSalt) accepted")
                }
            }
        }
    }

    /// GnuTLS verifies PSS with a fixed salt length: a valid PSS signature with another
    /// salt length is refused, as KMS would.
    @Test("GnuTLS refuses RSA-PSS signatures with another salt length", arguments: pss)
    func gnutlsRejectsPSSSignatureWithWrongSaltLength(_ algorithms: (SigningAlgorithm, GnuTLSSignatureAlgorithm)) throws {
        let (algorithm, gnutlsAlgorithm) = algorithms
        let hash = algorithm.hashFunction
        let key = try AsymmetricPrivateKey(generating: .rsa2048)
        let verifier = try GnuTLSPublicKey(derRepresentation: key.publicKey.derRepresentation)
        let message = RandomInput.bytes(1000)
        let digest = try hash.hash(message)
        for salt in [0, 20, hash.digestSize + 1, 256 - hash.digestSize - 2] {
            let signature = try key.signature(forDigest: digest, scheme: .rsaPSS(hash: hash, saltLength: salt))
            #expect(!(try verifier.isValidSignature(signature, for: message, algorithm: gnutlsAlgorithm)), "salt \(salt)")
            #expect(!(try verifier.isValidSignature(signature, forDigest: digest, algorithm: gnutlsAlgorithm)), "salt \(salt)")
        }
        let kmsSignature = try key.signature(forDigest: digest, scheme: algorithm.scheme)
        #expect(try verifier.isValidSignature(kmsSignature, for: message, algorithm: gnutlsAlgorithm))
    }

    /// PKCS#1 v1.5 is deterministic, so when `sign_hash2` wraps the digest in a
    /// DigestInfo (as it must), its signature is byte-for-byte `sign_data2`'s.
    @Test("GnuTLS sign_hash2 encodes the DigestInfo for PKCS#1 v1.5", arguments: pkcs1)
    func gnutlsPKCS1DigestSigningEncodesDigestInfo(_ algorithm: GnuTLSSignatureAlgorithm) throws {
        let key = try GnuTLSPrivateKey(generating: .rsa2048)
        let message = RandomInput.bytes(777)
        let fromData = try key.signature(for: message, algorithm: algorithm)
        let fromHash = try key.signature(forDigest: try algorithm.digest.hash(message), algorithm: algorithm)
        #expect(fromData == fromHash)
        #expect(fromData.count == 256)
    }

    /// GnuTLS answers `false`, not an error, for signatures that are malformed: truncated,
    /// empty, or with a trailing byte.
    @Test("GnuTLS answers false for malformed signatures", arguments: GnuTLSSignatureAlgorithm.all)
    func gnutlsRejectsMalformedSignaturesWithFalse(_ algorithm: GnuTLSSignatureAlgorithm) throws {
        let key = try GnuTLSPrivateKey(generating: algorithm.defaultKeySpec)
        let verifier = try key.publicKey()
        let message = RandomInput.bytes(100)
        let signature = try key.signature(for: message, algorithm: algorithm)
        #expect(try verifier.isValidSignature(signature, for: message, algorithm: algorithm))
        for malformed in [Array(signature.dropLast()), [], signature + [0], Array(signature.prefix(8))] {
            #expect(!(try verifier.isValidSignature(malformed, for: message, algorithm: algorithm)))
        }
    }

    /// GnuTLS throws, rather than answering, when asked to use an algorithm that does
    /// not suit the key.
    @Test("GnuTLS throws for an algorithm that does not suit the key")
    func gnutlsThrowsForAlgorithmKeyMismatch() throws {
        let key = try GnuTLSPrivateKey(generating: .eccNistP256)
        #expect(throws: GnuTLSError.self) {
            _ = try key.signature(for: [1, 2, 3], algorithm: .rsassaPSSSHA256)
        }
        let verifier = try key.publicKey()
        #expect(throws: GnuTLSError.self) {
            _ = try verifier.isValidSignature([UInt8](repeating: 1, count: 256), for: [1], algorithm: .rsassaPKCS1V1_5SHA256)
        }
    }

    /// GnuTLS 3.7 has no secp256k1: it cannot import such a key, so ECC_SECG_P256K1 is
    /// the one KMS signing key spec the GnuTLS cross-check cannot cover.
    @Test("GnuTLS cannot import a secp256k1 key (the cross-check's known gap)")
    func gnutlsCannotImportSecp256k1() throws {
        let key = try AsymmetricPrivateKey(generating: .eccSecgP256k1)
        #expect(throws: GnuTLSError.self) {
            _ = try GnuTLSPublicKey(derRepresentation: key.publicKey.derRepresentation)
        }
    }
}
