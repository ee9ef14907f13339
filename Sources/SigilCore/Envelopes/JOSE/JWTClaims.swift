public import FoundationEssentials

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
        // All of it is checked as strictly as any JSON here, but only the registered claims
        // are built, straight from the bytes: most callers never look past them, and
        // ``memberList`` reads the rest when asked.
        var claims = RegisteredClaims()
        let isObject = try reader.parseWhole(bytes, what: "the JWT claims set") { parser -> Bool in
            guard parser.peek() == UInt8(ascii: "{") else {
                _ = try parser.value(depth: 0)
                return false
            }
            try claims.read(from: &parser)
            return true
        }
        // Errors in the order the generic reader gives them: syntax and repeated names,
        // trailing bytes, not an object, then a registered claim of the wrong type.
        guard isObject else { throw SigilError(.malformedMessage, "the JWT claims set is not a JSON object") }
        if let problem = claims.problem { throw SigilError(.malformedMessage, problem) }
        storage = Storage(
            issuer: claims.issuer, subject: claims.subject, jwtID: claims.jwtID, expiresAt: claims.expiresAt,
            notBefore: claims.notBefore, issuedAt: claims.issuedAt, audience: claims.audience, jsonRepresentation: bytes,
            reader: reader)
    }

    /// The registered claims as one pass over a claims set's members finds them, and the
    /// first one of the wrong type.
    private struct RegisteredClaims {
        var issuer: String? = nil, subject: String? = nil, jwtID: String? = nil
        var expiresAt: Date? = nil, notBefore: Date? = nil, issuedAt: Date? = nil
        var audience: [String] = []
        var problem: String? = nil

        /// Reads the object the parser is at: every member is checked, the registered
        /// claims are kept, the values of the others are skipped.
        mutating func read(from parser: inout JOSEJSONParser) throws {
            guard try parser.beginObject(depth: 1) else { return }
            var names = MemberNames()
            repeat {
                let name = try parser.memberName()
                switch parser.threeCharacterCode(of: name).flatMap(Registered.init(rawValue:)) {
                case .iss?: issuer = try string("iss", &parser)
                case .sub?: subject = try string("sub", &parser)
                case .jti?: jwtID = try string("jti", &parser)
                case .exp?: expiresAt = try date("exp", &parser)
                case .nbf?: notBefore = try date("nbf", &parser)
                case .iat?: issuedAt = try date("iat", &parser)
                case .aud?: audience = try audience(&parser)
                case nil: try parser.skipValue(depth: 1)
                }
                names.record(name, in: parser)
            } while try parser.endOfMember()
            try names.check("the JWT claims set")
        }

        private mutating func string(_ name: String, _ parser: inout JOSEJSONParser) throws -> String? {
            if parser.peek() == UInt8(ascii: "\"") { return try parser.string() }
            try parser.skipValue(depth: 1)
            problem = problem ?? "the JWT claim '\(name)' is not a string"
            return nil
        }

        private mutating func date(_ name: String, _ parser: inout JOSEJSONParser) throws -> Date? {
            if let first = parser.peek(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
                let seconds = try parser.doubleValue()
                if seconds.isFinite, abs(seconds) < 1e12 { return Date(timeIntervalSince1970: seconds) }
            } else {
                try parser.skipValue(depth: 1)
            }
            problem = problem ?? "the JWT claim '\(name)' is not a NumericDate (seconds since 1970)"
            return nil
        }

        private mutating func audience(_ parser: inout JOSEJSONParser) throws -> [String] {
            if parser.peek() == UInt8(ascii: "\"") { return [try parser.string()] }
            switch try parser.value(depth: 1) {
            case .array(let list):
                let strings = list.compactMap(\.stringValue)
                if strings.count == list.count { return strings }
                problem = problem ?? "the JWT claim 'aud' holds something other than strings"
            default:
                problem = problem ?? "the JWT claim 'aud' is neither a string nor an array of strings"
            }
            return []
        }
    }

    /// The registered claims read into properties, known by their names' three ASCII
    /// bytes read as one number (``JOSEJSONParser/threeCharacterCode(of:)``): this runs for
    /// every claim of every token, where comparing strings showed in profiles.
    private enum Registered: UInt32 {
        case iss = 0x69_73_73, sub = 0x73_75_62, aud = 0x61_75_64, jti = 0x6A_74_69
        case exp = 0x65_78_70, nbf = 0x6E_62_66, iat = 0x69_61_74
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
