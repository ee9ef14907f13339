/// A CBOR data item (RFC 8949), as COSE messages are built from.
///
/// Read one with ``init(decoding:limits:)``; write one with ``deterministicEncoding()``,
/// which follows the core deterministic encoding of RFC 8949 §4.2.1.
///
/// ```swift
/// let header = CBOR.map([.init(key: 1, value: -7)])
/// let bytes = try header.deterministicEncoding()   // a1 01 26
/// ```
///
/// Integers keep CBOR's own range: ``unsigned(_:)`` holds 0…2⁶⁴−1 and ``negative(_:)``
/// holds −1…−2⁶⁴ as the argument `n` of the value −1−n.
public indirect enum CBOR: Hashable, Sendable {
    /// An unsigned integer (major type 0).
    case unsigned(UInt64)
    /// A negative integer (major type 1) whose value is −1 − `n`.
    case negative(UInt64)
    /// A byte string (major type 2).
    case byteString([UInt8])
    /// A UTF-8 text string (major type 3).
    case textString(String)
    /// An array (major type 4).
    case array([CBOR])
    /// A map (major type 5), its entries in the order they were read or given.
    case map([MapEntry])
    /// A tagged item (major type 6).
    case tagged(UInt64, CBOR)
    /// A simple value other than false, true, null and undefined (major type 7).
    case simple(UInt8)
    /// `false` or `true`.
    case boolean(Bool)
    /// `null`.
    case null
    /// `undefined`.
    case undefined
    /// A floating-point number, read from a half, single or double.
    case float(Double)

    /// One key/value pair of a map.
    public struct MapEntry: Hashable, Sendable {
        /// The key.
        public var key: CBOR
        /// The value.
        public var value: CBOR

        /// A pair.
        public init(key: CBOR, value: CBOR) {
            self.key = key
            self.value = value
        }
    }

    /// An integer item: ``unsigned(_:)`` for zero and above, ``negative(_:)`` below.
    public init(_ value: Int) {
        self = value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
    }

    /// The value of an integer item that fits an `Int`, else `nil`.
    public var intValue: Int? {
        switch self {
        case .unsigned(let n): return n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n): return n <= UInt64(Int.max) ? -1 - Int(n) : nil
        default: return nil
        }
    }

    /// The bytes of a byte string, else `nil`.
    public var byteStringValue: [UInt8]? {
        if case .byteString(let bytes) = self { return bytes }
        return nil
    }

    /// The text of a text string, else `nil`.
    public var textStringValue: String? {
        if case .textString(let text) = self { return text }
        return nil
    }

    /// The items of an array, else `nil`.
    public var arrayValue: [CBOR]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The entries of a map, else `nil`.
    public var mapValue: [MapEntry]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    /// In a map, the value under `key`; `nil` when this is not a map or has no such key.
    public subscript(key: CBOR) -> CBOR? {
        mapValue?.first(where: { $0.key == key })?.value
    }

    /// A short name of the item's kind, for error messages.
    public var kindName: String {
        switch self {
        case .unsigned, .negative: return "integer"
        case .byteString: return "byte string"
        case .textString: return "text string"
        case .array: return "array"
        case .map: return "map"
        case .tagged(let tag, _): return "tag \(tag)"
        case .simple(let value): return "simple value \(value)"
        case .boolean: return "boolean"
        case .null: return "null"
        case .undefined: return "undefined"
        case .float: return "float"
        }
    }
}

extension CBOR: ExpressibleByIntegerLiteral {
    /// An integer item from a literal.
    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

extension CBOR: ExpressibleByStringLiteral {
    /// A text string from a literal.
    public init(stringLiteral value: String) {
        self = .textString(value)
    }
}

/// A compact rendering of CBOR items for error messages.
enum CBORDiagnostic {
    static func short(_ item: CBOR) -> String {
        switch item {
        case .unsigned(let n): return "\(n)"
        case .negative(let n): return n == UInt64.max ? "-18446744073709551616" : "-\(n + 1)"
        case .textString(let text): return "\"\(printable(text, limit: 40))\""
        case .byteString(let bytes):
            let digits = bytes.prefix(20).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
            return "h'\(digits.joined())\(bytes.count > 20 ? "…" : "")'"
        default: return item.kindName
        }
    }

    /// Text from a message, fit for a one-line reason: at most `limit` characters, control
    /// characters (newlines among them) shown as U+FFFD.
    static func printable(_ text: some StringProtocol, limit: Int) -> String {
        let shown = text.prefix(limit).map { character in
            character.unicodeScalars.contains { $0.properties.generalCategory == .control } ? "\u{FFFD}" : character
        }
        return String(shown) + (text.count > limit ? "…" : "")
    }
}
