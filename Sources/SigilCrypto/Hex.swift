/// Lowercase hexadecimal, two digits a byte: what SigV4 signs and compares, and how the
/// audit log shows its hashes.
public enum Hex {
    /// The bytes as lowercase hexadecimal.
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
