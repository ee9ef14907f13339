package import ArgumentParser
internal import FoundationEssentials
import Glibc
package import SigilCore

package struct VerifyCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a signature or a signed envelope with public keys, offline.",
        discussion: """
            Prints `valid` and exits 0 when the signature verifies; prints `invalid` and exits 1 \
            when it does not (or when no trusted key could have made it); exits 2 with a one-line \
            reason on standard error when the input cannot be checked at all (unreadable or \
            malformed key, signature or envelope, unknown algorithm, an algorithm that does not \
            suit the key, a digest of the wrong length).

            Envelopes (--format auto detects them): DSSE (in-toto attestations), Sigstore bundles \
            v0.3 in key mode, JWS (compact or JSON), JWT, COSE_Sign1. They are checked against \
            --trust: a JWKS file, a PEM file of public keys or a directory of *.pem files (a \
            PEM key's id is its RFC 7638 JWK thumbprint, the id `sigil sign` writes); or against \
            one --public-key. The envelope names the key by id; the trust store, never the \
            envelope, decides which algorithms a key may verify. The payload is released \
            (--payload-out, --output json) only once verified. A Sigstore bundle's transparency \
            log entries and certificates are not checked in key mode, and the output says so.

            Sigil's own signatures: the message is streamed, so inputs of any size verify in \
            constant memory. With --signature-document (what `sigil sign` writes) the algorithm, \
            digest and signature come from the document: the input's digest must equal the \
            signed one and the public key's SHA-256 fingerprint the document's (else exit 2 \
            naming both), then the signature must verify.

            Examples:
              sigil verify --trust releases.jwks --artifact app.tar.gz app.tar.gz.sigstore.json
              sigil verify --trust keys/ --threshold 2 --payload-out statement.json app.intoto.json
              sigil verify --trust service.jwks --issuer https://issuer.example --audience api token.jwt
              sigil verify --signature-document app.tar.gz.sig.json \\
                           --public-key releases.pem app.tar.gz
              sigil verify --public-key key.pem --algorithm ECDSA_SHA_256 --signature app.sig app.tar.gz
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The format: auto, dsse, sigstore-bundle, jws, jwt, cose, or sigil (a bare signature or signature document).",
            valueName: "format"))
    package var format: EnvelopeFormat = .auto

    @Option(name: .long, help: ArgumentHelp("The public key: DER SubjectPublicKeyInfo or PEM, detected.", valueName: "file"))
    package var publicKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The keys to trust for an envelope: a JWKS file, a PEM file, or a directory of *.pem files.", valueName: "file|dir"))
    package var trust: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The signed file an envelope does not carry: a bundle's artifact, an in-toto subject, a detached payload.",
            valueName: "file"))
    package var artifact: String?

    @Option(name: .long, help: ArgumentHelp("DSSE: how many distinct trusted keys must have signed (default 1).", valueName: "k"))
    package var threshold: Int = 1

    @Option(name: .long, help: ArgumentHelp("JWT: the issuer (iss) the token must name.", valueName: "issuer"))
    package var issuer: String?

    @Option(name: .long, help: ArgumentHelp("JWT: an audience (aud) the token must include.", valueName: "audience"))
    package var audience: String?

    @Option(name: .long, help: ArgumentHelp("COSE: a file of external additional authenticated data.", valueName: "file"))
    package var externalAad: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Write the envelope's payload (a JWT's claims) here, once verified.", valueName: "file"))
    package var payloadOut: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The signing algorithm, as KMS names it: \(SigningAlgorithm.all.map(\.kmsName).joined(separator: ", ")).",
            valueName: "name"))
    package var algorithm: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The signature: binary, or base64 text as KMS and the AWS CLI print it.", valueName: "file"))
    package var signature: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A detached signature document from `sigil sign` (FILE.sig.json), in place of --algorithm and --signature.",
            valueName: "file"))
    package var signatureDocument: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "RAW: the input is the message. DIGEST: the input is its hash (binary or hex), never hashed again.",
            valueName: "RAW|DIGEST"))
    package var messageType: String = "RAW"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "ECDSA signature encoding: der (X9.62, as KMS returns it) or raw (r||s, IEEE P1363, as JWS uses).",
            valueName: "der|raw"))
    package var signatureFormat: String = "der"

    @Option(name: .long, help: "Print text or a JSON object for scripts.")
    package var output: OutputFormat = .text

    @Argument(
        help: ArgumentHelp(
            "The envelope, or for Sigil's own signatures the signed input; - or nothing for standard input.",
            valueName: "input"))
    package var input: String = "-"

    /// Envelopes larger than this are not envelopes (DSSE's own limit).
    package static let envelopeLimit = 64 << 20

    /// Signatures are never larger than this (RSA-16384 is 2048 bytes; base64 adds a third).
    package static let signatureFileLimit = 8192
    package static let keyFileLimit = 1 << 20

    package func run() throws {
        do {
            let (resolved, envelope) = try resolveFormat()
            if let envelope {
                let outcome = try verifyEnvelope(envelope, as: resolved)
                try report(outcome)
                if !outcome.valid { throw ExitCode(ExitStatus.invalidSignature) }
                return
            }
            let outcome = try signatureDocument == nil ? verify() : verifyDocument()
            report(outcome)
            if !outcome.valid { throw ExitCode(ExitStatus.invalidSignature) }
        } catch let error as SigilError {
            if output == .json {
                Terminal.printJSON(["result": "error", "code": .string(error.code.name), "message": .string(error.message)])
            }
            Terminal.writeError(error.description)
            throw ExitCode(ExitStatus.inputError)
        }
    }

    /// The format to verify, and for an envelope its bytes (`nil` for Sigil's own).
    package func resolveFormat() throws -> (EnvelopeFormat, [UInt8]?) {
        let sigilOptions = signature != nil || signatureDocument != nil || algorithm != nil
        if format == .sigil || (format == .auto && sigilOptions) {
            let envelopeOptions: [(String, Bool)] = [
                ("--trust", trust != nil), ("--artifact", artifact != nil), ("--issuer", issuer != nil),
                ("--audience", audience != nil), ("--external-aad", externalAad != nil),
                ("--payload-out", payloadOut != nil), ("--threshold", threshold != 1),
            ]
            if let (name, _) = envelopeOptions.first(where: \.1) {
                throw SigilError(.invalidArgument, "\(name) is for envelopes; Sigil's own signatures take --public-key")
            }
            guard publicKey != nil else {
                throw SigilError(.invalidArgument, "name the public key: --public-key FILE")
            }
            return (.sigil, nil)
        }
        if sigilOptions || messageType.uppercased() != MessageType.raw.kmsName {
            throw SigilError(
                .invalidArgument,
                "--signature, --signature-document, --algorithm and --message-type are for Sigil's own signatures, not envelopes")
        }
        let envelope = try InputFiles.readSmall(input, role: "envelope", limit: Self.envelopeLimit)
        let resolved = format == .auto
            ? try EnvelopeFormat.detect(envelope, claimsChecked: issuer != nil || audience != nil)
            : format
        return (resolved, envelope)
    }

    package func verifyEnvelope(_ envelope: [UInt8], as format: EnvelopeFormat) throws -> EnvelopeOutcome {
        guard threshold >= 1 else {
            throw SigilError(.invalidArgument, "--threshold must be at least 1")
        }
        if threshold != 1, format != .dsse {
            throw SigilError(.invalidArgument, "--threshold is for DSSE envelopes; this is \(format.rawValue)")
        }
        if issuer != nil || audience != nil, format != .jwt {
            throw SigilError(.invalidArgument, "--issuer and --audience are for JWTs; this is \(format.rawValue)")
        }
        if externalAad != nil, format != .cose {
            throw SigilError(.invalidArgument, "--external-aad is for COSE messages; this is \(format.rawValue)")
        }
        if payloadOut == "-" {
            throw SigilError(.invalidArgument, "--payload-out needs a file; standard output carries the verdict")
        }
        var verifier = EnvelopeVerifier(
            trustStore: try TrustStore.forVerify(trust: trust, publicKey: publicKey), artifact: artifact)
        verifier.threshold = threshold
        verifier.issuer = issuer
        verifier.audience = audience
        if let externalAad {
            verifier.externalAAD = try InputFiles.readSmall(externalAad, role: "external AAD file", limit: Self.envelopeLimit)
        }
        return try verifier.verify(envelope, as: format)
    }

    package func report(_ outcome: EnvelopeOutcome) throws {
        if outcome.valid, let payloadOut, let payload = outcome.payload {
            let file = try OutputFile(path: payloadOut, private: false)
            do {
                try payload.withUnsafeBytes { try file.write($0) }
                try file.commit()
            } catch {
                file.abandon()
                throw error
            }
        }
        switch output {
        case .text:
            print(outcome.valid ? "valid" : "invalid")
            if let reason = outcome.reason { Terminal.writeStandardError("sigil: \(reason)\n") }
            for notice in outcome.notices { Terminal.writeStandardError("sigil: note: \(notice)\n") }
        case .json:
            var object: [String: JSONValue] = [
                "result": outcome.valid ? "valid" : "invalid",
                "format": .string(outcome.format.rawValue),
                "keyIds": .strings(outcome.keyIDs),
            ]
            if let algorithm = outcome.algorithm { object["algorithm"] = .string(algorithm) }
            if let payloadType = outcome.payloadType { object["payloadType"] = .string(payloadType) }
            if let claims = outcome.claims, let parsed = JSONValue.parse(Array(claims.utf8)) {
                object["claims"] = parsed
            }
            if let reason = outcome.reason { object["reason"] = .string(reason) }
            if !outcome.notices.isEmpty { object["notices"] = .strings(outcome.notices) }
            Terminal.printJSON(object)
        }
    }

    package struct Outcome {
        var valid: Bool
        var algorithm: SigningAlgorithm
        var messageType: MessageType
        var key: PublicKey
        /// Why a signature document's input is invalid, when it is.
        var reason: String? = nil
        /// The signing key's ARN, from a signature document.
        var keyId: String? = nil
    }

    package func verify() throws -> Outcome {
        guard let algorithmName = algorithm, let signature else {
            throw SigilError(
                .invalidArgument,
                "name the signature: --signature-document FILE.sig.json, or --algorithm with --signature")
        }
        let algorithm = try SigningAlgorithm(kmsName: algorithmName)
        let messageType = try MessageType(kmsName: messageType)
        let format = try Self.parseFormat(signatureFormat)
        let key = try PublicKey(encoded: InputFiles.readSmall(publicKey!, role: "public key file", limit: Self.keyFileLimit))
        try key.checkCompatible(algorithm)
        let signatureFile = try InputFiles.readSmall(signature, role: "signature file", limit: Self.signatureFileLimit)
        let signatureBytes = InputFiles.base64Text(signatureFile) ?? signatureFile

        let valid: Bool
        if messageType == .digest {
            let size = algorithm.hashFunction.digestSize
            let raw = try InputFiles.readSmall(input, role: "digest file", limit: 4 * size + 2)
            let digest = InputFiles.hexText(raw, length: size) ?? raw
            valid = try key.isValidSignature(signatureBytes, forDigest: digest, algorithm: algorithm, format: format)
        } else if input == "-" {
            valid = try key.isValidSignature(signatureBytes, readingFromDescriptor: STDIN_FILENO, algorithm: algorithm, format: format)
        } else {
            try Self.checkReadable(input)
            valid = try key.isValidSignature(
                signatureBytes, forContentsOf: URL(fileURLWithPath: input), algorithm: algorithm, format: format)
        }
        return Outcome(valid: valid, algorithm: algorithm, messageType: messageType, key: key)
    }

    /// Verifies INPUT against a signature document: digest, then key, then signature.
    package func verifyDocument() throws -> Outcome {
        guard algorithm == nil, signature == nil else {
            throw SigilError(
                .invalidArgument, "--signature-document carries the algorithm and signature; drop --algorithm and --signature")
        }
        guard messageType.uppercased() == MessageType.raw.kmsName else {
            throw SigilError(
                .invalidArgument, "with --signature-document the input is the signed file itself; drop --message-type")
        }
        let checked = try SignatureDocument.read(signatureDocument!)
        let document = checked.document
        let key = try PublicKey(encoded: InputFiles.readSmall(publicKey!, role: "public key file", limit: Self.keyFileLimit))
        guard key.fingerprint == document.publicKeyFingerprint.lowercased() else {
            throw SigilError(
                .algorithmKeyMismatch,
                "the public key \(publicKey!) (SHA256:\(key.fingerprint)) is not the key that signed \(signatureDocument!) "
                    + "(SHA256:\(document.publicKeyFingerprint.lowercased()), \(document.keyId))")
        }
        try key.checkCompatible(checked.algorithm)
        let format = try Self.parseFormat(signatureFormat)
        // Reject a malformed signature as an error (exit 2) before reading a large input.
        _ = try key.isValidSignature(checked.signature, forDigest: checked.digest, algorithm: checked.algorithm, format: format)

        if input != "-" { try Self.checkReadable(input) }
        let source = try InputSource(path: input)
        defer { source.close() }
        let digest = try FileDigest.digest(ofDescriptor: source.descriptor, named: source.name, using: checked.algorithm.hashFunction)
        var outcome = Outcome(valid: false, algorithm: checked.algorithm, messageType: .digest, key: key, keyId: document.keyId)
        guard ConstantTime.equals(digest, checked.digest) else {
            outcome.reason = "the \(checked.algorithm.hashFunction.name) digest of \(source.name) is not the one that was signed"
            return outcome
        }
        outcome.valid = try key.isValidSignature(
            checked.signature, forDigest: digest, algorithm: checked.algorithm, format: format)
        if !outcome.valid { outcome.reason = "the signature does not verify with this public key" }
        return outcome
    }

    package func report(_ outcome: Outcome) {
        switch output {
        case .text:
            print(outcome.valid ? "valid" : "invalid")
            if let reason = outcome.reason { Terminal.writeStandardError("sigil: \(reason)\n") }
        case .json:
            var object: [String: JSONValue] = [
                "result": outcome.valid ? "valid" : "invalid",
                "algorithm": .string(outcome.algorithm.kmsName),
                "messageType": .string(outcome.messageType.kmsName),
                "keySpec": .string(outcome.key.keySpec?.kmsName ?? "\(outcome.key.family)_\(outcome.key.sizeInBits)"),
                "fingerprint": .string(outcome.key.fingerprint),
            ]
            if let keyId = outcome.keyId { object["keyId"] = .string(keyId) }
            if let reason = outcome.reason { object["reason"] = .string(reason) }
            Terminal.printJSON(object)
        }
    }

    package static func parseFormat(_ name: String) throws -> SignatureFormat {
        switch name.lowercased() {
        case "der": return .der
        case "raw", "p1363": return .raw
        default: throw SigilError(.invalidArgument, "unknown signature format '\(name)' (known: der, raw)")
        }
    }

    /// Fails early, with the file's name, on inputs that cannot be streamed.
    package static func checkReadable(_ path: String) throws {
        switch FileKind(path) {
        case nil: throw SigilError(.ioFailure, "input \(path) does not exist")
        case .directory?: throw SigilError(.ioFailure, "input \(path) is a directory")
        case .other?: break
        }
    }
}
