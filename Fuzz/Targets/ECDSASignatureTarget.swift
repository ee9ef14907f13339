// ECDSA signatures in DER (what KMS Sign returns) and their conversion to raw r‖s
// (IEEE P1363): SigilCrypto's ECDSASignature.
//
// Input: one byte picks the curve, the rest is the signature. Invariants: strict DER is
// the only encoding accepted, so DER → raw → DER gives back the very bytes; and
// raw → DER → raw gives back the raw bytes.
import Foundation
import SigilCrypto

enum FuzzTarget {
    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let curve = ECCurve.all[Int(input.byte()) % ECCurve.all.count]
        let payload = input.rest
        if let raw = try? ECDSASignature.raw(fromDER: payload, curve: curve) {
            invariant(raw.count == 2 * curve.coordinateSize, "raw signature of \(raw.count) bytes on \(curve)")
            let again = try? ECDSASignature.der(fromRaw: raw, curve: curve)
            invariant(again == payload, "accepted DER does not re-encode to the same bytes on \(curve)")
        }
        if let der = try? ECDSASignature.der(fromRaw: payload, curve: curve) {
            let again = try? ECDSASignature.raw(fromDER: der, curve: curve)
            invariant(again == payload, "raw → DER → raw changed the signature on \(curve)")
        }
    }

    /// Real signatures from freshly generated keys on every curve, in both encodings.
    static func seeds() throws -> [(String, [UInt8])] {
        let specs: [KeySpec] = [.eccNistP256, .eccNistP384, .eccNistP521, .eccSecgP256k1]
        var seeds: [(String, [UInt8])] = []
        for (index, spec) in specs.enumerated() {
            guard let curve = spec.curve, let selector = ECCurve.all.firstIndex(of: curve) else { continue }
            let key = try AsymmetricPrivateKey(generating: spec)
            let hash: HashFunction = curve.bits > 384 ? .sha512 : (curve.bits > 256 ? .sha384 : .sha256)
            let digest = try hash.hash(Array("sigil fuzz seed \(index)".utf8))
            let der = try key.signature(forDigest: digest, scheme: .ecdsa(hash: hash))
            seeds.append(("der-\(curve.name)", [UInt8(selector)] + der))
            seeds.append(("raw-\(curve.name)", [UInt8(selector)] + (try ECDSASignature.raw(fromDER: der, curve: curve))))
        }
        return seeds
    }
}
