import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

/// The formats `sigil sign --format` writes.
enum SignatureOutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// Sigil's detached signature document (INPUT.sig.json).
    case sigil
    case dsse
    case sigstoreBundle = "sigstore-bundle"
    case jws
    case jwt
    case cose

    /// The file name added to INPUT when -o is not given.
    var defaultSuffix: String {
        switch self {
        case .sigil: return ".sig.json"
        case .dsse: return ".dsse.json"
        case .sigstoreBundle: return ".sigstore.json"
        case .jws: return ".jws"
        case .jwt: return ".jwt"
        case .cose: return ".cose"
        }
    }
}

/// One signing key of the key holder, checked once: its public key, ARN and the id
/// envelopes name it by. Every signature it returns is verified with that public key
/// before anything is written.
struct KeyHolderSigner {
    let connection: KeyHolderConnection
    let keyId: String
    let algorithm: SigningAlgorithm
    let publicKey: PublicKey
    /// The key's ARN, as the key holder names it.
    let arn: String
    /// The id envelopes carry (`kid`, `keyid`, the bundle's hint): the RFC 7638 JWK
    /// thumbprint of the public key. It is what a verifier computes from the PEM or JWKS
    /// alone, it stays the same whatever alias or ARN names the key, and
    /// `sigil public-key export --format jwks` writes it as the `kid`.
    let envelopeKeyID: String

    /// Fetches and checks the key: a SIGN_VERIFY key that offers `algorithm`.
    static func prepare(_ connection: KeyHolderConnection, keyId: String, algorithm: SigningAlgorithm) async throws -> KeyHolderSigner {
        let response = try await connection.call { try await $0.getPublicKey(keyId: keyId) }
        guard let der = response.publicKey?.bytes, !der.isEmpty else {
            throw SigilError(.malformedKey, "the key holder's GetPublicKey response for \(keyId) has no PublicKey")
        }
        let publicKey = try PublicKey(derRepresentation: der)
        if let usage = response.keyUsage, usage != .signVerify {
            throw SigilError(.invalidKeyUsage, "\(response.keyId ?? keyId) is a \(usage.rawValue) key; signing needs SIGN_VERIFY")
        }
        if let offered = response.signingAlgorithms, !offered.map(\.rawValue).contains(algorithm.kmsName) {
            throw SigilError(
                .algorithmKeyMismatch,
                "\(response.keyId ?? keyId) does not sign with \(algorithm.kmsName); it offers \(offered.map(\.rawValue).joined(separator: ", "))")
        }
        guard let arn = response.keyId, arn.hasPrefix("arn:") else {
            throw SigilError(.malformedMessage, "the key holder did not name the key's ARN in its GetPublicKey response")
        }
        return KeyHolderSigner(
            connection: connection, keyId: arn, algorithm: algorithm, publicKey: publicKey, arn: arn,
            envelopeKeyID: try JWK.thumbprint(of: publicKey))
    }

    /// Signs a digest made with the algorithm's hash (KMS MessageType DIGEST): one call
    /// whatever the size of what was hashed. ECDSA signatures come back DER.
    func sign(digest: [UInt8]) async throws -> [UInt8] {
        let signed = try await connection.call {
            try await $0.sign(
                keyId: keyId, message: digest, messageType: .digest,
                signingAlgorithm: KMS.SigningAlgorithm(rawValue: algorithm.kmsName))
        }
        guard let signature = signed.signature?.bytes, !signature.isEmpty else {
            throw SigilError(.malformedSignature, "the key holder's Sign response has no Signature")
        }
        guard try publicKey.isValidSignature(signature, forDigest: digest, algorithm: algorithm) else {
            throw SigilError(
                .cryptoFailure,
                "the key holder's signature does not verify with the public key it returned for \(arn); nothing was written")
        }
        return signature
    }

    /// Signs `bytes` by their digest.
    func sign(bytes: [UInt8]) async throws -> [UInt8] {
        try await sign(digest: algorithm.hashFunction.hash(bytes))
    }
}

/// Builds each envelope locally around a signature from the key holder, then checks it
/// with the verifier side before it is handed back to be written.
struct EnvelopeSigner {
    let signer: KeyHolderSigner

    /// A DSSE envelope of `payload` with one signature over its PAE.
    func dsse(payload: [UInt8], payloadType: String) async throws -> [UInt8] {
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
        let signature = try await signer.sign(bytes: pae)
        let envelope = try DSSEEnvelope(
            payloadType: payloadType, payload: payload,
            signatures: [.init(keyID: signer.envelopeKeyID, signature: signature)])
        _ = try envelope.verify(using: trustStore())
        return envelope.jsonRepresentation
    }

    /// A Sigstore bundle v0.3 (key mode) holding a message signature over the file at
    /// `path`, streamed: its digest is what the key holder signs.
    func sigstoreBundle(artifactAt path: String) async throws -> [UInt8] {
        let hash = signer.algorithm.hashFunction
        let digest: [UInt8]
        do {
            let source = try InputSource(path: path)
            defer { source.close() }
            digest = try FileDigest.digest(ofDescriptor: source.descriptor, named: source.name, using: hash)
        }
        let signature = try await signer.sign(digest: digest)
        let bundle = try SigstoreBundle(
            messageSignature: signature, digest: digest, digestAlgorithm: hash, publicKeyHint: signer.envelopeKeyID)
        if path != "-" {
            _ = try bundle.verify(using: trustStore(), artifact: .file(URL(fileURLWithPath: path)))
        }
        return bundle.jsonRepresentation
    }

    /// A compact JWS of `payload`, or a JWT when `claims` is true (`typ: JWT`, the payload
    /// checked to be a claims set).
    func jws(payload: [UInt8], claims: Bool, contentType: String?) async throws -> [UInt8] {
        let algorithm = try joseAlgorithm()
        let input = claims
            ? try JWT.signingInput(claims: payload, algorithm: algorithm, keyID: signer.envelopeKeyID)
            : try JWSSigningInput(algorithm: algorithm, payload: payload, keyID: signer.envelopeKeyID, contentType: contentType)
        let signature = try await signer.sign(digest: input.digest())
        let token = try input.compactSerialization(kmsSignature: signature)
        if claims {
            _ = try JWT.verify(token, trustStore: trustStore())
        } else {
            _ = try JWS(serialization: Array(token.utf8), options: EnvelopeVerifier.jwsOptions).verify(using: trustStore())
        }
        return Array(token.utf8)
    }

    /// A tagged COSE_Sign1 of `payload`, every header protected.
    func cose(payload: [UInt8], contentType: String?) async throws -> [UInt8] {
        guard let spec = signer.publicKey.keySpec,
              let algorithm = COSEAlgorithm(signingAlgorithm: signer.algorithm, keySpec: spec)
        else {
            throw SigilError(.unknownAlgorithm, "COSE has no algorithm for \(signer.algorithm.kmsName) with this key")
        }
        let builder = try COSESign1Builder(
            algorithm: algorithm, keyID: signer.envelopeKeyID, contentType: contentType.map { .mediaType($0) },
            payload: payload)
        let signature = try await signer.sign(bytes: builder.toBeSigned)
        let message = try builder.message(signature: signature, format: .der, tagged: true)
        do {
            _ = try COSESign1(cborRepresentation: message).verify(using: trustStore())
        } catch let error as SigilError where error.code == .authenticationFailure {
            throw SigilError(.cryptoFailure, "the COSE message built around the key holder's signature does not verify")
        }
        return message
    }

    private func joseAlgorithm() throws -> JOSEAlgorithm {
        guard let algorithm = JOSEAlgorithm(signingAlgorithm: signer.algorithm, curve: signer.publicKey.curve) else {
            throw SigilError(.unknownAlgorithm, "JOSE has no algorithm for \(signer.algorithm.kmsName) with this key")
        }
        return algorithm
    }

    private func trustStore() throws -> TrustStore {
        try TrustStore([TrustedKey(id: signer.envelopeKeyID, publicKey: signer.publicKey, algorithms: [signer.algorithm])])
    }
}
