import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Every KMS signing algorithm with each key spec KMS pairs it with.
let algorithmKeyPairs: [(SigningAlgorithm, KeySpec)] = SigningAlgorithm.all.flatMap { algorithm in
    KeySpec.allAsymmetric.filter { algorithm.isCompatible(with: $0) }
        // RSA-3072 and RSA-4096 once each, to keep key generation cheap.
        .filter { $0 == .rsa2048 || algorithm == .rsassaPSSSHA384 || algorithm == .rsassaPKCS1V1_5SHA512 || $0.family == .ec }
        .map { (algorithm, $0) }
}

/// A signature made by SigilCrypto, with everything needed to check it.
struct SignedMessage {
    var key: PublicKey
    var privateKey: AsymmetricPrivateKey
    var message: [UInt8]
    var digest: [UInt8]
    var signature: [UInt8]

    init(_ algorithm: SigningAlgorithm, _ spec: KeySpec, length: Int = 1000) throws {
        privateKey = try TestSupport.privateKey(spec)
        key = try PublicKey(privateKey.publicKey)
        message = TestSupport.randomMessage(lengths: length...length)
        digest = try algorithm.hashFunction.hash(message)
        signature = try privateKey.signature(forDigest: digest, scheme: algorithm.scheme)
    }
}

@Suite struct SignatureTests {
    @Test(arguments: algorithmKeyPairs)
    func verifiesRawMessagesDigestsFilesHandlesAndStreams(algorithm: SigningAlgorithm, spec: KeySpec) async throws {
        let signed = try SignedMessage(algorithm, spec, length: 300_000)
        let key = signed.key
        #expect(try key.isValidSignature(signed.signature, for: signed.message, algorithm: algorithm))
        #expect(try key.isValidSignature(signed.signature, forDigest: signed.digest, algorithm: algorithm))
        #expect(try key.isValidSignature(signed.signature, for: signed.digest, messageType: .digest, algorithm: algorithm))

        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("message")
        try Data(signed.message).write(to: file)
        #expect(try key.isValidSignature(signed.signature, forContentsOf: file, algorithm: algorithm))
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        #expect(try key.isValidSignature(signed.signature, readingFrom: handle, algorithm: algorithm))

        let chunks = AsyncStream<[UInt8]> { continuation in
            var offset = 0
            while offset < signed.message.count {
                let end = min(signed.message.count, offset + 7919)
                continuation.yield(Array(signed.message[offset..<end]))
                offset = end
            }
            continuation.finish()
        }
        #expect(try await key.isValidSignature(signed.signature, for: chunks, algorithm: algorithm))
    }

    @Test(arguments: algorithmKeyPairs)
    func rejectsAFlippedBitInTheMessageOrDigest(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        for bit in [0, 7, 4000, signed.message.count * 8 - 1] {
            let message = TestSupport.flippingBit(bit, of: signed.message)
            #expect(try !signed.key.isValidSignature(signed.signature, for: message, algorithm: algorithm))
        }
        let digest = TestSupport.flippingBit(3, of: signed.digest)
        #expect(try !signed.key.isValidSignature(signed.signature, forDigest: digest, algorithm: algorithm))
    }

    @Test(arguments: algorithmKeyPairs)
    func rejectsAFlippedBitInTheSignature(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        for bit in stride(from: 0, to: signed.signature.count * 8, by: 37) {
            let signature = TestSupport.flippingBit(bit, of: signed.signature)
            do {
                #expect(try !signed.key.isValidSignature(signature, for: signed.message, algorithm: algorithm), "bit \(bit)")
            } catch let error as SigilError {
                // Flipping a DER header bit leaves no signature at all: an error, never valid.
                #expect(error.code == .malformedSignature, "bit \(bit): \(error)")
            }
        }
    }

    @Test(arguments: algorithmKeyPairs)
    func refusesTruncatedAndOverlongSignatures(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        for signature in [Array(signed.signature.dropLast()), signed.signature + [0], [], Array(signed.signature.prefix(8))] {
            let error = #expect(throws: SigilError.self) {
                try signed.key.isValidSignature(signature, for: signed.message, algorithm: algorithm)
            }
            #expect(error?.code == .malformedSignature, "\(signature.count) bytes: \(String(describing: error))")
        }
    }

    @Test(arguments: algorithmKeyPairs)
    func rejectsASignatureFromAnotherKey(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        let other = try PublicKey(AsymmetricPrivateKey(generating: spec == .rsa4096 || spec == .rsa3072 ? .rsa2048 : spec).publicKey)
        guard other.isCompatible(algorithm) else { return }
        do {
            #expect(try !other.isValidSignature(signed.signature, for: signed.message, algorithm: algorithm))
        } catch let error as SigilError {
            // An RSA-4096 signature cannot even be an RSA-2048 one.
            #expect(error.code == .malformedSignature && spec.family == .rsa && spec != .rsa2048)
        }
    }

    @Test(arguments: algorithmKeyPairs)
    func refusesADigestOfTheWrongLength(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        for digest in [Array(signed.digest.dropLast()), signed.digest + [0], [], signed.message] {
            let error = #expect(throws: SigilError.self) {
                try signed.key.isValidSignature(signed.signature, forDigest: digest, algorithm: algorithm)
            }
            #expect(error?.code == .digestLengthMismatch)
        }
    }

    @Test(arguments: algorithmKeyPairs)
    func refusesAnAlgorithmThatDoesNotSuitTheKey(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        for wrong in SigningAlgorithm.all where !wrong.isCompatible(with: spec) {
            let error = #expect(throws: SigilError.self, "\(wrong) on \(spec)") {
                try signed.key.isValidSignature(signed.signature, for: signed.message, algorithm: wrong)
            }
            #expect(error?.code == .algorithmKeyMismatch)
        }
    }

    @Test(arguments: algorithmKeyPairs.filter { $0.1.family == .ec })
    func verifiesRawP1363SignaturesAndRefusesWrongLengths(algorithm: SigningAlgorithm, spec: KeySpec) throws {
        let signed = try SignedMessage(algorithm, spec)
        let curve = try #require(spec.curve)
        let raw = try ECDSASignature.raw(fromDER: signed.signature, curve: curve)
        #expect(raw.count == 2 * curve.coordinateSize)
        #expect(try ECDSASignature.der(fromRaw: raw, curve: curve) == signed.signature)
        #expect(try signed.key.isValidSignature(raw, for: signed.message, algorithm: algorithm, format: .raw))
        #expect(try !signed.key.isValidSignature(
            TestSupport.flippingBit(5, of: raw), for: signed.message, algorithm: algorithm, format: .raw))
        for wrong in [Array(raw.dropLast()), raw + [0]] {
            let error = #expect(throws: SigilError.self) {
                try signed.key.isValidSignature(wrong, for: signed.message, algorithm: algorithm, format: .raw)
            }
            #expect(error?.code == .malformedSignature)
        }
        // A DER signature handed in as raw is the wrong length for raw (DER adds a header).
        #expect(throws: SigilError(.malformedSignature, "")) {
            try signed.key.isValidSignature(signed.signature, for: signed.message, algorithm: algorithm, format: .raw)
        }
    }

    @Test func refusesBEREncodedECDSASignatures() throws {
        let signed = try SignedMessage(.ecdsaSHA256, .eccNistP256)
        // Re-encode the outer SEQUENCE length in long form: valid BER, invalid DER.
        let ber = [0x30, 0x81, signed.signature[1]] + signed.signature.dropFirst(2)
        let error = #expect(throws: SigilError.self) {
            try signed.key.isValidSignature(ber, for: signed.message, algorithm: .ecdsaSHA256)
        }
        #expect(error?.code == .malformedSignature)
    }

    @Test func verifiesSignaturesFromTheOpenSSLCLI() async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = Data(TestSupport.randomMessage(lengths: 5000...5000))
        let messageFile = folder.appendingPathComponent("message")
        try message.write(to: messageFile)
        let cases: [(KeySpec, SigningAlgorithm, [String])] = [
            (.rsa2048, .rsassaPSSSHA256, ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]),
            (.rsa2048, .rsassaPSSSHA512, ["-sha512", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]),
            (.rsa2048, .rsassaPKCS1V1_5SHA384, ["-sha384"]),
            (.eccNistP256, .ecdsaSHA256, ["-sha256"]),
            (.eccNistP521, .ecdsaSHA512, ["-sha512"]),
            (.eccSecgP256k1, .ecdsaSHA256, ["-sha256"]),
        ]
        for (spec, algorithm, options) in cases {
            let privateKey = try TestSupport.privateKey(spec)
            let keyFile = folder.appendingPathComponent("key.pem")
            try Data(privateKey.pemRepresentation.utf8).write(to: keyFile)
            let signature = try await TestSupport.openssl(["dgst"] + options + ["-sign", keyFile.path, messageFile.path])
            let key = try PublicKey(privateKey.publicKey)
            #expect(try key.isValidSignature(signature, for: message, algorithm: algorithm), "\(algorithm)")
            #expect(try !key.isValidSignature(signature, for: message + [0], algorithm: algorithm), "\(algorithm)")
        }
    }

    @Test func namesAlgorithmsAsKMSDoes() throws {
        for algorithm in SigningAlgorithm.all {
            #expect(try SigningAlgorithm(kmsName: algorithm.kmsName) == algorithm)
        }
        let error = #expect(throws: SigilError.self) { try SigningAlgorithm(kmsName: "ECDSA_SHA_1") }
        #expect(error?.code == .unknownAlgorithm)
        #expect(error?.message.contains("ECDSA_SHA_256") == true, "the error lists the known names")
        #expect(SigningAlgorithm.ecdsaSHA256.isCompatible(with: .eccSecgP256k1))
        #expect(!SigningAlgorithm.ecdsaSHA512.isCompatible(with: .eccNistP256))
        #expect(!SigningAlgorithm.rsassaPSSSHA256.isCompatible(with: .eccNistP256))
        #expect(throws: SigilError(.invalidArgument, "")) { try MessageType(kmsName: "EXTERNAL") }
    }
}
