public import FoundationEssentials

/// The PEM text encoding (RFC 7468): a DER body in base64 between
/// `-----BEGIN LABEL-----` and `-----END LABEL-----` lines.
public enum PEM {
    /// Encodes DER bytes as PEM with 64-character lines.
    ///
    /// - Parameters:
    ///   - der: The DER bytes.
    ///   - label: The type label, such as `PUBLIC KEY`.
    /// - Returns: The PEM text, ending with a newline.
    public static func encode(_ der: some DataProtocol, label: String) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }

    /// Decodes the first PEM block in `text`.
    ///
    /// Text before the BEGIN line (such as OpenSSL's explanatory headers) is ignored; the
    /// body must be strict base64, whitespace aside.
    ///
    /// - Parameter text: The PEM text.
    /// - Returns: The block's label and its DER bytes.
    /// - Throws: ``SigilError`` with code `malformedKey` if there is no complete block or
    ///   its body is not base64.
    public static func decode(_ text: String) throws -> (label: String, der: [UInt8]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(where: \.isSpaceOrTab) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw SigilError(.malformedKey, "no '-----BEGIN ...-----' line: not PEM")
        }
        let label = String(lines[begin].dropFirst("-----BEGIN ".count).dropLast("-----".count))
        let endLine = "-----END \(label)-----"
        guard let end = lines[(begin + 1)...].firstIndex(of: endLine) else {
            throw SigilError(.malformedKey, "PEM block '\(label)' has no '\(endLine)' line (truncated?)")
        }
        let body = lines[(begin + 1)..<end]
        if body.contains(where: { $0.contains(":") }) {
            throw SigilError(.malformedKey, "PEM block '\(label)' has headers; encrypted PEM is not supported")
        }
        guard let der = Data(base64Encoded: body.joined()), !der.isEmpty else {
            throw SigilError(.malformedKey, "PEM block '\(label)' does not hold valid base64")
        }
        return (label, [UInt8](der))
    }

    /// Whether `bytes` look like PEM text rather than binary DER.
    public static func looksLikePEM(_ bytes: some Collection<UInt8>) -> Bool {
        let head = Array(bytes.prefix(4096))
        let marker = Array("-----BEGIN ".utf8)
        guard head.count >= marker.count else { return false }
        return (0...(head.count - marker.count)).contains { start in
            head[start..<(start + marker.count)].elementsEqual(marker)
        }
    }
}
