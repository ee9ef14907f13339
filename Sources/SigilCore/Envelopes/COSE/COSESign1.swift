public import FoundationEssentials

/// A COSE_Sign1 message (RFC 9052 §4.2): one signature over a payload and a protected
/// header, tagged (CBOR tag 18) or untagged.
///
/// Parsing checks the structure and the headers; the payload is released only by
/// ``verify(using:externalAAD:detachedPayload:)``, and only when the signature verifies
/// with a key of the trust store that is allowed the message's algorithm.
///
/// ```swift
/// let verified = try COSESign1(cborRepresentation: bytes).verify(using: trustStore)
/// use(verified.payload)
/// ```
///
/// As with ``DSSEEnvelope`` and ``JWS``, a signature that does not verify is thrown as
/// ``SigilError`` with code `authenticationFailure`, its message saying why.
public struct COSESign1: Sendable {
    /// The CBOR tag of a COSE_Sign1 message.
    public static let tag: UInt64 = 18

    /// Whether the message carried tag 18.
    public let isTagged: Bool
    /// The protected header exactly as encoded in the message (`body_protected`).
    public let protectedHeaderBytes: [UInt8]
    /// The headers, as the message states them: not yet verified.
    public let unverifiedHeaders: COSEHeaders
    /// Whether the payload is detached (nil in the message) and must be supplied.
    public var isDetached: Bool { payload == nil }
    /// The signature bytes (ECDSA as r‖s).
    public let signature: [UInt8]
    private let payload: [UInt8]?

    /// Parses a tagged or untagged COSE_Sign1 message.
    ///
    /// - Parameters:
    ///   - cborRepresentation: The encoded message.
    ///   - limits: The bounds the CBOR reader keeps to, for the message and for the
    ///     protected header inside it.
    /// - Throws: ``SigilError`` with code `malformedMessage` when the bytes are not a
    ///   well-formed COSE_Sign1 (a tag other than 18, not four elements, wrong types,
    ///   broken header rules, see ``COSEHeaders``), `unknownAlgorithm` for an algorithm
    ///   Sigil does not support, `unsupportedMessage` for an unknown critical header or
    ///   input beyond `limits`.
    public init(cborRepresentation: some DataProtocol, limits: CBOR.DecodingLimits = .default) throws {
        var item = try CBOR(decoding: cborRepresentation, limits: limits)
        if case .tagged(Self.tag, let content) = item {
            item = content
            isTagged = true
        } else {
            isTagged = false
        }
        if case .tagged(let other, _) = item {
            throw SigilError(.malformedMessage, "COSE: CBOR tag \(other) is not COSE_Sign1 (tag 18)")
        }
        guard let elements = item.arrayValue else {
            throw SigilError(.malformedMessage, "COSE: a COSE_Sign1 message is an array, not a \(item.kindName)")
        }
        guard elements.count == 4 else {
            throw SigilError(.malformedMessage, "COSE: a COSE_Sign1 array has 4 elements, not \(elements.count)")
        }
        guard let protectedBytes = elements[0].byteStringValue else {
            throw SigilError(.malformedMessage, "COSE: the protected header must be a byte string, not a \(elements[0].kindName)")
        }
        let protected: [CBOR.MapEntry]
        if protectedBytes.isEmpty {
            protected = []
        } else {
            let decoded = try CBOR(decoding: protectedBytes, limits: limits)
            guard let entries = decoded.mapValue else {
                throw SigilError(.malformedMessage, "COSE: the protected header must hold a map, not a \(decoded.kindName)")
            }
            protected = entries
        }
        guard let unprotected = elements[1].mapValue else {
            throw SigilError(.malformedMessage, "COSE: the unprotected header must be a map, not a \(elements[1].kindName)")
        }
        switch elements[2] {
        case .byteString(let bytes): payload = bytes
        case .null: payload = nil
        default:
            throw SigilError(.malformedMessage, "COSE: the payload must be a byte string or nil, not a \(elements[2].kindName)")
        }
        guard let signature = elements[3].byteStringValue else {
            throw SigilError(.malformedMessage, "COSE: the signature must be a byte string, not a \(elements[3].kindName)")
        }
        unverifiedHeaders = try COSEHeaders(protected: protected, unprotected: unprotected)
        protectedHeaderBytes = protectedBytes
        self.signature = signature
    }

    /// Verifies the signature with the trust store and releases the payload if it holds.
    ///
    /// The key is the one the `kid` names (read as UTF-8 and matched to
    /// ``TrustedKey/id``); without a `kid`, every key allowed the algorithm is tried.
    ///
    /// - Parameters:
    ///   - trustStore: The keys the caller trusts and the algorithms each may verify.
    ///   - externalAAD: The externally supplied data the signer bound in, empty by default.
    ///   - detachedPayload: The payload, when the message's is detached; `nil` otherwise.
    /// - Returns: The payload, the headers and the key that verified the signature.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the signature does
    ///   not verify or no trusted key could have made it (the message is invalid, and
    ///   says why); `invalidArgument` when a detached payload is
    ///   missing or one is given for a message that embeds its own,
    ///   `algorithmKeyMismatch` when the `kid` names a trusted key not allowed the
    ///   message's algorithm, `malformedSignature` for a signature of the wrong size.
    public func verify(
        using trustStore: TrustStore, externalAAD: [UInt8] = [], detachedPayload: [UInt8]? = nil
    ) throws -> VerifiedCOSESign1 {
        let signedPayload: [UInt8]
        switch (payload, detachedPayload) {
        case (let embedded?, nil): signedPayload = embedded
        case (nil, let detached?): signedPayload = detached
        case (nil, nil):
            throw SigilError(.invalidArgument, "COSE: the payload is detached; supply it to verify the message")
        case (_?, _?):
            throw SigilError(.invalidArgument, "COSE: the message embeds its payload; a detached payload was also given")
        }
        let algorithm = unverifiedHeaders.algorithm
        let candidates: [TrustedKey]
        switch try keysToTry(trustStore, algorithm: algorithm) {
        case .success(let keys): candidates = keys
        case .failure(let refusal): throw Self.invalid(refusal.reason)
        }
        let toBeSigned = Self.signatureStructure(
            protectedHeader: protectedHeaderBytes, externalAAD: externalAAD, payload: signedPayload)
        let digest = try algorithm.signingAlgorithm.hashFunction.hash(toBeSigned)
        var lastError: (any Error)?
        var anyChecked = false
        for key in candidates {
            do {
                if try key.publicKey.isValidSignature(
                    signature, forDigest: digest, algorithm: algorithm.signingAlgorithm, format: .raw)
                {
                    return VerifiedCOSESign1(payload: signedPayload, headers: unverifiedHeaders, key: key)
                }
                anyChecked = true
            } catch let error as SigilError where error.code == .malformedSignature && candidates.count > 1 {
                lastError = error
            }
        }
        if !anyChecked, let lastError { throw lastError }
        let named = candidates.count == 1 ? "trusted key '\(candidates[0].id)'" : "any of \(candidates.count) trusted keys"
        throw Self.invalid("the \(algorithm.name) signature does not verify with \(named)")
    }

    private static func invalid(_ reason: String) -> SigilError {
        SigilError(.authenticationFailure, "COSE: \(reason)")
    }

    private struct Refusal: Error { let reason: String }

    private func keysToTry(_ store: TrustStore, algorithm: COSEAlgorithm) throws -> Result<[TrustedKey], Refusal> {
        guard unverifiedHeaders.keyID != nil else {
            let keys = store.candidates(keyID: nil, algorithm: algorithm.signingAlgorithm)
                .filter { algorithm.suits($0.publicKey) }
            return keys.isEmpty ? .failure(Refusal(reason: "no trusted key is allowed \(algorithm.name)")) : .success(keys)
        }
        guard let text = unverifiedHeaders.keyIDText else {
            return .failure(Refusal(reason: "the kid is not UTF-8 text, so it names no trusted key"))
        }
        guard let key = store[id: text] else {
            return .failure(Refusal(reason: "no trusted key has the kid '\(CBORDiagnostic.printable(text, limit: 80))'"))
        }
        guard key.allows(algorithm.signingAlgorithm), algorithm.suits(key.publicKey) else {
            throw SigilError(
                .algorithmKeyMismatch,
                "COSE: the message uses \(algorithm.name), which trusted key '\(key.id)' is not allowed to verify")
        }
        return .success([key])
    }

    /// The bytes a COSE_Sign1 signature covers: the CBOR of
    /// `["Signature1", body_protected, external_aad, payload]` (RFC 9052 §4.4).
    ///
    /// - Parameters:
    ///   - protectedHeader: The protected header bytes as encoded in the message.
    ///   - externalAAD: The externally supplied data, possibly empty.
    ///   - payload: The payload, embedded or detached.
    /// - Returns: The deterministic encoding of the Sig_structure.
    public static func signatureStructure(protectedHeader: [UInt8], externalAAD: [UInt8], payload: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(protectedHeader.count + externalAAD.count + payload.count + 32)
        CBORWriter.appendHead(major: 4, argument: 4, to: &output)
        CBORWriter.appendTextString("Signature1", to: &output)
        CBORWriter.appendByteString(protectedHeader, to: &output)
        CBORWriter.appendByteString(externalAAD, to: &output)
        CBORWriter.appendByteString(payload, to: &output)
        return output
    }
}

/// A COSE_Sign1 message whose signature verified: its payload, its headers and the key.
public struct VerifiedCOSESign1: Sendable {
    /// The payload the signature covers (the detached one, when it was supplied).
    public let payload: [UInt8]
    /// The headers; the protected ones are covered by the signature, the unprotected are not.
    public let headers: COSEHeaders
    /// The trusted key that verified the signature.
    public let key: TrustedKey

    /// The algorithm the signature was made with.
    public var algorithm: COSEAlgorithm { headers.algorithm }
}
