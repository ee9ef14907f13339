extension CBOR {
    /// The item in the core deterministic encoding of RFC 8949 §4.2.1.
    ///
    /// Every integer, length and tag takes its shortest form; no indefinite lengths; map
    /// entries are sorted by the bytes of their encoded keys; a float takes the shortest
    /// of half, single and double that holds its value exactly (NaN is `f9 7e 00`).
    ///
    /// - Returns: The encoded bytes.
    /// - Throws: ``SigilError`` with code `invalidArgument` when a map holds two equal keys,
    ///   which no deterministic encoding can represent.
    public func deterministicEncoding() throws -> [UInt8] {
        var output: [UInt8] = []
        try CBORWriter.append(self, to: &output)
        return output
    }
}

/// Writes CBOR items in the core deterministic encoding.
enum CBORWriter {
    static func append(_ item: CBOR, to output: inout [UInt8]) throws {
        switch item {
        case .unsigned(let n):
            appendHead(major: 0, argument: n, to: &output)
        case .negative(let n):
            appendHead(major: 1, argument: n, to: &output)
        case .byteString(let bytes):
            appendByteString(bytes, to: &output)
        case .textString(let text):
            appendTextString(text, to: &output)
        case .array(let items):
            appendHead(major: 4, argument: UInt64(items.count), to: &output)
            for element in items {
                try append(element, to: &output)
            }
        case .map(let entries):
            try appendMap(entries, to: &output)
        case .tagged(let tag, let content):
            appendHead(major: 6, argument: tag, to: &output)
            try append(content, to: &output)
        case .simple(let value):
            if value < 24 {
                output.append(0xe0 | value)
            } else {
                output.append(contentsOf: [0xf8, value])
            }
        case .boolean(let value):
            output.append(value ? 0xf5 : 0xf4)
        case .null:
            output.append(0xf6)
        case .undefined:
            output.append(0xf7)
        case .float(let value):
            appendFloat(value, to: &output)
        }
    }

    /// A head: the major type and the argument in its shortest form.
    static func appendHead(major: UInt8, argument: UInt64, to output: inout [UInt8]) {
        let type = major << 5
        switch argument {
        case 0..<24:
            output.append(type | UInt8(argument))
        case 24...0xff:
            output.append(contentsOf: [type | 24, UInt8(argument)])
        case 0x100...0xffff:
            output.append(type | 25)
            appendBigEndian(argument, width: 2, to: &output)
        case 0x1_0000...0xffff_ffff:
            output.append(type | 26)
            appendBigEndian(argument, width: 4, to: &output)
        default:
            output.append(type | 27)
            appendBigEndian(argument, width: 8, to: &output)
        }
    }

    static func appendByteString(_ bytes: some Collection<UInt8>, to output: inout [UInt8]) {
        appendHead(major: 2, argument: UInt64(bytes.count), to: &output)
        output.append(contentsOf: bytes)
    }

    static func appendTextString(_ text: String, to output: inout [UInt8]) {
        appendHead(major: 3, argument: UInt64(text.utf8.count), to: &output)
        output.append(contentsOf: text.utf8)
    }

    private static func appendMap(_ entries: [CBOR.MapEntry], to output: inout [UInt8]) throws {
        var encoded: [(bytes: [UInt8], entry: CBOR.MapEntry)] = []
        encoded.reserveCapacity(entries.count)
        for entry in entries {
            var key: [UInt8] = []
            try append(entry.key, to: &key)
            encoded.append((key, entry))
        }
        encoded.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        for (previous, next) in zip(encoded, encoded.dropFirst()) where previous.bytes == next.bytes {
            throw SigilError(.invalidArgument, "a CBOR map to encode has the key \(CBORDiagnostic.short(next.entry.key)) twice")
        }
        appendHead(major: 5, argument: UInt64(entries.count), to: &output)
        for (bytes, entry) in encoded {
            output.append(contentsOf: bytes)
            try append(entry.value, to: &output)
        }
    }

    private static func appendFloat(_ value: Double, to output: inout [UInt8]) {
        if value.isNaN {
            output.append(contentsOf: [0xf9, 0x7e, 0x00])
        } else if let half = Float16(exactly: value) {
            output.append(0xf9)
            appendBigEndian(UInt64(half.bitPattern), width: 2, to: &output)
        } else if let single = Float(exactly: value) {
            output.append(0xfa)
            appendBigEndian(UInt64(single.bitPattern), width: 4, to: &output)
        } else {
            output.append(0xfb)
            appendBigEndian(value.bitPattern, width: 8, to: &output)
        }
    }

    private static func appendBigEndian(_ value: UInt64, width: Int, to output: inout [UInt8]) {
        for index in stride(from: width - 1, through: 0, by: -1) {
            output.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}
