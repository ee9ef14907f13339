import FoundationEssentials

/// JSON reading and writing shared by the DSSE envelope, the in-toto statement and the
/// Sigstore bundle: one place maps the decoder's errors to ``SigilError``.
enum DSSEJSON {
    /// The deepest nesting of arrays and objects read; envelopes and bundles need under
    /// ten levels, in-toto predicates a few more.
    static let maximumDepth = 64

    /// Decodes `bytes` as `T`, naming `what` in the error.
    ///
    /// The text is first read by the strict reader JOSE uses, which refuses duplicate member
    /// names: Foundation's decoder silently keeps the first of two, where Python and Go keep
    /// the last, and an envelope must not read one way here and another way there. The
    /// strict reader also bounds the nesting depth and refuses invalid UTF-8 and trailing
    /// bytes. The caller has already bounded the size.
    ///
    /// - Throws: ``SigilError`` with code `malformedMessage` naming the first problem,
    ///   `unsupportedMessage` past the nesting limit.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some DataProtocol, what: String) throws -> T {
        try decodeWithTree(T.self, from: bytes, what: what).value
    }

    /// Decodes `bytes` as `T` and also returns the strict reader's tree, for members kept
    /// uninterpreted (an in-toto predicate).
    static func decodeWithTree<T: Decodable>(_ type: T.Type, from bytes: some DataProtocol, what: String) throws -> (value: T, tree: JOSEJSON) {
        let data = Data(bytes)
        let tree = try JOSEJSONReader(maximumSize: data.count, maximumDepth: maximumDepth).read(data, what: what)
        do {
            return (try JSONDecoder().decode(T.self, from: data), tree)
        } catch let error as SigilError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw SigilError(.malformedMessage, "\(what) has no '\(path(context.codingPath + [key]))' member")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw SigilError(.malformedMessage, "\(what) is not a JSON object")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SigilError(.malformedMessage, "\(what) has a member of the wrong type at '\(path(context.codingPath))'")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw SigilError(.malformedMessage, "\(what) has an unreadable value at '\(path(context.codingPath))'")
        } catch {
            throw SigilError(.malformedMessage, "\(what) is not valid JSON")
        }
    }

    /// Compact JSON with sorted keys and unescaped slashes (media types and base64 read as
    /// they are).
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, arrays and objects cannot fail.
        return (try? Array(encoder.encode(value))) ?? []
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// A base64 field: decoded strictly (see `DSSEBase64`), written as standard base64.
struct DSSEBase64Bytes: Codable, Sendable, Equatable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = DSSEBase64.decode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64"))
        }
        self.bytes = bytes
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(DSSEBase64.encode(bytes))
    }
}

/// A member read but not interpreted (a Sigstore bundle's certificates and log entries):
/// any JSON value decodes; it is written as `null`, which Sigil never does.
struct DSSEOpaqueJSON: Codable {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}
