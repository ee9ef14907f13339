public import Foundation

/// The claims set of a JWT (RFC 7519 section 4): the registered claims, typed, plus every
/// member and the raw JSON.
public struct JWTClaims: Sendable {
    /// `iss`.
    public var issuer: String? { storage.issuer }
    /// `sub`.
    public var subject: String? { storage.subject }
    /// `aud`, as a list whether it was written as a string or an array.
    public var audience: [String] { storage.audience }
    /// `exp`.
    public var expiresAt: Date? { storage.expiresAt }
    /// `nbf`.
    public var notBefore: Date? { storage.notBefore }
    /// `iat`.
    public var issuedAt: Date? { storage.issuedAt }
    /// `jti`.
    public var jwtID: String? { storage.jwtID }
    /// Every claim, registered or not, in the order written.
    ///
    /// Built from ``jsonRepresentation`` on each use (verification reads only the
    /// registered claims): keep the result when you look at it more than once.
    public var memberList: [(name: String, value: JOSEJSON)] {
        // Read with the reader that accepted these bytes when the claims were made: it
        // cannot fail now, and an empty list would only ever stand for an empty object.
        (try? storage.reader.readMembers(storage.jsonRepresentation, what: "the JWT claims set")) ?? []
    }
    /// Every claim, registered or not.
    public var members: [String: JOSEJSON] { Dictionary(uniqueKeysWithValues: memberList) }
    /// The claims set's JSON text as signed.
    public var jsonRepresentation: [UInt8] { storage.jsonRepresentation }

    /// The parts, behind one reference, so that passing the claims on costs one count.
    private final class Storage: Sendable {
        let issuer: String?, subject: String?, jwtID: String?
        let expiresAt: Date?, notBefore: Date?, issuedAt: Date?
        let audience: [String]
        let jsonRepresentation: [UInt8]
        let reader: JOSEJSONReader

        init(
            issuer: String?, subject: String?, jwtID: String?, expiresAt: Date?, notBefore: Date?, issuedAt: Date?,
            audience: [String], jsonRepresentation: [UInt8], reader: JOSEJSONReader
        ) {
            self.issuer = issuer
            self.subject = subject
            self.jwtID = jwtID
            self.expiresAt = expiresAt
            self.notBefore = notBefore
            self.issuedAt = issuedAt
            self.audience = audience
            self.jsonRepresentation = jsonRepresentation
            self.reader = reader
        }
    }

    private let storage: Storage

    /// Reads a claims set.
    ///
    /// - Parameters:
    ///   - jsonRepresentation: UTF-8 JSON holding an object.
    ///   - reader: The reader (and its limits) to use.
    /// - Throws: ``SigilError`` with code `malformedMessage` for JSON that is not strict or
    ///   a registered claim of the wrong type.
    public init(jsonRepresentation: some DataProtocol, reader: JOSEJSONReader = JOSEJSONReader()) throws {
        let bytes = Array(jsonRepresentation)
        // All of it is checked, but only the registered claims are built: most callers
        // never look past them, and ``memberList`` reads the rest when asked.
        let members = try reader.readMembers(bytes, what: "the JWT claims set", keeping: { Registered($0) != nil })
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
            switch Registered(name) {
            case .iss?: issuer = try string(name, value)
            case .sub?: subject = try string(name, value)
            case .jti?: jwtID = try string(name, value)
            case .exp?: expiresAt = try date(name, value)
            case .nbf?: notBefore = try date(name, value)
            case .iat?: issuedAt = try date(name, value)
            case .aud?:
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
            case nil: break
            }
        }
        storage = Storage(
            issuer: issuer, subject: subject, jwtID: jwtID, expiresAt: expiresAt, notBefore: notBefore, issuedAt: issuedAt,
            audience: audience, jsonRepresentation: bytes, reader: reader)
    }

    /// The registered claims read into properties, known by their names' three ASCII
    /// bytes read as one number ("iss" is 0x69_73_73): this runs for every claim of every
    /// token, where comparing strings showed in profiles.
    private enum Registered: UInt32 {
        case iss = 0x69_73_73, sub = 0x73_75_62, aud = 0x61_75_64, jti = 0x6A_74_69
        case exp = 0x65_78_70, nbf = 0x6E_62_66, iat = 0x69_61_74

        init?(_ name: String) {
            guard name.utf8.count == 3 else { return nil }
            self.init(rawValue: name.utf8.reduce(0) { $0 << 8 | UInt32($1) })
        }
    }

    /// The claim `name`, if present.
    ///
    /// Reads ``jsonRepresentation`` again, as ``memberList`` does, building only this claim.
    public subscript(name: String) -> JOSEJSON? {
        let match = try? storage.reader.readMembers(storage.jsonRepresentation, what: "the JWT claims set") { $0 == name }
        return match?.first?.value
    }
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
