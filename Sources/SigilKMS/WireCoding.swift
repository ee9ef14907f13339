public import Foundation

/// Bytes that travel in KMS JSON as a base64 string: plaintexts, ciphertext blobs,
/// signatures, public keys.
///
/// Decoding refuses anything that is not strict, padded base64 (RFC 4648 §4): no
/// whitespace, no URL-safe alphabet. The description never shows the bytes, because a
/// blob is often a plaintext or a private key.
public struct Base64Blob: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The decoded bytes.
    public var bytes: [UInt8]

    /// Wraps raw bytes.
    ///
    /// - Parameter bytes: The bytes (not base64).
    public init(_ bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    /// Decodes a base64 string.
    ///
    /// - Parameter base64: Padded, standard-alphabet base64.
    /// - Returns: `nil` if the string is not valid base64.
    public init?(base64Encoded base64: String) {
        guard let bytes = Self.decode(base64) else { return nil }
        self.bytes = bytes
    }

    /// The bytes as `Data`.
    public var data: Data { Data(bytes) }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// The base64 text, as it appears on the wire.
    public var base64EncodedString: String { Data(bytes).base64EncodedString() }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Self.decode(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "not valid base64 (\(text.utf8.count) characters; expected padded RFC 4648 base64)")
        }
        self.bytes = bytes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base64EncodedString)
    }

    public var description: String { "Base64Blob(\(bytes.count) bytes)" }

    /// Strict decoding: length a multiple of 4, standard alphabet, `=` only as the final
    /// one or two characters. Foundation's decoder is not relied on for the strictness.
    private static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count.isMultiple(of: 4) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var values: [UInt8] = [0, 0, 0, 0]
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding only in the last quantum, only in its last two places, and
                    // nothing but padding after it.
                    guard index + 4 == characters.count, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0, let value = sextet(character) else { return nil }
                values[offset] = value
            }
            output.append(values[0] << 2 | values[1] >> 4)
            if padding < 2 { output.append(values[1] << 4 | values[2] >> 2) }
            if padding < 1 { output.append(values[2] << 6 | values[3]) }
            index += 4
        }
        return output
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}

/// A KMS timestamp: a JSON number of seconds since 1970-01-01T00:00:00Z, fractions
/// allowed, as botocore reads and writes them.
///
/// A property wrapper rather than a `JSONDecoder` strategy, so that the wire format does
/// not depend on how the encoder or decoder in hand was configured. Absent and `null`
/// both decode to `nil`; `nil` is left out when encoding.
@propertyWrapper
public struct EpochSeconds: Codable, Hashable, Sendable {
    /// The date, if any.
    public var wrappedValue: Date?

    /// Wraps a date.
    public init(wrappedValue: Date?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            wrappedValue = nil
            return
        }
        let seconds = try container.decode(Double.self)
        guard seconds.isFinite else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a timestamp must be a finite number")
        }
        wrappedValue = Date(timeIntervalSince1970: seconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue.timeIntervalSince1970)
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// Lets a missing key decode to a `nil` ``EpochSeconds`` instead of failing.
    public func decode(_ type: EpochSeconds.Type, forKey key: Key) throws -> EpochSeconds {
        try decodeIfPresent(type, forKey: key) ?? EpochSeconds(wrappedValue: nil)
    }
}

extension KeyedEncodingContainer {
    /// Leaves a `nil` ``EpochSeconds`` out, as KMS leaves out absent members.
    public mutating func encode(_ value: EpochSeconds, forKey key: Key) throws {
        guard value.wrappedValue != nil else { return }
        try encodeIfPresent(value, forKey: key)
    }
}

/// A KMS string enumeration (KeySpec, SigningAlgorithmSpec, …) as an open set of values.
///
/// Decoding accepts any string, so that an unknown value reaches the key holder's
/// validation and becomes a `ValidationException` naming the allowed values (see
/// ``validated(member:)``), rather than an opaque decoding failure.
public protocol KMSEnumeration: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral where RawValue == String
{
    /// Wraps a value, known or not.
    init(rawValue: String)
    /// Every value the KMS API model defines, in the model's order.
    static var knownValues: [String] { get }
}

extension KMSEnumeration {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    public var description: String { rawValue }

    /// Whether the KMS API model defines this value.
    public var isKnown: Bool { Self.knownValues.contains(rawValue) }

    /// Returns the value if the model knows it.
    ///
    /// - Parameter member: The member name for the error message, such as `KeySpec`.
    /// - Returns: `self`.
    /// - Throws: ``KMSError`` `ValidationException` worded as KMS words it.
    public func validated(member: String) throws(KMSError) -> Self {
        guard isKnown else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(rawValue)' at '\(lowerCamel(member))' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [\(Self.knownValues.joined(separator: ", "))]")
        }
        return self
    }
}

/// `KeySpec` → `keySpec`, as KMS names members in validation messages.
func lowerCamel(_ member: String) -> String {
    guard let first = member.first else { return member }
    return first.lowercased() + member.dropFirst()
}
