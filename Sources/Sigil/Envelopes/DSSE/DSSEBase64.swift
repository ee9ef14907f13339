/// Base64 as DSSE and the Sigstore bundle's JSON form carry it (RFC 4648).
///
/// Reading accepts either alphabet, standard (`+/`) or URL-safe (`-_`), as the DSSE envelope
/// specification allows, with or without `=` padding, but one alphabet per string and only
/// the canonical spelling: the bits past the last whole byte must be zero. Two different
/// strings therefore never decode to the same bytes, so an altered character is always an
/// altered value. Writing uses the standard alphabet with padding.
enum DSSEBase64 {
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(standardAlphabet[Int(group >> 18 & 63)])
            output.append(standardAlphabet[Int(group >> 12 & 63)])
            output.append(second == nil ? UInt8(ascii: "=") : standardAlphabet[Int(group >> 6 & 63)])
            output.append(third == nil ? UInt8(ascii: "=") : standardAlphabet[Int(group & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` encodes, or `nil` when it is not canonical base64 in one alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var characters = Array(text.utf8)
        var padding = 0
        while characters.last == UInt8(ascii: "=") {
            characters.removeLast()
            padding += 1
        }
        // Padding, when present, completes the last group of four exactly.
        if padding > 0, padding > 2 || (characters.count + padding) % 4 != 0 { return nil }
        if characters.count % 4 == 1 { return nil }
        var sawStandard = false
        var sawURLSafe = false
        var output: [UInt8] = []
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for character in characters {
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62; sawStandard = true
            case UInt8(ascii: "/"): value = 63; sawStandard = true
            case UInt8(ascii: "-"): value = 62; sawURLSafe = true
            case UInt8(ascii: "_"): value = 63; sawURLSafe = true
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        guard !(sawStandard && sawURLSafe), accumulator == 0 else { return nil }
        return output
    }
}
