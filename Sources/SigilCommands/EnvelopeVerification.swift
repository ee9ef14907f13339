internal import ArgumentParser
internal import FoundationEssentials
package import SigilCore
package import SigilCrypto

/// The signed formats `sigil verify --format` reads.
package enum EnvelopeFormat: String, CaseIterable, ExpressibleByArgument {
    /// Told from the input: an option of Sigil's own format (--signature, --signature-document)
    /// or the envelope's first bytes.
    case auto
    case dsse
    case sigstoreBundle = "sigstore-bundle"
    case jws
    case jwt
    case cose
    /// Sigil's own: a bare signature (--signature) or a signature document.
    case sigil

    /// Tells an envelope's format from its bytes: CBOR tag 18 or a four-item array is
    /// COSE_Sign1; a JSON object is a Sigstore bundle (`mediaType`), a DSSE envelope
    /// (`payloadType`) or a JWS JSON serialization (`signatures`/`signature`); three
    /// base64url parts are a compact JWS, a JWT when its header says `typ: JWT`.
    package static func detect(_ bytes: [UInt8], claimsChecked: Bool) throws -> EnvelopeFormat {
        guard let first = firstNonWhitespace(bytes) else {
            throw SigilError(.malformedMessage, "the envelope is empty")
        }
        if first == 0xD2 || first == 0x84 { return .cose }
        if first == UInt8(ascii: "{") {
            guard let object = JSONValue.parse(bytes), case .object = object else {
                throw SigilError(.malformedMessage, "the envelope starts like JSON but is not a JSON object")
            }
            if let mediaType = object["mediaType"]?.stringValue, mediaType.contains("sigstore.bundle") { return .sigstoreBundle }
            if object["payloadType"] != nil { return .dsse }
            if object["signatures"] != nil || object["signature"] != nil { return .jws }
            throw SigilError(
                .malformedMessage,
                "cannot tell which envelope this JSON is (no mediaType, payloadType or signatures); name it with --format")
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(where: \.isWhitespace)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy(Self.isBase64URL) }) else {
            throw SigilError(
                .malformedMessage,
                "the input is not an envelope (COSE, JSON or a compact JWS): name its format with --format, "
                    + "or the signature of a bare input with --signature or --signature-document")
        }
        if claimsChecked { return .jwt }
        let header = (try? Base64URL.decode(String(parts[0]), what: "the JWS header"))
            .flatMap { JSONValue.parse($0) }
        let type = header?["typ"]?.stringValue?.lowercased()
        return type == "jwt" || type == "application/jwt" ? .jwt : .jws
    }

    /// The first byte that is not JSON whitespace (space, tab, CR, LF).
    package static func firstNonWhitespace(_ bytes: [UInt8]) -> UInt8? {
        bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }

    private static func isBase64URL(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }
}

/// What verifying an envelope concluded, for printing.
package struct EnvelopeOutcome {
    package var format: EnvelopeFormat
    package var valid: Bool
    /// Why it is invalid, when it is.
    package var reason: String? = nil
    /// The ids of the trusted keys whose signatures verified.
    package var keyIDs: [String] = []
    /// The algorithm, as the envelope names it (JOSE/COSE) or as KMS does (DSSE, bundles).
    package var algorithm: String? = nil
    package var payloadType: String? = nil
    /// The verified payload: released only when `valid`.
    package var payload: [UInt8]? = nil
    /// A JWT's claims, as JSON text.
    package var claims: String? = nil
    /// What was not checked (a Sigstore bundle's log entries, in key mode).
    package var notices: [String] = []
}

/// Verifies DSSE envelopes, Sigstore bundles, JWS, JWT and COSE_Sign1 against a trust store.
package struct EnvelopeVerifier {
    package var trustStore: TrustStore
    /// The file the envelope signs, when it is not inside it: a bundle's message, an
    /// in-toto subject, a detached JWS or COSE payload.
    package var artifact: String?
    package var threshold: Int = 1
    package var issuer: String?
    package var audience: String?
    package var externalAAD: [UInt8] = []

    /// Verifies `envelope` in `format` (never `.auto` or `.sigil`).
    ///
    /// - Returns: The outcome; an invalid signature or a key the store does not trust is an
    ///   `invalid` outcome, not an error.
    /// - Throws: ``SigilError`` for an envelope or artifact that cannot be checked at all.
    package func verify(_ envelope: [UInt8], as format: EnvelopeFormat) throws -> EnvelopeOutcome {
        do {
            switch format {
            case .dsse: return try verifyDSSE(envelope)
            case .sigstoreBundle: return try verifyBundle(envelope)
            case .jws: return try verifyJWS(envelope)
            case .jwt: return try verifyJWT(envelope)
            case .cose: return try verifyCOSE(envelope)
            case .auto, .sigil:
                throw SigilError(.invalidArgument, "internal: \(format.rawValue) is not an envelope format")
            }
        } catch let error as SigilError where Self.meansInvalid(error) {
            return EnvelopeOutcome(format: format, valid: false, reason: error.message)
        }
    }

    /// A JWS signing a file may be as large as the file, unlike a token: the CLI reads it
    /// up to the envelope limit. (JWTs keep the library's 256 KiB.)
    package static let jwsOptions = JWS.Options(maximumSize: VerifyCommand.envelopeLimit)

    /// The verifiers' answers that say "this signature cannot be trusted" rather than "this
    /// input cannot be read": a signature that does not verify, an unmet threshold, claims
    /// that fail, or no trusted key for what the envelope names.
    package static func meansInvalid(_ error: SigilError) -> Bool {
        error.code == .authenticationFailure || error.code == .notFound
    }

    private func artifactBytes(role: String) throws -> [UInt8]? {
        guard let artifact else { return nil }
        return try InputFiles.readSmall(artifact, role: role, limit: 64 << 20)
    }

    private func verifyDSSE(_ envelope: [UInt8]) throws -> EnvelopeOutcome {
        let verified = try DSSEEnvelope(jsonRepresentation: envelope).verify(using: trustStore, threshold: threshold)
        var outcome = EnvelopeOutcome(
            format: .dsse, valid: true, keyIDs: verified.keyIDs,
            algorithm: Set(verified.signers.map(\.algorithm.kmsName)).sorted().joined(separator: ","),
            payloadType: verified.payloadType, payload: verified.payload)
        if let artifact {
            guard let statement = try verified.inTotoStatement() else {
                throw SigilError(
                    .invalidArgument,
                    "--artifact needs an in-toto statement to check it against; this envelope's payload is \(verified.payloadType)")
            }
            try VerifyCommand.checkReadable(artifact)
            if try statement.subjects(matchingContentsOf: URL(fileURLWithPath: artifact)).isEmpty {
                outcome = EnvelopeOutcome(
                    format: .dsse, valid: false,
                    reason: "\(artifact) matches none of the statement's \(statement.subjects.count) subject digests")
            }
        }
        return outcome
    }

    private func verifyBundle(_ envelope: [UInt8]) throws -> EnvelopeOutcome {
        let bundle = try SigstoreBundle(jsonRepresentation: envelope)
        if let artifact { try VerifyCommand.checkReadable(artifact) }
        let verified = try bundle.verify(
            using: trustStore, artifact: artifact.map { .file(URL(fileURLWithPath: $0)) })
        return EnvelopeOutcome(
            format: .sigstoreBundle, valid: true, keyIDs: [verified.keyID], algorithm: verified.algorithm.kmsName,
            payloadType: verified.payloadType, payload: verified.payload, notices: [verified.keyModeNotice])
    }

    private func verifyJWS(_ envelope: [UInt8]) throws -> EnvelopeOutcome {
        let jws = try JWS(serialization: envelope, options: Self.jwsOptions)
        let detached = jws.isDetached ? try artifactBytes(role: "detached payload") : nil
        if jws.isDetached, detached == nil {
            throw SigilError(.invalidArgument, "the JWS payload is detached: give it with --artifact FILE")
        }
        let verified = try jws.verify(using: trustStore, detachedPayload: detached)
        return EnvelopeOutcome(
            format: .jws, valid: true, keyIDs: [verified.keyID], algorithm: verified.algorithm.name,
            payloadType: verified.header.contentType, payload: verified.payload)
    }

    private func verifyJWT(_ envelope: [UInt8]) throws -> EnvelopeOutcome {
        let options = JWTValidationOptions(issuer: issuer, audience: audience)
        let verified = try JWT.verify(data: envelope, trustStore: trustStore, options: options)
        let claims = verified.claims.jsonRepresentation
        return EnvelopeOutcome(
            format: .jwt, valid: true, keyIDs: [verified.keyID], algorithm: verified.algorithm.name,
            payloadType: "JWT", payload: claims, claims: String(decoding: claims, as: UTF8.self))
    }

    private func verifyCOSE(_ envelope: [UInt8]) throws -> EnvelopeOutcome {
        let message = try COSESign1(cborRepresentation: envelope)
        let detached = message.isDetached ? try artifactBytes(role: "detached payload") : nil
        if message.isDetached, detached == nil {
            throw SigilError(.invalidArgument, "the COSE payload is detached: give it with --artifact FILE")
        }
        let verified = try message.verify(using: trustStore, externalAAD: externalAAD, detachedPayload: detached)
        let payloadType: String? = switch verified.headers.contentType {
        case .mediaType(let type)?: type
        case .coapContentFormat(let number)?: "CoAP content format \(number)"
        case nil: nil
        }
        return EnvelopeOutcome(
            format: .cose, valid: true, keyIDs: [verified.key.id], algorithm: verified.algorithm.name,
            payloadType: payloadType, payload: verified.payload)
    }
}

extension TrustStore {
    /// The trust store `sigil verify` was told to use: `--trust` (a JWKS file, a PEM file of
    /// one or more public keys, or a directory of `*.pem` files) or `--public-key` (one key,
    /// whose id is its RFC 7638 JWK thumbprint).
    package static func forVerify(trust: String?, publicKey: String?) throws -> TrustStore {
        switch (trust, publicKey) {
        case (nil, nil):
            throw SigilError(.invalidArgument, "name the keys to trust: --trust FILE|DIR, or --public-key FILE for one key")
        case (_?, _?):
            throw SigilError(.invalidArgument, "--trust and --public-key both name the keys to trust; give one")
        case (nil, let path?):
            let bytes = try InputFiles.readSmall(path, role: "public key file", limit: VerifyCommand.keyFileLimit)
            return try TrustStore(publicKeys: [PublicKey(encoded: bytes)])
        case (let path?, nil):
            if FileKind(path) == .directory {
                return try TrustStore(pemDirectoryAt: URL(fileURLWithPath: path))
            }
            let bytes = try InputFiles.readSmall(path, role: "trust file", limit: 4 << 20)
            if EnvelopeFormat.firstNonWhitespace(bytes) == UInt8(ascii: "{") {
                return try TrustStore(jwksData: bytes)
            }
            if PEM.looksLikePEM(bytes) {
                return try TrustStore(pemText: String(decoding: bytes, as: UTF8.self), source: path)
            }
            return try TrustStore(publicKeys: [PublicKey(derRepresentation: bytes)])
        }
    }
}
