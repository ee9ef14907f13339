public import FoundationEssentials

/// The producer side of a JWS: a protected header and payload, the signing input a key
/// holder signs (or its digest), and the serializations assembled from the signature.
///
/// ```swift
/// let input = try JWSSigningInput(algorithm: .es256, payload: Array(message), keyID: "release-2026")
/// let der = try keyHolder.sign(digest: input.digest(), algorithm: input.algorithm.signingAlgorithm)
/// let token = try input.compactSerialization(kmsSignature: der)
/// ```
public struct JWSSigningInput: Sendable {
    /// The algorithm the protected header names.
    public let algorithm: JOSEAlgorithm
    /// The protected header's members.
    public let protectedHeader: [String: JOSEJSON]
    /// The base64url protected header.
    public let encodedProtectedHeader: String
    /// The base64url payload.
    public let encodedPayload: String

    /// Builds the protected header and signing input.
    ///
    /// - Parameters:
    ///   - algorithm: The signature algorithm (`alg`).
    ///   - payload: The payload bytes.
    ///   - keyID: The `kid`, if any.
    ///   - type: The `typ`, if any (`JWT` for a JWT).
    ///   - contentType: The `cty`, if any.
    ///   - additionalMembers: Further protected members; `alg`, `kid`, `typ`, `cty`, `crit`
    ///     and `b64` cannot be among them.
    /// - Throws: ``SigilError`` with code `invalidArgument` for a reserved additional member.
    public init(
        algorithm: JOSEAlgorithm, payload: some DataProtocol, keyID: String? = nil,
        type: String? = nil, contentType: String? = nil, additionalMembers: [String: JOSEJSON] = [:]
    ) throws {
        if let reserved = ["alg", "kid", "typ", "cty", "crit", "b64"].first(where: { additionalMembers[$0] != nil }) {
            throw SigilError(.invalidArgument, "the additional JWS header members cannot set '\(reserved)'")
        }
        var header = additionalMembers
        header["alg"] = .string(algorithm.name)
        if let keyID { header["kid"] = .string(keyID) }
        if let type { header["typ"] = .string(type) }
        if let contentType { header["cty"] = .string(contentType) }
        self.algorithm = algorithm
        self.protectedHeader = header
        self.encodedProtectedHeader = Base64URL.encode(JOSEJSONWriter.data(.object(header)))
        self.encodedPayload = Base64URL.encode(Array(payload))
    }

    /// The JWS signing input: `BASE64URL(header) '.' BASE64URL(payload)`, as ASCII bytes.
    public var bytes: [UInt8] {
        Array(encodedProtectedHeader.utf8) + [UInt8(ascii: ".")] + Array(encodedPayload.utf8)
    }

    /// The digest of the signing input with the algorithm's hash, for a key holder that signs
    /// digests (KMS message type DIGEST).
    ///
    /// - Throws: ``SigilError`` with code `cryptoFailure` if hashing fails.
    public func digest() throws -> [UInt8] {
        try algorithm.signingAlgorithm.hashFunction.hash(bytes)
    }

    /// The JWS signature from a signature as KMS returns it (ECDSA DER becomes raw r‖s).
    ///
    /// - Throws: ``SigilError`` with code `malformedSignature`.
    public func joseSignature(fromKMSSignature signature: some DataProtocol) throws -> [UInt8] {
        let converted = try algorithm.joseSignature(fromKMSSignature: signature)
        guard !converted.isEmpty else { throw SigilError(.malformedSignature, "the signature is empty") }
        return converted
    }

    /// The compact serialization.
    ///
    /// - Parameters:
    ///   - kmsSignature: The signature as KMS returns it (DER for ECDSA).
    ///   - detached: Leave the payload out (RFC 7515 appendix F).
    /// - Throws: ``SigilError`` with code `malformedSignature`.
    public func compactSerialization(kmsSignature: some DataProtocol, detached: Bool = false) throws -> String {
        let signature = Base64URL.encode(try joseSignature(fromKMSSignature: kmsSignature))
        return "\(encodedProtectedHeader).\(detached ? "" : encodedPayload).\(signature)"
    }

    /// The JSON serialization, general (`signatures` array) or flattened.
    ///
    /// - Parameters:
    ///   - kmsSignature: The signature as KMS returns it (DER for ECDSA).
    ///   - flattened: Write the flattened form.
    ///   - unprotectedHeader: Unprotected members (none may repeat a protected one).
    ///   - detached: Leave the payload out.
    /// - Returns: UTF-8 JSON.
    /// - Throws: ``SigilError`` with code `malformedSignature`, or `invalidArgument` when an
    ///   unprotected member repeats a protected one.
    public func jsonSerialization(
        kmsSignature: some DataProtocol, flattened: Bool = false,
        unprotectedHeader: [String: JOSEJSON] = [:], detached: Bool = false
    ) throws -> [UInt8] {
        if let shared = unprotectedHeader.keys.sorted().first(where: { protectedHeader[$0] != nil }) {
            throw SigilError(.invalidArgument, "the JWS header member '\(shared)' cannot be both protected and unprotected")
        }
        var entry: [String: JOSEJSON] = [
            "protected": .string(encodedProtectedHeader),
            "signature": .string(Base64URL.encode(try joseSignature(fromKMSSignature: kmsSignature))),
        ]
        if !unprotectedHeader.isEmpty { entry["header"] = .object(unprotectedHeader) }
        var document = flattened ? entry : ["signatures": .array([.object(entry)])]
        if !detached { document["payload"] = .string(encodedPayload) }
        return JOSEJSONWriter.data(.object(document))
    }
}
