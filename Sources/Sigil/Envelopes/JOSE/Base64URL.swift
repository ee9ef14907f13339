/// The unpadded base64url encoding JOSE uses (RFC 7515 section 2), read strictly.
///
/// Decoding refuses padding, whitespace, characters outside the URL-safe alphabet, a
/// length that cannot occur (one character left over) and non-zero trailing bits, so a
/// value has exactly one encoding and a tampered token cannot hide in an alternate one.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as unpadded base64url.
    ///
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: The encoding, using `A–Z a–z 0–9 - _` and no `=`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url strictly.
    ///
    /// - Parameters:
    ///   - text: The encoding.
    ///   - what: What the value is, for the error message (such as `the JWS signature`).
    /// - Returns: The decoded bytes.
    /// - Throws: ``SigilError`` with code `malformedMessage` naming `what` and the problem.
    public static func decode(_ text: some StringProtocol, what: @autoclosure () -> String) throws -> [UInt8] {
        var utf8 = String(text)
        return try utf8.withUTF8 { try decode(buffer: $0, what: what()) }
    }

    /// Decodes the base64url characters `bytes[range]` strictly; see ``decode(_:what:)``.
    static func decode(_ bytes: [UInt8], _ range: Range<Int>, what: @autoclosure () -> String) throws -> [UInt8] {
        try bytes.withUnsafeBufferPointer { buffer in
            try decode(buffer: UnsafeBufferPointer(rebasing: buffer[range]), what: what())
        }
    }

    private static func decode(buffer characters: UnsafeBufferPointer<UInt8>, what: @autoclosure () -> String) throws -> [UInt8] {
        let count = characters.count
        guard count % 4 != 1 else {
            throw SigilError(.malformedMessage, "\(what()) is not base64url: its length (\(count)) is impossible")
        }
        let outputCount = count / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1)
        var invalid: UInt8 = 0
        var leftover: UInt32 = 0
        let output = reverse.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, written in
                var input = 0
                var output = 0
                // Four characters make three bytes; an invalid character maps to 0xFF,
                // which sets the high bits of `invalid`.
                while input + 4 <= count {
                    let a = table[Int(characters[input])], b = table[Int(characters[input + 1])]
                    let c = table[Int(characters[input + 2])], d = table[Int(characters[input + 3])]
                    invalid |= a | b | c | d
                    let value = UInt32(a & 63) << 18 | UInt32(b & 63) << 12 | UInt32(c & 63) << 6 | UInt32(d & 63)
                    buffer[output] = UInt8(truncatingIfNeeded: value >> 16)
                    buffer[output + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    buffer[output + 2] = UInt8(truncatingIfNeeded: value)
                    input += 4
                    output += 3
                }
                if count - input >= 2 {
                    let a = table[Int(characters[input])], b = table[Int(characters[input + 1])]
                    let c = count - input == 3 ? table[Int(characters[input + 2])] : 0
                    invalid |= a | b | c
                    let value = UInt32(a & 63) << 18 | UInt32(b & 63) << 12 | UInt32(c & 63) << 6
                    buffer[output] = UInt8(truncatingIfNeeded: value >> 16)
                    if count - input == 3 {
                        buffer[output + 1] = UInt8(truncatingIfNeeded: value >> 8)
                        leftover = value & 0xFF
                    } else {
                        leftover = value & 0xFFFF
                    }
                }
                written = outputCount
            }
        }
        guard invalid & 0xC0 == 0 else {
            if characters.contains(UInt8(ascii: "=")) {
                throw SigilError(.malformedMessage, "\(what()) is not base64url: JOSE forbids '=' padding")
            }
            throw SigilError(.malformedMessage, "\(what()) is not base64url: it holds a character outside the URL-safe alphabet")
        }
        guard leftover == 0 else {
            throw SigilError(.malformedMessage, "\(what()) is not base64url: its last character has non-zero unused bits")
        }
        return output
    }
}
