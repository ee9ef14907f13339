/// Lowercase hexadecimal, two digits a byte: what SigV4 signs and compares, and how the
/// audit log shows its hashes.
public enum Hex {
    /// The bytes as lowercase hexadecimal.
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        appendLowercase(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the bytes as lowercase hexadecimal to `text`, for callers that build a
    /// larger text byte by byte (SigV4's string to sign).
    public static func appendLowercase(_ bytes: some Sequence<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte & 0x0F))
        }
    }

    /// The lowercase ASCII digit of a value below 16.
    @inline(__always)
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// The value of one ASCII hexadecimal digit (either case), or `nil` for any other byte.
    public static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
