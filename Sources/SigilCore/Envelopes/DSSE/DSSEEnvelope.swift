public import FoundationEssentials

/// A DSSE envelope (Dead Simple Signing Envelope, the in-toto attestation wrapper): a
/// payload, its type, and signatures over both.
///
/// Each signature covers the pre-authentication encoding (PAE) of the payload type and the
/// payload, never the JSON, so re-encoding the envelope does not break it. The payload of
/// a parsed envelope is not exposed: ``verify(using:threshold:)`` returns it, and only
/// once enough trusted keys have signed it.
public struct DSSEEnvelope: Sendable {
    /// One signature of an envelope.
    public struct Signature: Sendable, Hashable {
        /// The id of the key that made it, as the signer named it; empty when unnamed. It is
        /// not signed: it only says which trusted key to try.
        public var keyID: String
        /// The signature bytes: for RSA the PKCS #1 v1.5 or PSS block, for ECDSA the DER
        /// `Ecdsa-Sig-Value` (what the reference implementations write).
        public var signature: [UInt8]

        /// A signature made by the key `keyID` (empty when the signer names no key).
        public init(keyID: String, signature: [UInt8]) {
            self.keyID = keyID
            self.signature = signature
        }
    }

    /// Bounds on an envelope read from outside.
    public struct Limits: Sendable, Hashable {
        /// The largest envelope, in bytes of JSON, that is parsed at all.
        public var maximumEnvelopeSize: Int
        /// The most signatures an envelope may carry; each one may cost a verification per
        /// trusted key.
        public var maximumSignatures: Int

        /// Limits of your choosing.
        public init(maximumEnvelopeSize: Int, maximumSignatures: Int) {
            self.maximumEnvelopeSize = maximumEnvelopeSize
            self.maximumSignatures = maximumSignatures
        }

        /// 64 MiB of JSON and 16 signatures.
        public static let `default` = Limits(maximumEnvelopeSize: 64 << 20, maximumSignatures: 16)
    }

    /// The payload type of an in-toto attestation.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// The payload type, a media type or URI naming how to read the payload. Signed.
    public let payloadType: String
    /// The serialized body; read it through ``verify(using:threshold:)``.
    let payload: [UInt8]
    /// The signatures, in envelope order.
    public let signatures: [Signature]

    /// Assembles an envelope from a payload and signatures made over its PAE (the producer
    /// side: sign ``preAuthenticationEncoding(payloadType:payload:)`` first).
    ///
    /// - Parameters:
    ///   - payloadType: The payload type that was signed.
    ///   - payload: The payload that was signed.
    ///   - signatures: One or more signatures over the PAE of both.
    /// - Throws: ``SigilError`` with code `invalidArgument` when there is no signature or
    ///   one is empty.
    public init(payloadType: String, payload: some DataProtocol, signatures: [Signature]) throws {
        guard !signatures.isEmpty else {
            throw SigilError(.invalidArgument, "a DSSE envelope needs at least one signature")
        }
        guard signatures.allSatisfy({ !$0.signature.isEmpty }) else {
            throw SigilError(.invalidArgument, "a DSSE signature is empty")
        }
        self.payloadType = payloadType
        self.payload = Array(payload)
        self.signatures = signatures
    }

    /// Parses an envelope in its JSON form.
    ///
    /// Either base64 alphabet is accepted for `payload` and `sig` (canonical spellings
    /// only); unknown members are ignored, as the specification requires; a missing
    /// `keyid` reads as an empty one.
    ///
    /// - Parameters:
    ///   - jsonRepresentation: The envelope's JSON.
    ///   - limits: Bounds on its size and number of signatures.
    /// - Throws: ``SigilError`` with code `malformedMessage` for input that is not a DSSE
    ///   envelope (naming the member at fault), `unsupportedMessage` past a limit.
    public init(jsonRepresentation: some DataProtocol, limits: Limits = .default) throws {
        guard jsonRepresentation.count <= limits.maximumEnvelopeSize else {
            throw SigilError(
                .unsupportedMessage,
                "the DSSE envelope is \(jsonRepresentation.count) bytes, over the limit of \(limits.maximumEnvelopeSize)")
        }
        let wire = try DSSEJSON.decode(Wire.self, from: jsonRepresentation, what: "the DSSE envelope")
        try self.init(wire: wire, limits: limits)
    }

    init(wire: Wire, limits: Limits) throws {
        guard wire.signatures.count <= limits.maximumSignatures else {
            throw SigilError(
                .unsupportedMessage,
                "the DSSE envelope has \(wire.signatures.count) signatures, over the limit of \(limits.maximumSignatures)")
        }
        payloadType = wire.payloadType
        payload = wire.payload.bytes
        signatures = wire.signatures.map { Signature(keyID: $0.keyid ?? "", signature: $0.sig.bytes) }
    }

    /// The envelope's JSON: standard base64, and `keyid` always written (empty when the
    /// signer names no key), since some readers (securesystemslib) require the member.
    public var jsonRepresentation: [UInt8] { DSSEJSON.encode(wire) }

    var wire: Wire {
        Wire(
            payload: DSSEBase64Bytes(payload), payloadType: payloadType,
            signatures: signatures.map { Wire.Signature(keyid: $0.keyID, sig: DSSEBase64Bytes($0.signature)) })
    }

    /// The bytes a DSSE signature covers: `DSSEv1 <len(type)> <type> <len(body)> <body>`,
    /// lengths in bytes written as ASCII decimal, fields separated by one space.
    ///
    /// - Parameters:
    ///   - payloadType: The payload type, encoded as UTF-8.
    ///   - payload: The payload.
    /// - Returns: The PAE bytes to sign or verify.
    public static func preAuthenticationEncoding(payloadType: String, payload: some DataProtocol) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var encoding = Array("DSSEv1 \(type.count) ".utf8)
        encoding.reserveCapacity(encoding.count + type.count + payload.count + 24)
        encoding += type
        encoding += Array(" \(payload.count) ".utf8)
        encoding += payload
        return encoding
    }

    /// The PAE of this envelope's payload type and payload.
    var preAuthenticationEncoding: [UInt8] {
        Self.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
    }

    /// The JSON form. Every member the specification requires must be present; `keyid` may
    /// be absent.
    struct Wire: Codable {
        struct Signature: Codable {
            var keyid: String?
            var sig: DSSEBase64Bytes
        }

        var payload: DSSEBase64Bytes
        var payloadType: String
        var signatures: [Signature]
    }
}
