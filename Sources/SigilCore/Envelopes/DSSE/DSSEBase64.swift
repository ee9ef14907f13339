/// Base64 as DSSE and the Sigstore bundle's JSON form carry it (RFC 4648).
///
/// Reading accepts either alphabet, standard (`+/`) or URL-safe (`-_`), as the DSSE envelope
/// specification allows, with or without `=` padding, but one alphabet per string and only
/// the canonical spelling (``StrictBase64`` with DSSE's rules). Writing uses the standard
/// alphabet with padding.
enum DSSEBase64 {
    /// Standard base64 with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        StrictBase64.encode(bytes, alphabet: .standard, padded: true)
    }

    /// The bytes `text` encodes, or `nil` when it is not canonical base64 in one alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { try? StrictBase64.decode($0, alphabets: [.standard, .urlSafe], paddingAllowed: true) }
    }
}
