/// A JSON value as JOSE reads it: from ``JOSEJSONReader``, which refuses duplicate
/// member names, and written back by ``JOSEJSONWriter``.
///
/// Numbers keep their literal text, so nothing is lost to floating point until a caller
/// asks for ``doubleValue``.
public enum JOSEJSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its literal text (RFC 8259 grammar, already checked).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JOSEJSON])
    /// An object; its member names are unique.
    case object([String: JOSEJSON])

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        guard case .number(let literal) = self else { return nil }
        // Most JOSE numbers are NumericDates: non-negative integers of at most 15 digits,
        // which a Double holds exactly, so the integer parse gives what strtod would, faster.
        if literal.utf8.count <= 15, literal.utf8.first != UInt8(ascii: "-"), let integer = Int(literal) {
            return Double(integer)
        }
        return Double(literal)
    }

    /// The members, if this is an object.
    public var objectValue: [String: JOSEJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JOSEJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The member `name`, if this is an object holding it.
    public subscript(name: String) -> JOSEJSON? {
        objectValue?[name]
    }

    /// Whether this is a string, number, Boolean or `null`: nothing nested.
    var isScalar: Bool {
        switch self {
        case .null, .bool, .number, .string: true
        case .array, .object: false
        }
    }

    /// A number holding an integer.
    public static func integer(_ value: Int) -> JOSEJSON { .number(String(value)) }
}
