import Foundation
import Sigil
import SigilTestSupport

/// Throwaway keys and signing helpers for the JOSE tests.
enum JOSETestKeys {
    /// The key spec a JOSE algorithm is tested with.
    static func spec(for algorithm: JOSEAlgorithm) -> KeySpec {
        switch algorithm.curve {
        case .p256?: .eccNistP256
        case .p384?: .eccNistP384
        case .p521?: .eccNistP521
        case .secp256k1?: .eccSecgP256k1
        default: .rsa2048
        }
    }

    /// A throwaway private key for `algorithm`, generated once per process.
    static func privateKey(for algorithm: JOSEAlgorithm) throws -> AsymmetricPrivateKey {
        try TestSupport.privateKey(spec(for: algorithm))
    }

    /// The public key of `privateKey`.
    static func publicKey(of privateKey: AsymmetricPrivateKey) throws -> PublicKey {
        try PublicKey(privateKey.publicKey)
    }

    /// A store holding the test key of `algorithm` under `id`.
    static func store(for algorithm: JOSEAlgorithm, id: String = "test-key", algorithms: [SigningAlgorithm]? = nil) throws -> TrustStore {
        try TrustStore([TrustedKey(id: id, publicKey: publicKey(of: privateKey(for: algorithm)), algorithms: algorithms)])
    }

    /// The KMS-style signature (DER for ECDSA) of a signing input.
    static func kmsSignature(_ input: JWSSigningInput, with privateKey: AsymmetricPrivateKey) throws -> [UInt8] {
        try privateKey.signature(forDigest: input.digest(), scheme: input.algorithm.signingAlgorithm.scheme)
    }

    /// A compact JWS over `payload` signed with the test key of `algorithm`.
    static func compactToken(
        _ algorithm: JOSEAlgorithm, payload: [UInt8] = Array("hello, JOSE".utf8), keyID: String? = "test-key",
        type: String? = nil, detached: Bool = false
    ) throws -> String {
        let input = try JWSSigningInput(algorithm: algorithm, payload: payload, keyID: keyID, type: type)
        return try input.compactSerialization(kmsSignature: kmsSignature(input, with: privateKey(for: algorithm)), detached: detached)
    }

    /// A compact JWS with an arbitrary protected header (as JSON text) and payload, signed
    /// with the test key of `algorithm`.
    static func compactToken(rawHeader: String, payload: [UInt8], signedWith algorithm: JOSEAlgorithm) throws -> String {
        let signingInput = Base64URL.encode(Array(rawHeader.utf8)) + "." + Base64URL.encode(payload)
        let digest = try algorithm.signingAlgorithm.hashFunction.hash(Array(signingInput.utf8))
        let der = try privateKey(for: algorithm).signature(forDigest: digest, scheme: algorithm.signingAlgorithm.scheme)
        return signingInput + "." + Base64URL.encode(try algorithm.joseSignature(fromKMSSignature: der))
    }

    /// The `SigilError` code `body` throws, or `nil` when it does not throw.
    static func errorCode(_ body: () throws -> Void) -> SigilError.Code? {
        do {
            try body()
            return nil
        } catch let error as SigilError {
            return error.code
        } catch {
            return SigilError.Code.cryptoFailure
        }
    }

    /// The message of the `SigilError` `body` throws, or `nil`.
    static func errorMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as SigilError {
            return error.message
        } catch {
            return "\(error)"
        }
    }
}
