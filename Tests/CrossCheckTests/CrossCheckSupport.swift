import GnuTLSCheck
import Sigil
import SigilCrypto
import Testing

/// One KMS signing algorithm on one key spec, as both Sigil and GnuTLS name it.
struct CrossCheckCase: Sendable, CustomTestStringConvertible {
    let algorithm: SigningAlgorithm
    let gnutlsAlgorithm: GnuTLSSignatureAlgorithm
    let keySpec: KeySpec
    let gnutlsKeySpec: GnuTLSKeySpec

    init(_ algorithm: SigningAlgorithm, _ gnutlsAlgorithm: GnuTLSSignatureAlgorithm,
         _ keySpec: KeySpec, _ gnutlsKeySpec: GnuTLSKeySpec) {
        self.algorithm = algorithm
        self.gnutlsAlgorithm = gnutlsAlgorithm
        self.keySpec = keySpec
        self.gnutlsKeySpec = gnutlsKeySpec
    }

    var testDescription: String { "\(algorithm.kmsName) on \(keySpec.kmsName)" }

    /// Every KMS signing algorithm GnuTLS 3.7 has (ECDSA on secp256k1 is the one it
    /// lacks), on the key spec KMS pairs it with, plus the larger RSA moduli.
    static let all: [CrossCheckCase] = [
        .init(.rsassaPSSSHA256, .rsassaPSSSHA256, .rsa2048, .rsa2048),
        .init(.rsassaPSSSHA384, .rsassaPSSSHA384, .rsa2048, .rsa2048),
        .init(.rsassaPSSSHA512, .rsassaPSSSHA512, .rsa2048, .rsa2048),
        .init(.rsassaPKCS1V1_5SHA256, .rsassaPKCS1V1_5SHA256, .rsa2048, .rsa2048),
        .init(.rsassaPKCS1V1_5SHA384, .rsassaPKCS1V1_5SHA384, .rsa2048, .rsa2048),
        .init(.rsassaPKCS1V1_5SHA512, .rsassaPKCS1V1_5SHA512, .rsa2048, .rsa2048),
        .init(.ecdsaSHA256, .ecdsaSHA256, .eccNistP256, .eccNistP256),
        .init(.ecdsaSHA384, .ecdsaSHA384, .eccNistP384, .eccNistP384),
        .init(.ecdsaSHA512, .ecdsaSHA512, .eccNistP521, .eccNistP521),
        .init(.rsassaPSSSHA384, .rsassaPSSSHA384, .rsa3072, .rsa3072),
        .init(.rsassaPKCS1V1_5SHA256, .rsassaPKCS1V1_5SHA256, .rsa3072, .rsa3072),
        .init(.rsassaPSSSHA512, .rsassaPSSSHA512, .rsa4096, .rsa4096),
        .init(.rsassaPKCS1V1_5SHA512, .rsassaPKCS1V1_5SHA512, .rsa4096, .rsa4096),
    ]
}

/// Random test input.
enum RandomInput {
    static func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max) }
    }

    /// A message of a random length from 0 to `maximumLength` bytes; the first two are
    /// always the edges (empty, and exactly `maximumLength`).
    static func message(index: Int, maximumLength: Int) -> [UInt8] {
        switch index {
        case 0: return []
        case 1: return bytes(maximumLength)
        default: return bytes(Int.random(in: 0...maximumLength))
        }
    }

    /// A copy with one random bit flipped; an empty input becomes one random byte,
    /// which is also a different message.
    static func flippingOneBit(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [UInt8.random(in: .min ... .max)] }
        var copy = bytes
        let bit = Int.random(in: 0..<(bytes.count * 8))
        copy[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        return copy
    }
}

/// Whether Sigil rejects: `false`, or a thrown ``SigilError`` (a malformed signature is
/// rejected before any arithmetic). Any other error is not a rejection.
func sigilRejects(_ verify: () throws -> Bool) -> Bool {
    do {
        return try !verify()
    } catch is SigilError {
        return true
    } catch {
        Issue.record("Sigil threw something other than SigilError: \(error)")
        return false
    }
}
