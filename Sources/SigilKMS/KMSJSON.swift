public import Foundation

/// A request type of the KMS JSON protocol: which operation it is for and what comes back.
public protocol KMSRequest: Codable, Sendable {
    /// The response type of the operation.
    associatedtype Response: Codable, Sendable
    /// The operation this request is the input of.
    static var operation: KMSOperation { get }
}

extension KMS {
    /// The empty output of operations that return nothing (EnableKey, CreateAlias, …).
    public struct Empty: Codable, Hashable, Sendable {
        /// Creates the empty output.
        public init() {}
    }
}

/// Encoding and decoding KMS JSON bodies, with decoding failures turned into the KMS
/// errors a server answers with.
public enum KMSJSON {
    /// Decodes a request or response body.
    ///
    /// An empty body reads as `{}` (KMS sends nothing for outputs without members).
    /// Failures become:
    /// - `SerializationException`: the body is not JSON, not a JSON object, or a member
    ///   has the wrong JSON type or an undecodable value (invalid base64, a non-number
    ///   timestamp); the message names the member, such as `Tags[0].TagKey`;
    /// - `ValidationException`: a required member is absent or `null`, worded as KMS
    ///   words it ("Value null at 'keyId' failed to satisfy constraint: Member must not
    ///   be null").
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - body: The JSON bytes.
    /// - Returns: The decoded value.
    /// - Throws: ``KMSError`` as above.
    public static func decode<Value: Decodable>(_ type: Value.Type, from body: Data) throws(KMSError) -> Value {
        let json = body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } ? Data("{}".utf8) : body
        do {
            return try decoder.decode(type, from: json)
        } catch let error as DecodingError {
            throw kmsError(for: error)
        } catch {
            throw KMSError.serialization("The body could not be read: \(error)")
        }
    }

    /// Encodes a request or response body. Absent members are left out; keys are sorted,
    /// so equal values give equal bytes.
    ///
    /// - Parameter value: The value to encode.
    /// - Returns: The JSON bytes.
    /// - Throws: `EncodingError` (a non-finite number, for example).
    public static func encode(_ value: some Encodable) throws -> Data {
        // The hot operations' responses write themselves (KMSJSONWriter.swift): the same
        // bytes as the encoder's, without its cost. A dynamic cast, because the key holder
        // encodes through a generic `Response: Encodable`.
        if let writable = value as? any KMSJSONWritable {
            return writable.jsonData()
        }
        return try encoder.encode(value)
    }

    // One of each, made once: a JSONEncoder or JSONDecoder is safe to use from many
    // threads at once, and making one per request showed in the key holder's profile.
    private static let decoder = JSONDecoder()
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Translates a decoding failure into the KMS error a server answers with.
    ///
    /// - Parameter error: What `JSONDecoder` threw.
    /// - Returns: A `SerializationException` or `ValidationException`.
    public static func kmsError(for error: DecodingError) -> KMSError {
        switch error {
        case .keyNotFound(let key, let context):
            return .validation(
                "1 validation error detected: Value null at '\(path(context.codingPath + [key], lowerFirst: true))' "
                    + "failed to satisfy constraint: Member must not be null")
        case .valueNotFound(_, let context):
            if context.codingPath.isEmpty {
                return .serialization("The body must be a JSON object, not null")
            }
            return .validation(
                "1 validation error detected: Value null at '\(path(context.codingPath, lowerFirst: true))' "
                    + "failed to satisfy constraint: Member must not be null")
        case .typeMismatch(let expected, let context):
            if context.codingPath.isEmpty {
                return .serialization("The body must be a JSON object")
            }
            return .serialization(
                "Wrong JSON type for '\(path(context.codingPath))': expected \(jsonTypeName(expected))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .serialization("The body is not valid JSON")
            }
            return .serialization("Invalid value for '\(path(context.codingPath))': \(context.debugDescription)")
        @unknown default:
            return .serialization("The body could not be decoded")
        }
    }

    /// `Tags[0].TagKey`, or `tags[0].tagKey` in KMS's validation-message style.
    static func path(_ codingPath: [any CodingKey], lowerFirst: Bool = false) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += lowerFirst ? lowerCamel(key.stringValue) : key.stringValue
            }
        }
        return text
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt.Type, is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
            return "an object"
        }
    }
}
