import Sigil
import SigilCrypto
import SigilKMS
import SigilKeyStore

// The one place where KMS's wire enumerations (open sets of strings, as a request may
// carry any value) meet Sigil's closed types. Going out, every Sigil value has its wire
// name; coming in, a wire value Sigil does not implement becomes `nil`, and the caller
// says in KMS's terms why it is refused.

extension KMS.KeySpec {
    init(_ spec: KMSKeySpec) { self.init(rawValue: spec.kmsName) }
}

extension KMSKeySpec {
    /// `nil` for a spec Sigil does not create (HMAC, SM2, ML-DSA…).
    init?(_ wire: KMS.KeySpec) { self.init(kmsName: wire.rawValue) }
}

extension KeySpec {
    /// The key pair a data-key-pair spec names; `nil` for one Sigil does not generate.
    init?(_ wire: KMS.DataKeyPairSpec) {
        guard let spec = KeySpec(kmsName: wire.rawValue), KeySpec.allAsymmetric.contains(spec) else { return nil }
        self = spec
    }
}

extension KMS.KeyUsage {
    init(_ usage: KeyUsage) { self.init(rawValue: usage.kmsName) }
}

extension KeyUsage {
    /// `nil` for a usage Sigil does not serve (GENERATE_VERIFY_MAC, KEY_AGREEMENT).
    init?(_ wire: KMS.KeyUsage) { self.init(kmsName: wire.rawValue) }
}

extension KMS.KeyState {
    init(_ state: KeyState) { self.init(rawValue: state.kmsName) }
}

extension KMS.RotationType {
    init(_ type: RotationType) { self.init(rawValue: type.kmsName) }
}

extension KMS.SigningAlgorithm {
    init(_ algorithm: SigningAlgorithm) { self.init(rawValue: algorithm.kmsName) }
}

extension SigningAlgorithm {
    /// `nil` for an algorithm Sigil does not implement (SM2DSA, ML-DSA, Ed25519…).
    init?(_ wire: KMS.SigningAlgorithm) {
        guard let algorithm = try? SigningAlgorithm(kmsName: wire.rawValue) else { return nil }
        self = algorithm
    }
}

/// What Sign and Verify are given: the message, which the key holder hashes with the
/// algorithm's hash, or that digest already made (`MessageType`).
enum SigningInput {
    case raw
    case digest

    /// RAW when the request names none; `nil` for a type Sigil does not know
    /// (EXTERNAL_MU, for ML-DSA).
    init?(_ wire: KMS.MessageType?) {
        switch wire ?? .raw {
        case .raw: self = .raw
        case .digest: self = .digest
        default: return nil
        }
    }
}

/// The encryption algorithm a request names, as the key holder serves it.
enum EncryptionScheme {
    /// AES-256-GCM under a symmetric key (SYMMETRIC_DEFAULT, the default).
    case symmetric
    /// RSA-OAEP under an RSA key.
    case rsaOAEP(RSAEncryptionPadding)

    /// SYMMETRIC_DEFAULT when the request names none; `nil` for an algorithm Sigil does not
    /// implement (SM2PKE).
    init?(_ wire: KMS.EncryptionAlgorithm?) {
        switch wire ?? .symmetricDefault {
        case .symmetricDefault: self = .symmetric
        case .rsaesOaepSha1: self = .rsaOAEP(.oaepSHA1)
        case .rsaesOaepSha256: self = .rsaOAEP(.oaepSHA256)
        default: return nil
        }
    }
}
