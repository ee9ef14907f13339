/// The unpadded base64url encoding JOSE uses (RFC 7515 section 2), read strictly.
///
/// Decoding refuses padding, whitespace, characters outside the URL-safe alphabet, a
/// length that cannot occur (one character left over) and non-zero trailing bits, so a
/// value has exactly one encoding and a tampered token cannot hide in an alternate one
/// (``StrictBase64`` with JOSE's rules).
public enum Base64URL {
    /// The one alphabet JOSE allows.
    private static let urlSafeOnly: StrictBase64.Alphabets = .urlSafe

    /// Encodes bytes as unpadded base64url.
    ///
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: The encoding, using `A–Z a–z 0–9 - _` and no `=`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        StrictBase64.encode(bytes, alphabet: .urlSafe, padded: false)
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

    /// Decodes `characters` into a temporary buffer and passes the bytes to `body`, for a
    /// value read once and dropped; errors as ``decode(_:what:)``.
    static func withDecoded<Result>(
        _ characters: UnsafeBufferPointer<UInt8>, what: @autoclosure () -> String,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result {
        do {
            return try StrictBase64.withDecoded(characters, alphabets: urlSafeOnly, paddingAllowed: false, body)
        } catch let problem as StrictBase64.Problem {
            throw error(problem, what: what())
        }
    }

    /// Decodes the base64url `characters` strictly; see ``decode(_:what:)``.
    static func decode(buffer: UnsafeBufferPointer<UInt8>, what: @autoclosure () -> String) throws -> [UInt8] {
        do throws(StrictBase64.Problem) {
            return try StrictBase64.decode(buffer, alphabets: urlSafeOnly, paddingAllowed: false)
        } catch {
            throw Self.error(error, what: what())
        }
    }

    private static func error(_ problem: StrictBase64.Problem, what: String) -> SigilError {
        let reason = switch problem {
        case .impossibleLength(let count): "its length (\(count)) is impossible"
        case .padding: "JOSE forbids '=' padding"
        case .character, .mixedAlphabets: "it holds a character outside the URL-safe alphabet"
        case .unusedBits: "its last character has non-zero unused bits"
        }
        return SigilError(.malformedMessage, "\(what) is not base64url: \(reason)")
    }
}
