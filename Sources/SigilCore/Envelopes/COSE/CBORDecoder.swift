public import FoundationEssentials

extension CBOR {
    /// The bounds a CBOR reader keeps to, so that hostile input costs little.
    public struct DecodingLimits: Hashable, Sendable {
        /// The deepest nesting of arrays, maps and tags; the top-level item is depth 1.
        public var maximumDepth: Int
        /// The most data items in the whole input, counting every nested item.
        public var maximumItems: Int
        /// The largest input, in bytes.
        public var maximumSize: Int

        /// Limits of your choosing.
        public init(maximumDepth: Int, maximumItems: Int, maximumSize: Int) {
            self.maximumDepth = maximumDepth
            self.maximumItems = maximumItems
            self.maximumSize = maximumSize
        }

        /// Depth 16, 4096 items, 16 MiB: ample for COSE messages and their headers.
        public static let `default` = DecodingLimits(maximumDepth: 16, maximumItems: 4096, maximumSize: 16 << 20)
    }

    /// Reads exactly one CBOR data item from `bytes`.
    ///
    /// The reader is strict: it accepts only well-formed CBOR in preferred serialization
    /// and refuses, with a one-line reason,
    /// - indefinite-length strings, arrays and maps (COSE forbids them in protected headers
    ///   and signing inputs; Sigil refuses them everywhere),
    /// - integers, lengths and tags not in their shortest form (a `1` written as `18 01`),
    /// - a map with two equal keys, text that is not UTF-8, reserved additional
    ///   information (28–30), two-byte simple values below 32,
    /// - bytes after the item,
    /// - any length that exceeds the input left, before anything is allocated.
    /// Floats of any width are accepted.
    ///
    /// - Parameters:
    ///   - bytes: The encoded item.
    ///   - limits: Depth, item count and size bounds.
    /// - Throws: ``SigilError`` with code `malformedMessage` for input that breaks the rules
    ///   above, `unsupportedMessage` for input beyond `limits`.
    public init(decoding bytes: some DataProtocol, limits: DecodingLimits = .default) throws {
        guard bytes.count <= limits.maximumSize else {
            throw SigilError(
                .unsupportedMessage,
                "the CBOR input is \(bytes.count) bytes, over the limit of \(limits.maximumSize)")
        }
        var reader = CBORReader(bytes: Array(bytes), limits: limits)
        self = try reader.readItem(depth: 1)
        guard reader.position == reader.bytes.count else {
            throw SigilError(
                .malformedMessage,
                "\(reader.bytes.count - reader.position) unexpected bytes after the CBOR item (at offset \(reader.position))")
        }
    }
}

/// The state of one strict CBOR read: the input, where the reader is, and the budget left.
struct CBORReader {
    let bytes: [UInt8]
    let limits: CBOR.DecodingLimits
    private(set) var position = 0
    private var itemsRead = 0

    init(bytes: [UInt8], limits: CBOR.DecodingLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private var remaining: Int { bytes.count - position }

    private func malformed(_ reason: String, at offset: Int) -> SigilError {
        SigilError(.malformedMessage, "CBOR: \(reason) (at offset \(offset))")
    }

    private mutating func readByte(_ what: String) throws -> UInt8 {
        guard position < bytes.count else {
            throw malformed("the input ends inside \(what)", at: position)
        }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func readBytes(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw malformed("\(what) needs \(count) bytes but only \(remaining) remain", at: position)
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// The argument of an item head: the additional information itself, or the 1, 2, 4 or
    /// 8 bytes after it, refused unless in its shortest form.
    private mutating func readArgument(_ info: UInt8, major: UInt8, start: Int) throws -> UInt64 {
        let width: Int
        switch info {
        case 0..<24: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        case 27: width = 8
        case 31: throw malformed("indefinite-length items are not accepted (major type \(major))", at: start)
        default: throw malformed("reserved additional information \(info) (major type \(major))", at: start)
        }
        var value: UInt64 = 0
        for byte in try readBytes(width, "an item's argument") {
            value = value << 8 | UInt64(byte)
        }
        let shortest: UInt64 = switch width {
        case 1: 24
        case 2: 0x100
        case 4: 0x1_0000
        default: 0x1_0000_0000
        }
        guard value >= shortest else {
            throw malformed("the argument \(value) is not in its shortest form (\(width) bytes)", at: start)
        }
        return value
    }

    private mutating func countItem(at start: Int) throws {
        itemsRead += 1
        guard itemsRead <= limits.maximumItems else {
            throw SigilError(
                .unsupportedMessage,
                "CBOR: more than \(limits.maximumItems) data items (at offset \(start))")
        }
    }

    /// A declared length or count, checked against what the input could still hold
    /// (`minimumBytesEach` per element) before anything is allocated for it.
    private func checkedCount(_ declared: UInt64, minimumBytesEach: Int, _ what: String, start: Int) throws -> Int {
        let available = UInt64(remaining / minimumBytesEach)
        guard declared <= available else {
            throw malformed("\(what) declares \(declared) but only \(remaining) bytes remain", at: start)
        }
        return Int(declared)
    }

    mutating func readItem(depth: Int) throws -> CBOR {
        let start = position
        guard depth <= limits.maximumDepth else {
            throw SigilError(
                .unsupportedMessage,
                "CBOR: nesting deeper than \(limits.maximumDepth) levels (at offset \(start))")
        }
        try countItem(at: start)
        let initial = try readByte("an item")
        let major = initial >> 5
        let info = initial & 0x1f
        if major == 7 {
            return try readSimpleOrFloat(info, start: start)
        }
        let argument = try readArgument(info, major: major, start: start)
        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            let count = try checkedCount(argument, minimumBytesEach: 1, "a byte string", start: start)
            return .byteString(Array(try readBytes(count, "a byte string")))
        case 3:
            let count = try checkedCount(argument, minimumBytesEach: 1, "a text string", start: start)
            let utf8 = try readBytes(count, "a text string")
            guard let text = String(validating: utf8, as: UTF8.self) else {
                throw malformed("a text string is not valid UTF-8", at: start)
            }
            return .textString(text)
        case 4:
            let count = try checkedCount(argument, minimumBytesEach: 1, "an array", start: start)
            var items: [CBOR] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                items.append(try readItem(depth: depth + 1))
            }
            return .array(items)
        case 5:
            let count = try checkedCount(argument, minimumBytesEach: 2, "a map", start: start)
            var entries: [CBOR.MapEntry] = []
            entries.reserveCapacity(count)
            var keys = Set<CBOR>()
            for _ in 0..<count {
                let keyStart = position
                let key = try readItem(depth: depth + 1)
                guard keys.insert(key).inserted else {
                    throw malformed("a map has the key \(CBORDiagnostic.short(key)) twice", at: keyStart)
                }
                entries.append(CBOR.MapEntry(key: key, value: try readItem(depth: depth + 1)))
            }
            return .map(entries)
        default:
            return .tagged(argument, try readItem(depth: depth + 1))
        }
    }

    private mutating func readSimpleOrFloat(_ info: UInt8, start: Int) throws -> CBOR {
        switch info {
        case 20: return .boolean(false)
        case 21: return .boolean(true)
        case 22: return .null
        case 23: return .undefined
        case 0..<20: return .simple(info)
        case 24:
            let value = try readByte("a simple value")
            guard value >= 32 else {
                throw malformed("the simple value \(value) must be written in one byte", at: start)
            }
            return .simple(value)
        case 25:
            let bits = try readBytes(2, "a half-precision float").reduce(UInt16(0)) { $0 << 8 | UInt16($1) }
            return .float(Double(Float16(bitPattern: bits)))
        case 26:
            let bits = try readBytes(4, "a single-precision float").reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return .float(Double(Float(bitPattern: bits)))
        case 27:
            let bits = try readBytes(8, "a double-precision float").reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .float(Double(bitPattern: bits))
        case 31:
            throw malformed("a break code outside an indefinite-length item", at: start)
        default:
            throw malformed("reserved additional information \(info) (major type 7)", at: start)
        }
    }
}
