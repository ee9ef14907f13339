import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a file through the key holder: a Sigil signature document, DSSE, a Sigstore bundle, JWS, JWT or COSE_Sign1.",
        discussion: """
            The signing input is built here and only its digest goes to the key holder (KMS \
            Sign, MessageType DIGEST): one call whatever the size. Before anything is written, \
            the signature is checked against the key's public key (GetPublicKey) and the \
            envelope is verified as a verifier would; the output appears only once complete.

            Formats (--format):
              sigil            a detached signature document, INPUT.sig.json (the default)
              dsse             a DSSE envelope of INPUT (--payload-type, default in-toto JSON)
              sigstore-bundle  a Sigstore bundle v0.3 in key mode: a message signature over
                               INPUT, streamed (no transparency log entry)
              jws              a compact JWS of INPUT (ECDSA as r||s)
              jwt              a JWT of the claims in --claims FILE (no INPUT)
              cose             a tagged COSE_Sign1 of INPUT

            Envelopes name the key by the RFC 7638 thumbprint of its public key: the id a \
            verifier computes from the PEM, and the kid of `sigil public-key export --format \
            jwks`. Verify offline with `sigil verify --trust KEYS ENVELOPE`.

            The key holder is configured as for `sigil keys` (--endpoint-url, --region, \
            --profile, AWS credentials).

            Examples:
              sigil sign --key-id alias/releases --algorithm ECDSA_SHA_256 app.tar.gz
              sigil sign --format sigstore-bundle --key-id alias/releases \\
                         --algorithm ECDSA_SHA_256 app.tar.gz
              sigil sign --format dsse --key-id alias/ci --algorithm ECDSA_SHA_256 statement.json
              sigil sign --format jwt --claims claims.json --key-id alias/tokens \\
                         --algorithm RSASSA_PKCS1_V1_5_SHA_256 -o token.jwt
            """
    )

    @OptionGroup var keyHolder: KeyHolderOptions

    @Option(name: .long, help: ArgumentHelp("The signing key: id, ARN, alias name or alias ARN.", valueName: "key"))
    var keyId: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The signing algorithm: \(SigningAlgorithm.all.map(\.kmsName).joined(separator: ", ")).", valueName: "name"))
    var algorithm: String

    @Option(name: .long, help: ArgumentHelp("sigil, dsse, sigstore-bundle, jws, jwt or cose.", valueName: "format"))
    var format: SignatureOutputFormat = .sigil

    @Option(
        name: .long,
        help: ArgumentHelp(
            "DSSE: the payload type (default application/vnd.in-toto+json); JWS and COSE: the content type.",
            valueName: "type"))
    var payloadType: String?

    @Option(name: .long, help: ArgumentHelp("JWT: a file holding the claims, a JSON object.", valueName: "file"))
    var claims: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Where to write the result (default: INPUT with .sig.json, .dsse.json, .sigstore.json, .jws or .cose added; a JWT goes to standard output).",
            valueName: "file"))
    var output: String?

    @Argument(help: ArgumentHelp("The file to sign; - for standard input (then -o is needed).", valueName: "input"))
    var input: String?

    /// Envelopes carry their payload, so it is read whole; this bounds it.
    static let payloadLimit = 64 << 20

    func run() async throws {
        let algorithm = try SigningAlgorithm(kmsName: algorithm)
        let target = try outputPath()
        if format == .sigil {
            return try await signDocument(algorithm: algorithm, target: target)
        }
        if payloadType != nil, format == .sigstoreBundle || format == .jwt {
            throw SigilError(.invalidArgument, "--payload-type is for dsse, jws and cose, not \(format.rawValue)")
        }
        let signer = EnvelopeSigner(
            signer: try await KeyHolderSigner.prepare(keyHolder.connection(), keyId: keyId, algorithm: algorithm))
        let envelope: [UInt8]
        switch format {
        case .dsse:
            envelope = try await signer.dsse(
                payload: readPayload(), payloadType: payloadType ?? DSSEEnvelope.inTotoPayloadType)
        case .sigstoreBundle:
            envelope = try await signer.sigstoreBundle(artifactAt: try inputPath())
        case .jws:
            envelope = try await signer.jws(payload: readPayload(), claims: false, contentType: payloadType)
        case .jwt:
            envelope = try await signer.jws(payload: readPayload(), claims: true, contentType: nil)
        case .cose:
            envelope = try await signer.cose(payload: readPayload(), contentType: payloadType)
        case .sigil:
            return
        }
        try Self.write(envelope + (format == .jws || format == .jwt ? [0x0A] : []), to: target)
        if let target, target != "-" {
            print("signed \(input ?? claims ?? "-") with \(signer.signer.arn) (\(algorithm.kmsName), key id \(signer.signer.envelopeKeyID)) as \(format.rawValue): \(target)")
        }
    }

    /// Where the result goes: -o, or INPUT with the format's suffix; `nil` for standard output.
    func outputPath() throws -> String? {
        if format == .jwt {
            guard input == nil else {
                throw SigilError(.invalidArgument, "a JWT signs the claims of --claims FILE; drop the input \(input!)")
            }
            guard claims != nil else { throw SigilError(.invalidArgument, "--format jwt needs --claims FILE") }
            return output
        }
        if claims != nil { throw SigilError(.invalidArgument, "--claims is for --format jwt") }
        let input = try inputPath()
        if let output { return output }
        guard input != "-" else {
            throw SigilError(.invalidArgument, "signing standard input needs -o FILE for the result")
        }
        return input + format.defaultSuffix
    }

    func inputPath() throws -> String {
        guard let input else { throw SigilError(.invalidArgument, "name the file to sign (or - for standard input)") }
        return input
    }

    func readPayload() throws -> [UInt8] {
        if format == .jwt {
            return try InputFiles.readSmall(claims!, role: "claims file", limit: 1 << 20)
        }
        return try InputFiles.readSmall(try inputPath(), role: "input", limit: Self.payloadLimit)
    }

    static func write(_ bytes: [UInt8], to target: String?) throws {
        let sink = try OutputFile(path: target, private: false)
        do {
            try bytes.withUnsafeBytes { try sink.write($0) }
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
    }

    /// Sigil's own detached signature document, as before the envelopes.
    func signDocument(algorithm: SigningAlgorithm, target: String?) async throws {
        let input = try inputPath()
        let target = target ?? input + format.defaultSuffix
        let source = try InputSource(path: input)
        let digest: [UInt8]
        do {
            defer { source.close() }
            digest = try FileDigest.digest(ofDescriptor: source.descriptor, named: source.name, using: algorithm.hashFunction)
        }
        let signer = try await KeyHolderSigner.prepare(keyHolder.connection(), keyId: keyId, algorithm: algorithm)
        let signature = try await signer.sign(digest: digest)
        let arn = signer.arn
        let publicKey = signer.publicKey

        let document = SignatureDocument(
            keyId: arn, signingAlgorithm: algorithm.kmsName, messageType: MessageType.digest.kmsName,
            digestAlgorithm: algorithm.hashFunction.name, digest: Hex.lowercase(digest),
            signature: Data(signature).base64EncodedString(), publicKeyFingerprint: publicKey.fingerprint)
        try Self.write(document.encoded(), to: target)
        if target != "-" {
            print("signed \(input) with \(arn) (\(algorithm.kmsName)): \(target)")
        }
    }
}
