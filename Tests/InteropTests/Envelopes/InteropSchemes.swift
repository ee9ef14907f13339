import Foundation
import Sigil
import SigilTestSupport

/// A securesystemslib signing scheme, the key spec it is tested with, and Sigil's algorithm
/// for it: the algorithms of the DSSE and Sigstore interop tests.
struct InteropScheme: CustomStringConvertible {
    let name: String
    let spec: KeySpec
    let algorithm: SigningAlgorithm

    var description: String { name }

    /// Every scheme securesystemslib and Sigil both have (securesystemslib has no
    /// secp256k1; Sigil has no SHA-224).
    static let all: [InteropScheme] = [
        InteropScheme(name: "ecdsa-sha2-nistp256", spec: .eccNistP256, algorithm: .ecdsaSHA256),
        InteropScheme(name: "ecdsa-sha2-nistp384", spec: .eccNistP384, algorithm: .ecdsaSHA384),
        InteropScheme(name: "ecdsa-sha2-nistp521", spec: .eccNistP521, algorithm: .ecdsaSHA512),
        InteropScheme(name: "rsassa-pss-sha256", spec: .rsa2048, algorithm: .rsassaPSSSHA256),
        InteropScheme(name: "rsassa-pss-sha384", spec: .rsa2048, algorithm: .rsassaPSSSHA384),
        InteropScheme(name: "rsassa-pss-sha512", spec: .rsa2048, algorithm: .rsassaPSSSHA512),
        InteropScheme(name: "rsa-pkcs1v15-sha256", spec: .rsa2048, algorithm: .rsassaPKCS1V1_5SHA256),
        InteropScheme(name: "rsa-pkcs1v15-sha384", spec: .rsa2048, algorithm: .rsassaPKCS1V1_5SHA384),
        InteropScheme(name: "rsa-pkcs1v15-sha512", spec: .rsa2048, algorithm: .rsassaPKCS1V1_5SHA512),
    ]

    /// What Sigil signs with but securesystemslib cannot, counted as skipped.
    static let skippedReason = "securesystemslib has no secp256k1 scheme"

    /// securesystemslib's description of a key of this scheme.
    func entry(_ path: String, keyID: String) -> EnvelopeDriver.KeyEntry {
        EnvelopeDriver.KeyEntry(path: path, keyID: keyID, scheme: name)
    }

    /// The key, trusted under `id` for this scheme's algorithm only.
    func trusted(_ key: InteropKey, as id: String) throws -> TrustedKey {
        try TrustedKey(id: id, publicKey: key.publicKey, algorithms: [algorithm])
    }
}

/// The payloads and envelopes both sides sign in the DSSE and Sigstore tests.
enum InteropDSSE {
    /// An in-toto Statement v1 naming `artifact` (by SHA-256) as its only subject.
    static func statement(for artifact: [UInt8], name: String) throws -> [UInt8] {
        let digest = TestSupport.hex(try HashFunction.sha256.hash(artifact))
        return Array(
            (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\#(name)","digest":{"sha256":"\#(digest)"}}],"#
                + #""predicateType":"https://sigil.example/interop/v1","predicate":{"producer":"Sigil"}}"#).utf8)
    }

    /// A DSSE envelope over `payload` with one signature per signer, each made by Sigil over
    /// the PAE as a key holder signs (DER for ECDSA).
    static func envelope(
        payload: [UInt8], payloadType: String = DSSEEnvelope.inTotoPayloadType,
        signers: [(key: InteropKey, id: String, algorithm: SigningAlgorithm)]
    ) throws -> DSSEEnvelope {
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
        return try DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signers.map { signer in
            DSSEEnvelope.Signature(keyID: signer.id, signature: try signer.key.sign(pae, signer.algorithm))
        })
    }
}
