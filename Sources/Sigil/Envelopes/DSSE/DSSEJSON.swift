import Foundation

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
        let data = Data(bytes)
        _ = try JOSEJSONReader(maximumSize: data.count, maximumDepth: maximumDepth).read(data, what: what)
        do {
            return try JSONDecoder().decode(T.self, from: data)
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

/// Any JSON value, kept so that it can be written back (an in-toto predicate) or counted
/// without being interpreted (a Sigstore bundle's transparency-log entries).
public enum DSSEJSONValue: Sendable, Hashable, Codable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([DSSEJSONValue])
    /// An object.
    case object([String: DSSEJSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DSSEJSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DSSEJSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as compact JSON with sorted keys.
    public var jsonRepresentation: [UInt8] { DSSEJSON.encode(self) }
}
