public import FoundationEssentials

/// A JWT (RFC 7519) whose signature verified with a trusted key and whose claims passed.
public struct VerifiedJWT: Sendable {
    /// The claims.
    public let claims: JWTClaims
    /// The JOSE header.
    public let header: JOSEHeader
    /// The id of the trusted key that verified it.
    public let keyID: String
    /// The algorithm it verified with.
    public let algorithm: JOSEAlgorithm
}

/// JSON Web Tokens (RFC 7519) as compact JWS with a claims-set payload.
///
/// ```swift
/// let token = try JWT.verify(header, trustStore: store,
///                            options: JWTValidationOptions(issuer: "https://issuer.example", audience: "billing"))
/// print(token.claims.subject ?? "-")
/// ```
public enum JWT {
    /// Verifies a compact JWT: its signature against `trustStore`, then its claims.
    ///
    /// The claims are read only after the signature verifies. `typ`, if present, must be
    /// `JWT` (case-insensitive, `application/` prefix allowed); a nested JWT (`cty: JWT`)
    /// is refused. `exp` must be after now, `nbf` and `iat` not after now, each with the
    /// leeway; `iss` and `aud` are checked when the options name them.
    ///
    /// - Parameters:
    ///   - token: The compact serialization.
    ///   - trustStore: The keys to trust.
    ///   - options: The claims to require, the clock and leeway, and the size limit.
    /// - Returns: The verified claims and header.
    /// - Throws: ``SigilError``: as ``JWS/verify(using:detachedPayload:)`` for the signature
    ///   (`authenticationFailure` when it does not verify); `authenticationFailure` also for
    ///   claims that fail (expired, not yet valid, issued in the future, wrong issuer or
    ///   audience), naming the claim; `malformedMessage` / `unsupportedMessage` for a token
    ///   that is not a compact JWT.
    public static func verify(_ token: String, trustStore: TrustStore, options: JWTValidationOptions = JWTValidationOptions()) throws -> VerifiedJWT {
        var token = token
        return try token.withUTF8 { try verify(compact: $0, trustStore: trustStore, options: options) }
    }

    /// Verifies a compact JWT where its text lies: the checks and errors of a ``JWS`` read
    /// and verified, without copying the token or building the JWS's parts (this runs for
    /// every request of a service that takes JWTs).
    private static func verify(compact token: UnsafeBufferPointer<UInt8>, trustStore: TrustStore, options: JWTValidationOptions) throws -> VerifiedJWT {
        let limits = options.parsing
        guard token.count <= limits.maximumSize else {
            throw SigilError(.unsupportedMessage, "the JWS is \(token.count) bytes, over the limit of \(limits.maximumSize)")
        }
        let parts = try JWS.CompactParts(token)
        let (_, header) = try parts.header(of: token, options: limits)
        let signature = try parts.signatureBytes(of: token)
        guard !parts.payload.isEmpty else {
            throw SigilError(.malformedMessage, "the JWT has no payload")
        }
        let payload = try Base64URL.decode(buffer: UnsafeBufferPointer(rebasing: token[parts.payload]), what: "the JWS payload")
        let input = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: token[parts.signingInput]))
        let (status, algorithm) = JWS.status(header: header, signature: signature, input: input, trustStore: trustStore)
        guard case .verified(let keyID) = status, let algorithm else { throw JWS.failure([status]) }
        return try accept(header: header, keyID: keyID, algorithm: algorithm, payload: payload, options: options)
    }

    /// Verifies a compact JWT read from a file or a request body (surrounding whitespace
    /// such as a final newline is ignored), as the `String` variant does.
    ///
    /// - Throws: As the `String` variant, and `malformedMessage` for a JSON serialization,
    ///   which JWTs never use.
    public static func verify(
        data token: some DataProtocol, trustStore: TrustStore, options: JWTValidationOptions = JWTValidationOptions()
    ) throws -> VerifiedJWT {
        let jws = try JWS(serialization: token, options: options.parsing)
        guard jws.serialization == .compact else {
            throw SigilError(.malformedMessage, "a JWT is a compact JWS, but this is a JSON serialization")
        }
        return try verify(jws, trustStore: trustStore, options: options)
    }

    private static func verify(_ jws: JWS, trustStore: TrustStore, options: JWTValidationOptions) throws -> VerifiedJWT {
        guard !jws.isDetached else {
            throw SigilError(.malformedMessage, "the JWT has no payload")
        }
        let verified = try jws.verifyOnlySignature(using: trustStore)
        return try accept(header: verified.header, keyID: verified.keyID, algorithm: verified.algorithm, payload: verified.payload, options: options)
    }

    /// The checks after the signature: the header's `typ` and `cty`, then the claims.
    private static func accept(
        header: JOSEHeader, keyID: String, algorithm: JOSEAlgorithm, payload: [UInt8], options: JWTValidationOptions
    ) throws -> VerifiedJWT {
        if let type = header.type {
            guard equalIgnoringASCIICase(type, "jwt") || equalIgnoringASCIICase(type, "application/jwt") else {
                throw SigilError(.unsupportedMessage, "the token's typ is '\(type)', not 'JWT'")
            }
        }
        if let contentType = header.contentType, equalIgnoringASCIICase(contentType, "jwt") {
            throw SigilError(.unsupportedMessage, "nested JWTs (cty 'JWT') are not supported")
        }
        let reader = JOSEJSONReader(maximumSize: options.parsing.maximumSize, maximumDepth: options.parsing.maximumJSONDepth)
        let claims = try JWTClaims(jsonRepresentation: payload, reader: reader)
        try check(claims, options)
        return VerifiedJWT(claims: claims, header: header, keyID: keyID, algorithm: algorithm)
    }

    /// Whether `text` is `lowercase` in any mix of ASCII letter cases (media types compare
    /// so), without building a lowercased copy for every token.
    private static func equalIgnoringASCIICase(_ text: String, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return text.utf8.elementsEqual(expected) { byte, lower in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 == lower : byte == lower
        }
    }

    private static func check(_ claims: JWTClaims, _ options: JWTValidationOptions) throws {
        let now = options.clock()
        let leeway = options.leeway
        if let expiry = claims.expiresAt {
            guard now < expiry.addingTimeInterval(leeway) else {
                throw SigilError(.authenticationFailure, "the JWT expired at \(expiry) (exp), now is \(now), leeway \(Int(leeway)) s")
            }
        } else if options.requiresExpiration {
            throw SigilError(.authenticationFailure, "the JWT has no 'exp' claim, and one is required")
        }
        if let notBefore = claims.notBefore, now < notBefore.addingTimeInterval(-leeway) {
            throw SigilError(.authenticationFailure, "the JWT is not valid before \(notBefore) (nbf), now is \(now), leeway \(Int(leeway)) s")
        }
        if let issuedAt = claims.issuedAt, issuedAt.addingTimeInterval(-leeway) > now {
            throw SigilError(.authenticationFailure, "the JWT was issued in the future, at \(issuedAt) (iat), now is \(now), leeway \(Int(leeway)) s")
        }
        if let issuer = options.issuer, claims.issuer != issuer {
            throw SigilError(
                .authenticationFailure,
                "the JWT's issuer is \(claims.issuer.map { "'\($0)'" } ?? "missing") (iss), not '\(issuer)'")
        }
        if let audience = options.audience, !claims.audience.contains(audience) {
            throw SigilError(
                .authenticationFailure,
                "the JWT's audience (aud) \(claims.audience.isEmpty ? "is missing" : "is \(claims.audience)"), not '\(audience)'")
        }
    }

    /// The signing input of a JWT: a protected header with `alg`, `typ: JWT` and `kid`, and
    /// the claims set as payload.
    ///
    /// - Parameters:
    ///   - claims: The claims set's JSON text; it must be a strict JSON object.
    ///   - algorithm: The signature algorithm.
    ///   - keyID: The `kid`, if any.
    /// - Throws: ``SigilError`` with code `malformedMessage` when `claims` is not a strict
    ///   JSON object with registered claims of the right types.
    public static func signingInput(claims: some DataProtocol, algorithm: JOSEAlgorithm, keyID: String?) throws -> JWSSigningInput {
        _ = try JWTClaims(jsonRepresentation: claims)
        return try JWSSigningInput(algorithm: algorithm, payload: claims, keyID: keyID, type: "JWT")
    }
}
