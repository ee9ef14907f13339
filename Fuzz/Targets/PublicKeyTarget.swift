// Public key import, DER SubjectPublicKeyInfo and PEM: Sigil's PublicKey (over
// SigilCrypto's AsymmetricPublicKey and PEM), then the verification entry points with
// whatever key was accepted.
//
// Input: one control byte (modulo 3: the key file's bytes as `sigil verify --key` reads
// them, DER only, PEM only), then the key. Invariants: accepted DER is the key's own DER
// (strict: no BER); a key exported as DER or PEM imports again as the same key.
import Foundation
import SigilCore

enum FuzzTarget {
    static let digests: [HashFunction: [UInt8]] = Dictionary(
        uniqueKeysWithValues: HashFunction.all.map { ($0, [UInt8](repeating: 0x5A, count: $0.digestSize)) })

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let mode = input.byte() % 3
        let payload = input.rest
        let key: PublicKey
        do {
            switch mode {
            case 0: key = try PublicKey(encoded: payload)
            case 1: key = try PublicKey(derRepresentation: payload)
            default: key = try PublicKey(pemRepresentation: String(decoding: payload, as: UTF8.self))
            }
        } catch {
            return
        }
        if mode == 1 {
            invariant(key.derRepresentation == payload, "accepted DER is not the key's own DER")
        }
        let fromDER = Result { try PublicKey(derRepresentation: key.derRepresentation) }
        invariant(isSame(fromDER, as: key), "the key's DER does not import again: \(fromDER)")
        let fromPEM = Result { try PublicKey(pemRepresentation: key.pemRepresentation) }
        invariant(isSame(fromPEM, as: key), "the key's PEM does not import again: \(fromPEM)")
        for algorithm in key.supportedSigningAlgorithms {
            let size = key.underlying.rsaSignatureSize ?? 2 * (key.curve?.coordinateSize ?? 32)
            let signature = [UInt8](repeating: 0x01, count: size)
            let format: SignatureFormat = key.family == .ec ? .raw : .der
            let valid = try? key.isValidSignature(
                signature, forDigest: digests[algorithm.hashFunction] ?? [], algorithm: algorithm, format: format)
            invariant(valid != true, "a made-up signature verifies with \(algorithm)")
        }
    }

    /// Whether a re-import gave the same key. The RSA check is deterministic
    /// (RSAPublicKeyCheck), so there is no exception: the fix of Fuzz/crashes'
    /// public-key-rsa-modulus-factor-853 is held by this invariant.
    static func isSame(_ imported: Result<PublicKey, any Error>, as key: PublicKey) -> Bool {
        guard case .success(let again) = imported else { return false }
        return again.fingerprint == key.fingerprint
    }

    /// Keys of every spec KMS issues, as GetPublicKey returns them (DER) and as
    /// `sigil public-key get` writes them (PEM).
    static func seeds() throws -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for spec in KeySpec.allAsymmetric {
            let key = try PublicKey(try AsymmetricPrivateKey(generating: spec).publicKey)
            seeds.append(("\(spec.kmsName)-der", [1] + key.derRepresentation))
            seeds.append(("\(spec.kmsName)-pem", [0] + Array(key.pemRepresentation.utf8)))
        }
        return seeds
    }
}
