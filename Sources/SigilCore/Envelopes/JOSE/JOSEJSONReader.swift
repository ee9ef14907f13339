/// A strict JSON reader (RFC 8259) for JOSE headers, JWKs and JWT claims.
///
/// JWS (RFC 7515 section 5.2) requires refusing a header with duplicate member names,
/// which Foundation's decoders silently accept (keeping one of them); this reader refuses
/// them, compares names after unescaping (`"a"` and `"\u0061"` are the same name), refuses
/// unpaired surrogates, invalid UTF-8, control characters in strings, trailing bytes, and
/// input past its size and nesting limits.
public struct JOSEJSONReader: Sendable {
    /// The largest input accepted, in bytes.
    public var maximumSize: Int
    /// The deepest nesting of arrays and objects accepted.
    public var maximumDepth: Int

    /// A reader with the given limits.
    ///
    /// - Parameters:
    ///   - maximumSize: The largest input accepted, in bytes (default 256 KiB).
    ///   - maximumDepth: The deepest nesting accepted (default 32).
    public init(maximumSize: Int = 256 * 1024, maximumDepth: Int = 32) {
        self.maximumSize = maximumSize
        self.maximumDepth = maximumDepth
    }

    /// Reads one JSON value that fills `bytes` (whitespace aside).
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - what: What the text is, for error messages (such as `the JWS protected header`).
    /// - Returns: The value.
    /// - Throws: ``SigilError`` with code `malformedMessage` naming the problem and its byte
    ///   offset, or `unsupportedMessage` when a limit is exceeded.
    public func read(_ bytes: some Collection<UInt8>, what: String = "the JSON text") throws -> JOSEJSON {
        try parseWhole(bytes, what: what) { try $0.value(depth: 0) }
    }

    /// Reads a JSON object that fills `bytes`, its members in the order written: for a
    /// caller that walks them once, without building a dictionary.
    ///
    /// - Parameter keeping: Which members to return, by name. The others are checked as
    ///   strictly (and their names count for duplicates) but their values are not built:
    ///   a caller that needs a few known members pays little for the rest.
    /// - Throws: As ``read(_:what:)``, and `malformedMessage` when the value is not an object.
    func readMembers(
        _ bytes: some Collection<UInt8>, what: String, keeping: ((String) -> Bool)? = nil
    ) throws -> [(name: String, value: JOSEJSON)] {
        // Errors in the order `read` finds them: syntax, then trailing bytes, then type.
        let members = try parseWhole(bytes, what: what) { parser -> [(name: String, value: JOSEJSON)]? in
            guard parser.peek() == UInt8(ascii: "{") else {
                _ = try parser.value(depth: 0)
                return nil
            }
            return try parser.members(depth: 1, keeping: keeping)
        }
        guard let members else { throw SigilError(.malformedMessage, "\(what) is not a JSON object") }
        return members
    }

    /// Checks the size limit, lends `bytes` to a parser for `body`, and requires that what
    /// `body` reads fills them (whitespace aside): for a reader of one kind of document, such
    /// as JWT claims, that pulls members itself rather than building every value.
    func parseWhole<Value>(
        _ bytes: some Collection<UInt8>, what: String, _ body: (inout JOSEJSONParser) throws -> Value
    ) throws -> Value {
        guard bytes.count <= maximumSize else {
            throw SigilError(.unsupportedMessage, "\(what) is \(bytes.count) bytes, over the limit of \(maximumSize)")
        }
        let parse = { (buffer: UnsafeBufferPointer<UInt8>) throws -> Value in
            var parser = JOSEJSONParser(bytes: buffer, maximumDepth: maximumDepth, what: what)
            parser.skipWhitespace()
            let value = try body(&parser)
            parser.skipWhitespace()
            guard parser.position == parser.bytes.count else {
                throw parser.error("trailing bytes after the JSON value")
            }
            return value
        }
        if let value = try bytes.withContiguousStorageIfAvailable(parse) { return value }
        return try Array(bytes).withUnsafeBufferPointer(parse)
    }

    /// Reads a JSON object that fills `bytes`.
    ///
    /// - Throws: As ``read(_:what:)``, and `malformedMessage` when the value is not an object.
    public func readObject(_ bytes: some Collection<UInt8>, what: String) throws -> [String: JOSEJSON] {
        guard let members = try read(bytes, what: what).objectValue else {
            throw SigilError(.malformedMessage, "\(what) is not a JSON object")
        }
        return members
    }
}

/// Reads one JSON text from memory that stays valid while it runs (``JOSEJSONReader`` lends
/// it for the call): no bounds-checked array access and no reference counting per byte.
///
/// Values are read whole (``value(depth:)``), or an object is pulled member by member
/// (``beginObject(depth:)``, ``memberName()``, ``endOfMember()``, with ``MemberNames``
/// for the duplicate check) by a reader that builds only what it needs.
struct JOSEJSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    let what: String
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int, what: String) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.what = what
    }

    func error(_ problem: String) -> SigilError {
        SigilError(.malformedMessage, "\(what) is not valid JSON: \(problem) at byte \(position)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count,
              bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0A || bytes[position] == 0x0D {
            position += 1
        }
    }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func expect(_ literal: String, _ value: JOSEJSON) throws -> JOSEJSON {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count,
              bytes[position..<(position + expected.count)].elementsEqual(expected) else {
            throw error("an unknown literal")
        }
        position += expected.count
        return value
    }

    mutating func value(depth: Int) throws -> JOSEJSON {
        guard let byte = peek() else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("an unexpected character")
        }
    }

    /// Checks one value as ``value(depth:)`` does, building no string or number: the
    /// scalars a skipped member holds cost a scan. Arrays, objects and strings with
    /// escapes are rare in the members skipped and are read whole.
    mutating func skipValue(depth: Int) throws {
        switch peek() {
        case UInt8(ascii: "\"")?:
            if !skipPlainString() { _ = try string() }
        case UInt8(ascii: "-")?, (UInt8(ascii: "0")...UInt8(ascii: "9"))?: try scanNumber()
        default: _ = try value(depth: depth)
        }
    }

    mutating func object(depth: Int) throws -> JOSEJSON {
        .object(Dictionary(uniqueKeysWithValues: try members(depth: depth)))
    }

    /// An object's members in the order written, their names unique; with `keeping`, only
    /// the members it accepts (the values of the others are checked, not built).
    mutating func members(depth: Int, keeping: ((String) -> Bool)? = nil) throws -> [(name: String, value: JOSEJSON)] {
        guard try beginObject(depth: depth) else { return [] }
        // Sized for a JOSE header or claims set, so that it rarely grows.
        var members: [(name: String, value: JOSEJSON)] = []
        members.reserveCapacity(8)
        var names = MemberNames()
        repeat {
            let name = try memberName()
            let text = self.text(of: name)
            if keeping?(text) ?? true {
                members.append((text, try value(depth: depth)))
            } else {
                try skipValue(depth: depth)
            }
            names.record(name, in: self)
        } while try endOfMember()
        try names.check(what)
        return members
    }

    /// Reads the `{` the parser is at, and says whether a member follows (`false` for `{}`,
    /// which is then read whole).
    mutating func beginObject(depth: Int) throws -> Bool {
        guard depth <= maximumDepth else {
            throw SigilError(.unsupportedMessage, "\(what) nests deeper than \(maximumDepth) levels")
        }
        position += 1
        skipWhitespace()
        guard peek() == UInt8(ascii: "}") else { return true }
        position += 1
        return false
    }

    /// A member's name as read: where it lies, and whether it holds escapes. Nearly every
    /// name is written without, and then never becomes a `String` unless asked.
    struct Name {
        /// The byte offset of its opening quote.
        let offset: Int
        /// Its characters between the quotes, as written.
        let characters: Range<Int>
        /// Whether it holds an escape, so that its text differs from its characters.
        let isEscaped: Bool
    }

    /// Reads a member's name and the `:` after it, leaving the parser at the value.
    mutating func memberName() throws -> Name {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { throw error("a member name that is not a string") }
        let offset = position
        let isEscaped = !skipPlainString()
        if isEscaped { _ = try string() }
        let name = Name(offset: offset, characters: (offset + 1)..<(position - 1), isEscaped: isEscaped)
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw error("a missing ':' after a member name") }
        position += 1
        skipWhitespace()
        return name
    }

    /// The text of a name read by ``memberName()``: an escaped one is read again.
    func text(of name: Name) -> String {
        guard name.isEscaped else {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[name.characters]), as: UTF8.self)
        }
        var again = self
        again.position = name.offset
        // It was read once, so it reads again.
        return (try? again.string()) ?? ""
    }

    /// Whether two names read by ``memberName()`` are the same once unescaped.
    func same(_ first: Name, _ second: Name) -> Bool {
        guard first.isEscaped || second.isEscaped else {
            return bytes[first.characters].elementsEqual(bytes[second.characters])
        }
        return text(of: first) == text(of: second)
    }

    /// The three bytes of a name written without escapes in three characters, as one
    /// number (`"iss"` is 0x69_73_73), for telling a few known names apart cheaply; `nil`
    /// for any other name.
    func threeCharacterCode(of name: Name) -> UInt32? {
        guard !name.isEscaped else {
            let text = text(of: name)
            guard text.utf8.count == 3 else { return nil }
            return text.utf8.reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard name.characters.count == 3 else { return nil }
        let start = name.characters.lowerBound
        return UInt32(bytes[start]) << 16 | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2])
    }

    /// Reads what follows a member's value: `true` when another member follows, `false`
    /// when the object ends.
    mutating func endOfMember() throws -> Bool {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: ",")?:
            position += 1
            return true
        case UInt8(ascii: "}")?:
            position += 1
            return false
        default: throw error("a missing ',' or '}' in an object")
        }
    }

    mutating func array(depth: Int) throws -> JOSEJSON {
        guard depth <= maximumDepth else {
            throw SigilError(.unsupportedMessage, "\(what) nests deeper than \(maximumDepth) levels")
        }
        position += 1
        var elements: [JOSEJSON] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ",")?: position += 1
            case UInt8(ascii: "]")?:
                position += 1
                return .array(elements)
            default: throw error("a missing ',' or ']' in an array")
            }
        }
    }

    mutating func digits() -> Int {
        let start = position
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
        return position - start
    }

    mutating func number() throws -> JOSEJSON {
        let start = position
        try scanNumber()
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    /// Reads a number as a `Double`, as ``JOSEJSON/doubleValue`` would give it, without the
    /// literal's text: a non-negative integer of at most 15 digits (every NumericDate),
    /// which a `Double` holds exactly, is summed from its digits.
    mutating func doubleValue() throws -> Double {
        let start = position
        try scanNumber()
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if literal.count <= 15, literal.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return Double(literal.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
        }
        // The grammar is checked, so only a value past a Double's range is left: infinite.
        return Double(String(decoding: literal, as: UTF8.self)) ?? .infinity
    }

    /// Reads past one number, checking the RFC 8259 grammar.
    mutating func scanNumber() throws {
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw error("a number without digits")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("a number without digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("a number without exponent digits") }
        }
    }

    mutating func hexQuad() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("a truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw error("a \\u escape with a non-hex digit")
            }
            value = value << 4 | UInt32(nibble)
            position += 1
        }
        return value
    }

    /// Reads past a string (at its opening quote) of printable ASCII without escapes,
    /// nearly every JOSE string; `false`, and nothing read, for any other.
    mutating func skipPlainString() -> Bool {
        var end = position + 1
        while end < bytes.count, bytes[end] >= 0x20, bytes[end] < 0x80, bytes[end] != UInt8(ascii: "\""),
              bytes[end] != UInt8(ascii: "\\") {
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return false }
        position = end + 1
        return true
    }

    mutating func string() throws -> String {
        let start = position + 1
        if skipPlainString() {
            return String(decoding: bytes[start..<(position - 1)], as: UTF8.self)
        }
        position = start
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("an unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: text, as: UTF8.self) else {
                    throw error("a string that is not UTF-8")
                }
                return string
            case 0..<0x20:
                throw error("a control character inside a string")
            case UInt8(ascii: "\\"):
                guard let escaped = peek() else { throw error("an unterminated escape") }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"): text += Array(String(try escapedScalar()).utf8)
                default: throw error("an unknown escape")
                }
            default:
                text.append(byte)
            }
        }
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
    mutating func escapedScalar() throws -> Unicode.Scalar {
        let first = try hexQuad()
        switch first {
        case 0xD800...0xDBFF:
            guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("a high surrogate without its low surrogate")
            }
            position += 2
            let second = try hexQuad()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("a high surrogate followed by something other than a low surrogate")
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw error("an invalid surrogate pair") }
            return scalar
        case 0xDC00...0xDFFF:
            throw error("a low surrogate without its high surrogate")
        default:
            guard let scalar = Unicode.Scalar(first) else { throw error("an invalid \\u escape") }
            return scalar
        }
    }
}

/// The names of an object's members read so far, remembering the first repeated one. It is
/// reported once the object has been read whole (``check(_:)``), so that a syntax error
/// later in the object still takes precedence.
struct MemberNames {
    // Compared where they lie while there are few (no hashing, no strings: this runs for
    // every token), as strings in a set once there are many.
    private var list: [JOSEJSONParser.Name] = []
    private var set: Set<String>? = nil
    private var duplicate: (name: String, offset: Int)? = nil

    /// Notes `name`, read by `parser`.
    mutating func record(_ name: JOSEJSONParser.Name, in parser: JOSEJSONParser) {
        guard duplicate == nil else { return }
        let repeated: Bool
        if set == nil, list.count < 16 {
            var found = false
            for earlier in list where parser.same(earlier, name) {
                found = true
                break
            }
            repeated = found
            if list.isEmpty { list.reserveCapacity(8) }
            list.append(name)
        } else {
            if set == nil { set = Set(list.map(parser.text(of:))) }
            repeated = !set!.insert(parser.text(of: name)).inserted
        }
        if repeated { duplicate = (parser.text(of: name), name.offset) }
    }

    /// Throws when a name was repeated.
    ///
    /// - Parameter what: What the object is, for the message.
    func check(_ what: String) throws {
        guard let duplicate else { return }
        throw SigilError(.malformedMessage, "\(what) has the member '\(duplicate.name)' twice (second at byte \(duplicate.offset))")
    }
}
