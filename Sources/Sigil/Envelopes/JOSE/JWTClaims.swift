public import Foundation

/// The claims set of a JWT (RFC 7519 section 4): the registered claims, typed, plus every
/// member and the raw JSON.
public struct JWTClaims: Sendable {
    /// `iss`.
    public let issuer: String?
    /// `sub`.
    public let subject: String?
    /// `aud`, as a list whether it was written as a string or an array.
    public let audience: [String]
    /// `exp`.
    public let expiresAt: Date?
    /// `nbf`.
    public let notBefore: Date?
    /// `iat`.
    public let issuedAt: Date?
    /// `jti`.
    public let jwtID: String?
    /// Every claim, registered or not, in the order written.
    public let memberList: [(name: String, value: JOSEJSON)]
    /// Every claim, registered or not.
    public var members: [String: JOSEJSON] { Dictionary(uniqueKeysWithValues: memberList) }
    /// The claims set's JSON text as signed.
    public let jsonRepresentation: [UInt8]

    /// Reads a claims set.
    ///
    /// - Parameters:
    ///   - jsonRepresentation: UTF-8 JSON holding an object.
    ///   - reader: The reader (and its limits) to use.
    /// - Throws: ``SigilError`` with code `malformedMessage` for JSON that is not strict or
    ///   a registered claim of the wrong type.
    public init(jsonRepresentation: some DataProtocol, reader: JOSEJSONReader = JOSEJSONReader()) throws {
        let bytes = Array(jsonRepresentation)
        // A list, not a dictionary: it is walked once here, and most callers never look
        // past the registered claims.
        let members = try reader.readMembers(bytes, what: "the JWT claims set")
        func string(_ name: String, _ value: JOSEJSON) throws -> String {
            guard case .string(let text) = value else {
                throw SigilError(.malformedMessage, "the JWT claim '\(name)' is not a string")
            }
            return text
        }
        func date(_ name: String, _ value: JOSEJSON) throws -> Date {
            guard let seconds = value.doubleValue, seconds.isFinite, abs(seconds) < 1e12 else {
                throw SigilError(.malformedMessage, "the JWT claim '\(name)' is not a NumericDate (seconds since 1970)")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        var issuer: String? = nil, subject: String? = nil, jwtID: String? = nil
        var expiresAt: Date? = nil, notBefore: Date? = nil, issuedAt: Date? = nil
        var audience: [String] = []
        // One pass over the claims, not a hash look-up per name: this runs for every token.
        for (name, value) in members {
            switch name {
            case "iss": issuer = try string(name, value)
            case "sub": subject = try string(name, value)
            case "jti": jwtID = try string(name, value)
            case "exp": expiresAt = try date(name, value)
            case "nbf": notBefore = try date(name, value)
            case "iat": issuedAt = try date(name, value)
            case "aud":
                switch value {
                case .string(let single): audience = [single]
                case .array(let list):
                    let strings = list.compactMap(\.stringValue)
                    guard strings.count == list.count else {
                        throw SigilError(.malformedMessage, "the JWT claim 'aud' holds something other than strings")
                    }
                    audience = strings
                default:
                    throw SigilError(.malformedMessage, "the JWT claim 'aud' is neither a string nor an array of strings")
                }
            default: break
            }
        }
        self.issuer = issuer
        self.subject = subject
        self.jwtID = jwtID
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.audience = audience
        self.memberList = members
        self.jsonRepresentation = bytes
    }

    /// The claim `name`, if present.
    public subscript(name: String) -> JOSEJSON? { memberList.first { $0.name == name }?.value }
}

/// What a JWT must satisfy beyond its signature.
public struct JWTValidationOptions: Sendable {
    /// The `iss` required, if any.
    public var issuer: String?
    /// An audience the `aud` claim must hold, if any.
    public var audience: String?
    /// How far clocks may disagree when checking `exp`, `nbf` and `iat` (default 60 s).
    public var leeway: TimeInterval
    /// The clock to check times against (default: the system clock).
    public var clock: @Sendable () -> Date
    /// Whether a token without `exp` is refused (default `false`).
    public var requiresExpiration: Bool
    /// The JWS parsing limits (size default 256 KiB).
    public var parsing: JWS.Options

    /// Options for validating a JWT.
    public init(
        issuer: String? = nil, audience: String? = nil, leeway: TimeInterval = 60,
        clock: @escaping @Sendable () -> Date = { Date() }, requiresExpiration: Bool = false,
        parsing: JWS.Options = JWS.Options()
    ) {
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.clock = clock
        self.requiresExpiration = requiresExpiration
        self.parsing = parsing
    }
}
