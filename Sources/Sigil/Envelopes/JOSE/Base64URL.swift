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
    public static func decode(_ text: some StringProtocol, what: String) throws -> [UInt8] {
        try decode(utf8: Array(text.utf8), what: what)
    }

    /// Decodes the base64url characters `utf8` strictly; see ``decode(_:what:)``.
    static func decode(utf8 characters: some Collection<UInt8>, what: String) throws -> [UInt8] {
        guard characters.count % 4 != 1 else {
            throw SigilError(.malformedMessage, "\(what) is not base64url: its length (\(characters.count)) is impossible")
        }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            let value = reverse[Int(character)]
            guard value != 0xFF else {
                if character == UInt8(ascii: "=") {
                    throw SigilError(.malformedMessage, "\(what) is not base64url: JOSE forbids '=' padding")
                }
                throw SigilError(.malformedMessage, "\(what) is not base64url: it holds a character outside the URL-safe alphabet")
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else {
            throw SigilError(.malformedMessage, "\(what) is not base64url: its last character has non-zero unused bits")
        }
        return output
    }
}
