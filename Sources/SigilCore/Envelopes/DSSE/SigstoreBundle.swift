public import FoundationEssentials

/// A Sigstore bundle (v0.3, JSON form): a signature over an artifact, or a DSSE envelope,
/// with the material to verify it.
///
/// Sigil verifies bundles in *key mode*: the bundle names a trusted key by
/// `verificationMaterial.publicKey.hint`. Certificate chains, transparency-log entries and
/// signed timestamps are carried but never verified; ``VerifiedSigstoreBundle`` says so.
public struct SigstoreBundle: Sendable {
    /// A signature over an artifact's bytes, with the artifact's digest.
    public struct MessageSignature: Sendable, Hashable {
        /// The hash function of ``digest``; `nil` when the bundle gives no digest.
        public let digestAlgorithm: HashFunction?
        /// The artifact's digest: a hint that must match the artifact, not what is signed.
        public let digest: [UInt8]?
        /// The signature over the artifact itself (for ECDSA, DER).
        public let signature: [UInt8]
    }

    /// The media type of a v0.3 bundle, the one Sigil writes.
    public static let mediaTypeV03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// The older spelling of the v0.3 media type, also accepted.
    static let legacyMediaTypeV03 = "application/vnd.dev.sigstore.bundle+json;version=0.3"
    static let olderMediaTypes = [
        "application/vnd.dev.sigstore.bundle+json;version=0.1": "v0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2": "v0.2",
    ]

    /// The bundle's media type.
    public let mediaType: String
    /// The trusted key's id the bundle names (`verificationMaterial.publicKey.hint`); empty
    /// when it names none (every trusted key is then tried); `nil` when the bundle carries a
    /// certificate instead, which key mode refuses.
    public let publicKeyHint: String?
    /// The signature over an artifact, when the bundle holds one.
    public let messageSignature: MessageSignature?
    /// The DSSE envelope, when the bundle holds one instead.
    public let dsseEnvelope: DSSEEnvelope?
    /// How many transparency-log entries the bundle carries (never verified by Sigil).
    public let transparencyLogEntryCount: Int
    /// How many RFC 3161 signed timestamps the bundle carries (never verified by Sigil).
    public let signedTimestampCount: Int

    /// Parses a bundle in its JSON form (proto3 JSON: camelCase members, standard base64).
    ///
    /// - Parameters:
    ///   - jsonRepresentation: The bundle's JSON.
    ///   - limits: Bounds on its size and, for a DSSE envelope, on its signatures.
    /// - Throws: ``SigilError`` with code `malformedMessage` for JSON that is not a bundle
    ///   (naming the member at fault), `unsupportedMessage` for another version than v0.3 or
    ///   past a limit, `unknownAlgorithm` for a digest algorithm other than SHA-2.
    public init(jsonRepresentation: some DataProtocol, limits: DSSEEnvelope.Limits = .default) throws {
        guard jsonRepresentation.count <= limits.maximumEnvelopeSize else {
            throw SigilError(
                .unsupportedMessage,
                "the Sigstore bundle is \(jsonRepresentation.count) bytes, over the limit of \(limits.maximumEnvelopeSize)")
        }
        let wire = try DSSEJSON.decode(Wire.self, from: jsonRepresentation, what: "the Sigstore bundle")
        if let version = Self.olderMediaTypes[wire.mediaType] {
            throw SigilError(
                .unsupportedMessage,
                "Sigstore bundle \(version) is not supported: Sigil reads v0.3 bundles (\(Self.mediaTypeV03))")
        }
        guard wire.mediaType == Self.mediaTypeV03 || wire.mediaType == Self.legacyMediaTypeV03 else {
            throw SigilError(.unsupportedMessage, "'\(wire.mediaType)' is not a Sigstore bundle v0.3 media type")
        }
        let material = wire.verificationMaterial
        let materials = [material.publicKey != nil, material.x509CertificateChain != nil, material.certificate != nil]
        guard materials.filter({ $0 }).count == 1 else {
            throw SigilError(
                .malformedMessage,
                "the Sigstore bundle's verificationMaterial must hold exactly one of publicKey, x509CertificateChain, certificate")
        }
        switch (wire.messageSignature, wire.dsseEnvelope) {
        case (let signature?, nil):
            messageSignature = try Self.messageSignature(signature)
            dsseEnvelope = nil
        case (nil, let envelope?):
            let envelope = try DSSEEnvelope(wire: envelope, limits: limits)
            guard envelope.signatures.count == 1 else {
                throw SigilError(
                    .malformedMessage,
                    "the Sigstore bundle's DSSE envelope has \(envelope.signatures.count) signatures; a bundle holds exactly one")
            }
            messageSignature = nil
            dsseEnvelope = envelope
        default:
            throw SigilError(.malformedMessage, "the Sigstore bundle must hold exactly one of messageSignature, dsseEnvelope")
        }
        mediaType = wire.mediaType
        publicKeyHint = material.publicKey.map { $0.hint ?? "" }
        transparencyLogEntryCount = material.tlogEntries?.count ?? 0
        signedTimestampCount = material.timestampVerificationData?.rfc3161Timestamps?.count ?? 0
    }

    /// Assembles a v0.3 bundle around a signature over an artifact (the producer side).
    ///
    /// - Parameters:
    ///   - signature: The signature over the artifact (for ECDSA, DER).
    ///   - digest: The artifact's digest under `digestAlgorithm`.
    ///   - digestAlgorithm: SHA-256, SHA-384 or SHA-512.
    ///   - publicKeyHint: The id verifiers know the signing key by.
    /// - Throws: ``SigilError`` with code `unknownAlgorithm` for another hash function,
    ///   `invalidArgument` for an empty signature or a digest of the wrong length.
    public init(messageSignature signature: [UInt8], digest: [UInt8], digestAlgorithm: HashFunction, publicKeyHint: String) throws {
        guard Self.hashNames.contains(where: { $0.1 == digestAlgorithm }) else {
            throw SigilError(.unknownAlgorithm, "a Sigstore bundle digest is SHA-256, SHA-384 or SHA-512, not \(digestAlgorithm)")
        }
        guard !signature.isEmpty, digest.count == digestAlgorithm.digestSize else {
            throw SigilError(.invalidArgument, "a Sigstore message signature needs a signature and a \(digestAlgorithm) digest")
        }
        mediaType = Self.mediaTypeV03
        self.publicKeyHint = publicKeyHint
        messageSignature = MessageSignature(digestAlgorithm: digestAlgorithm, digest: digest, signature: signature)
        dsseEnvelope = nil
        transparencyLogEntryCount = 0
        signedTimestampCount = 0
    }

    /// Assembles a v0.3 bundle around a DSSE envelope (the producer side).
    ///
    /// - Parameters:
    ///   - dsseEnvelope: The envelope, with exactly one signature.
    ///   - publicKeyHint: The id verifiers know the signing key by.
    /// - Throws: ``SigilError`` with code `invalidArgument` for an envelope with more than one
    ///   signature.
    public init(dsseEnvelope: DSSEEnvelope, publicKeyHint: String) throws {
        guard dsseEnvelope.signatures.count == 1 else {
            throw SigilError(.invalidArgument, "a Sigstore bundle holds a DSSE envelope with exactly one signature")
        }
        mediaType = Self.mediaTypeV03
        self.publicKeyHint = publicKeyHint
        messageSignature = nil
        self.dsseEnvelope = dsseEnvelope
        transparencyLogEntryCount = 0
        signedTimestampCount = 0
    }

    /// The bundle's JSON: v0.3 media type, the public-key hint, empty `tlogEntries`.
    ///
    /// Only bundles Sigil assembled or parsed in key mode are written; a parsed bundle's
    /// transparency-log entries, timestamps and certificates are not carried over.
    public var jsonRepresentation: [UInt8] {
        let signature = messageSignature.map { signature in
            Wire.MessageSignature(
                messageDigest: signature.digestAlgorithm.flatMap { function in
                    signature.digest.map { Wire.HashOutput(algorithm: Self.name(of: function), digest: DSSEBase64Bytes($0)) }
                },
                signature: DSSEBase64Bytes(signature.signature))
        }
        let wire = Wire(
            mediaType: Self.mediaTypeV03,
            verificationMaterial: .init(publicKey: .init(hint: publicKeyHint ?? ""), tlogEntries: []),
            messageSignature: signature,
            dsseEnvelope: dsseEnvelope?.wire)
        return DSSEJSON.encode(wire)
    }

    static let hashNames: [(String, HashFunction)] = [("SHA2_256", .sha256), ("SHA2_384", .sha384), ("SHA2_512", .sha512)]

    static func name(of function: HashFunction) -> String {
        hashNames.first { $0.1 == function }?.0 ?? "HASH_ALGORITHM_UNSPECIFIED"
    }

    private static func messageSignature(_ wire: Wire.MessageSignature) throws -> MessageSignature {
        guard !wire.signature.bytes.isEmpty else {
            throw SigilError(.malformedMessage, "the Sigstore bundle's messageSignature.signature is empty")
        }
        guard let digest = wire.messageDigest else {
            return MessageSignature(digestAlgorithm: nil, digest: nil, signature: wire.signature.bytes)
        }
        guard let function = hashNames.first(where: { $0.0 == digest.algorithm })?.1 else {
            throw SigilError(
                .unknownAlgorithm,
                "the Sigstore bundle's digest algorithm '\(digest.algorithm)' is not SHA2_256, SHA2_384 or SHA2_512")
        }
        guard digest.digest.bytes.count == function.digestSize else {
            throw SigilError(
                .malformedMessage,
                "the Sigstore bundle's \(digest.algorithm) digest is \(digest.digest.bytes.count) bytes, not \(function.digestSize)")
        }
        return MessageSignature(digestAlgorithm: function, digest: digest.digest.bytes, signature: wire.signature.bytes)
    }

    /// The JSON form, as far as key mode reads it.
    struct Wire: Codable {
        struct PublicKeyIdentifier: Codable { var hint: String? }
        struct HashOutput: Codable {
            var algorithm: String
            var digest: DSSEBase64Bytes
        }
        struct MessageSignature: Codable {
            var messageDigest: HashOutput?
            var signature: DSSEBase64Bytes
        }
        struct TimestampData: Codable { var rfc3161Timestamps: [DSSEOpaqueJSON]? }
        struct Material: Codable {
            var publicKey: PublicKeyIdentifier?
            var x509CertificateChain: DSSEOpaqueJSON?
            var certificate: DSSEOpaqueJSON?
            var tlogEntries: [DSSEOpaqueJSON]?
            var timestampVerificationData: TimestampData?
        }

        var mediaType: String
        var verificationMaterial: Material
        var messageSignature: MessageSignature?
        var dsseEnvelope: DSSEEnvelope.Wire?
    }
}

extension SigstoreBundle.Wire.Material {
    init(publicKey: SigstoreBundle.Wire.PublicKeyIdentifier, tlogEntries: [DSSEOpaqueJSON]) {
        self.init(publicKey: publicKey, x509CertificateChain: nil, certificate: nil, tlogEntries: tlogEntries, timestampVerificationData: nil)
    }
}
