public import FoundationEssentials

/// The artifact a Sigstore bundle is about: bytes in memory or a file, streamed.
public struct SigstoreArtifact: Sendable {
    enum Source {
        case bytes([UInt8])
        case file(URL)
    }

    let source: Source

    /// An artifact held in memory.
    public static func bytes(_ bytes: some DataProtocol) -> SigstoreArtifact {
        SigstoreArtifact(source: .bytes(Array(bytes)))
    }

    /// An artifact in a file, read once in constant memory when the bundle is verified.
    public static func file(_ url: URL) -> SigstoreArtifact {
        SigstoreArtifact(source: .file(url))
    }

    func digests(_ functions: [HashFunction]) throws -> DSSEArtifactDigests {
        switch source {
        case .bytes(let bytes): try DSSEArtifactDigests(bytes, functions: functions)
        case .file(let url): try DSSEArtifactDigests(contentsOf: url, functions: functions)
        }
    }
}

/// What verifying a Sigstore bundle in key mode established, and what it did not.
public struct VerifiedSigstoreBundle: Sendable {
    /// The trusted key whose signature verified.
    public let keyID: String
    /// The algorithm it verified with.
    public let algorithm: SigningAlgorithm
    /// The DSSE payload type, for a bundle holding a DSSE envelope.
    public let payloadType: String?
    /// The DSSE payload, for a bundle holding a DSSE envelope.
    public let payload: [UInt8]?
    /// Whether the artifact was checked: for a message signature, its digest and the
    /// signature over it; for a DSSE envelope, that the artifact is one of the in-toto
    /// statement's subjects. `false` only for a DSSE bundle verified without an artifact.
    public let artifactVerified: Bool
    /// Always `false`: key mode does not verify transparency-log entries (inclusion
    /// proofs, promises, integrated times).
    public let transparencyLogVerified: Bool
    /// Always `false`: key mode does not verify RFC 3161 signed timestamps.
    public let timestampsVerified: Bool
    /// How many transparency-log entries the bundle carries, unverified.
    public let transparencyLogEntryCount: Int
    /// How many signed timestamps the bundle carries, unverified.
    public let signedTimestampCount: Int

    /// A sentence saying what was and was not verified, for a CLI to print beside `valid`.
    public var keyModeNotice: String {
        let artifact = artifactVerified ? "" : " No artifact was checked against the envelope's subjects."
        return "Key mode: the signature was verified with trusted key '\(keyID)' (\(algorithm)); "
            + "the bundle's \(transparencyLogEntryCount) transparency-log entr\(transparencyLogEntryCount == 1 ? "y" : "ies") and "
            + "\(signedTimestampCount) signed timestamp\(signedTimestampCount == 1 ? "" : "s") were NOT verified, "
            + "so nothing is established about when it was signed or whether it was logged.\(artifact)"
    }
}

extension SigstoreBundle {
    /// Verifies the bundle against trusted keys, in key mode.
    ///
    /// The key is the one `publicKey.hint` names, tried with each algorithm the store allows
    /// it (every trusted key when the hint is empty). For a message signature, the artifact
    /// is required: its digest must equal the bundle's `messageDigest` and the signature must
    /// verify over the artifact itself. For a DSSE envelope the signature covers the PAE;
    /// given an artifact, the payload must also be an in-toto statement with the artifact
    /// among its subjects. Certificates, transparency-log entries and timestamps are never
    /// verified: the result says so.
    ///
    /// - Parameters:
    ///   - trustStore: The keys to trust.
    ///   - artifact: The artifact; required for a message signature.
    /// - Returns: The key and algorithm that verified, the DSSE payload if any, and what was
    ///   not verified.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the bundle is
    ///   *invalid* (signature, digest or subject mismatch, or a hint naming no trusted key),
    ///   `unsupportedMessage` for a bundle that carries a certificate instead of a public
    ///   key, `invalidArgument` for a message signature without an artifact, `ioFailure`
    ///   when the artifact's file cannot be read.
    public func verify(using trustStore: TrustStore, artifact: SigstoreArtifact?) throws -> VerifiedSigstoreBundle {
        guard let hint = publicKeyHint else {
            throw SigilError(
                .unsupportedMessage,
                "the Sigstore bundle carries a certificate, not a public-key hint; certificate (keyless) bundles cannot be verified in key mode")
        }
        let candidates = trustStore.candidates(keyID: hint.isEmpty ? nil : hint)
        guard !candidates.isEmpty else {
            throw SigilError(.authenticationFailure, "the Sigstore bundle names key '\(hint)', which is not in the trust store")
        }
        if let envelope = dsseEnvelope {
            return try verifyEnvelope(envelope, candidates: candidates, artifact: artifact)
        }
        guard let signature = messageSignature else {
            throw SigilError(.malformedMessage, "the Sigstore bundle holds no signature")
        }
        guard let artifact else {
            throw SigilError(.invalidArgument, "a Sigstore bundle with a message signature is verified against its artifact; none was given")
        }
        var functions = candidates.flatMap { $0.algorithms.map(\.hashFunction) }
        if let function = signature.digestAlgorithm { functions.append(function) }
        let digests = try artifact.digests(functions)
        if let function = signature.digestAlgorithm, digests[function] != signature.digest {
            throw SigilError(.authenticationFailure, "the artifact's \(function) digest does not match the Sigstore bundle's messageDigest")
        }
        var message = DSSESignedMessage(digests: digests.all)
        for key in candidates {
            if let algorithm = message.verifyingAlgorithm(of: signature.signature, with: key) {
                return result(keyID: key.id, algorithm: algorithm, payloadType: nil, payload: nil, artifactVerified: true)
            }
        }
        throw SigilError(.authenticationFailure, "the Sigstore bundle's signature does not verify over the artifact with \(keyNames(candidates))")
    }

    private func verifyEnvelope(_ envelope: DSSEEnvelope, candidates: [TrustedKey], artifact: SigstoreArtifact?) throws -> VerifiedSigstoreBundle {
        var message = DSSESignedMessage(envelope.preAuthenticationEncoding)
        let signature = envelope.signatures[0].signature
        var verified: (key: TrustedKey, algorithm: SigningAlgorithm)?
        for key in candidates {
            if let algorithm = message.verifyingAlgorithm(of: signature, with: key) {
                verified = (key, algorithm)
                break
            }
        }
        guard let (key, algorithm) = verified else {
            throw SigilError(.authenticationFailure, "the Sigstore bundle's DSSE signature does not verify with \(keyNames(candidates))")
        }
        if let artifact {
            guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType else {
                throw SigilError(
                    .authenticationFailure,
                    "the Sigstore bundle's DSSE payload is '\(envelope.payloadType)', not an in-toto statement naming the artifact")
            }
            let statement: InTotoStatement
            do {
                statement = try InTotoStatement(jsonRepresentation: envelope.payload)
            } catch let error as SigilError {
                throw SigilError(.authenticationFailure, "the Sigstore bundle's DSSE payload cannot name the artifact: \(error.message)")
            }
            let matching: [InTotoStatement.Subject]
            switch artifact.source {
            case .bytes(let bytes): matching = try statement.subjects(matching: bytes)
            case .file(let url): matching = try statement.subjects(matchingContentsOf: url)
            }
            guard !matching.isEmpty else {
                throw SigilError(.authenticationFailure, "the artifact is none of the in-toto statement's \(statement.subjects.count) subjects")
            }
        }
        return result(
            keyID: key.id, algorithm: algorithm, payloadType: envelope.payloadType, payload: envelope.payload,
            artifactVerified: artifact != nil)
    }

    private func result(
        keyID: String, algorithm: SigningAlgorithm, payloadType: String?, payload: [UInt8]?, artifactVerified: Bool
    ) -> VerifiedSigstoreBundle {
        VerifiedSigstoreBundle(
            keyID: keyID, algorithm: algorithm, payloadType: payloadType, payload: payload,
            artifactVerified: artifactVerified, transparencyLogVerified: false, timestampsVerified: false,
            transparencyLogEntryCount: transparencyLogEntryCount, signedTimestampCount: signedTimestampCount)
    }

    private func keyNames(_ keys: [TrustedKey]) -> String {
        keys.count == 1 ? "trusted key '\(keys[0].id)'" : "any of the \(keys.count) trusted keys"
    }
}
