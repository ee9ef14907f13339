import Foundation
import Sigil
import SigilTestSupport

/// Public keys for the COSE tests: from the JWK-like objects of the COSE working group's
/// examples (encoded here as SubjectPublicKeyInfo DER), and throwaway trust stores.
enum COSETestKeys {
    /// A key object of the examples: EC keys give `crv`, `x`, `y` (base64url) or `x_hex`,
    /// `y_hex`; RSA keys `n_hex`, `e_hex` (or base64url `n`, `e`); OKP keys are EdDSA.
    struct ExampleKey: Decodable {
        let kty: String
        let kid: String?
        let crv: String?
        let x: String?
        let y: String?
        let n: String?
        let e: String?
        let x_hex: String?
        let y_hex: String?
        let n_hex: String?
        let e_hex: String?

        func bytes(_ base64url: String?, _ hex: String?, _ name: String) throws -> [UInt8] {
            if let hex, let bytes = TestSupport.bytes(hex: hex) { return bytes }
            if let base64url, let bytes = COSETestKeys.base64URL(base64url) { return bytes }
            throw TestFailure("the example key has no usable '\(name)'")
        }

        func publicKey() throws -> PublicKey {
            switch kty {
            case "EC":
                guard let crv, let curve = COSETestKeys.curveOIDs[crv] else {
                    throw TestFailure("unknown curve \(crv ?? "nil")")
                }
                let point = [0x04] + (try bytes(x, x_hex, "x")) + (try bytes(y, y_hex, "y"))
                let algorithm = COSETestDER.sequence(COSETestDER.ecPublicKeyOID + curve)
                return try PublicKey(derRepresentation: COSETestDER.sequence(algorithm + COSETestDER.bitString(point)))
            case "RSA":
                let rsaKey = COSETestDER.sequence(COSETestDER.integer(try bytes(n, n_hex, "n")) + COSETestDER.integer(try bytes(e, e_hex, "e")))
                let algorithm = COSETestDER.sequence(COSETestDER.rsaEncryptionOID + [0x05, 0x00])
                return try PublicKey(derRepresentation: COSETestDER.sequence(algorithm + COSETestDER.bitString(rsaKey)))
            default:
                throw TestFailure("unsupported key type \(kty)")
            }
        }
    }

    static let curveOIDs: [String: [UInt8]] = [
        "P-256": [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        "P-384": [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        "P-521": [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
        "secp256k1": [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
    ]

    /// Bytes from base64url without padding.
    static func base64URL(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }

    /// Bytes from hex, or a test failure.
    static func hex(_ text: String) throws -> [UInt8] {
        guard let bytes = TestSupport.bytes(hex: text) else { throw TestFailure("not hex: \(text.prefix(20))") }
        return bytes
    }

    /// The KMS key spec a COSE algorithm is made with (RSA: 2048 bits).
    static func keySpec(for algorithm: COSEAlgorithm) -> KeySpec {
        switch algorithm.curve {
        case .p256?: return .eccNistP256
        case .p384?: return .eccNistP384
        case .p521?: return .eccNistP521
        case .secp256k1?: return .eccSecgP256k1
        default: return .rsa2048
        }
    }

    /// A throwaway private key for `algorithm` and a trust store holding its public key
    /// under `id`, allowed that algorithm only.
    static func signer(for algorithm: COSEAlgorithm, id: String = "device-1") throws -> (AsymmetricPrivateKey, TrustStore) {
        let privateKey = try TestSupport.privateKey(keySpec(for: algorithm))
        let trusted = try TrustedKey(id: id, publicKey: PublicKey(privateKey.publicKey), algorithms: [algorithm.signingAlgorithm])
        return (privateKey, try TrustStore([trusted]))
    }

    /// A COSE_Sign1 message signed by `privateKey` with Sigil's own signer.
    static func signedMessage(
        _ builder: COSESign1Builder, with privateKey: AsymmetricPrivateKey, tagged: Bool = true
    ) throws -> [UInt8] {
        let algorithm = builder.algorithm.signingAlgorithm
        let digest = try algorithm.hashFunction.hash(builder.toBeSigned)
        let signature = try privateKey.signature(forDigest: digest, scheme: algorithm.scheme)
        return try builder.message(signature: signature, format: .der, tagged: tagged)
    }
}

/// Just enough DER to write SubjectPublicKeyInfo structures.
enum COSETestDER {
    static let ecPublicKeyOID: [UInt8] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
    static let rsaEncryptionOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xff), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { [0x30] + length(content.count) + content }

    static func bitString(_ content: [UInt8]) -> [UInt8] { [0x03] + length(content.count + 1) + [0x00] + content }

    /// A positive INTEGER from big-endian magnitude bytes.
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop(while: { $0 == 0 }))
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return [0x02] + length(bytes.count) + bytes
    }
}
