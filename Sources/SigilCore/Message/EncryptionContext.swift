import FoundationEssentials

/// The encryption context: non-secret key–value pairs bound to a message. Authenticated,
/// not encrypted; the key holder can require pairs before it unwraps a data key.
public struct EncryptionContext: Hashable, Sendable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The pairs.
    public private(set) var pairs: [String: String]

    /// Keys with this prefix are reserved for the Encryption SDK itself.
    public static let reservedPrefix = "aws-crypto-"
    /// The key under which signed suites carry the verification key.
    public static let publicKeyKey = "aws-crypto-public-key"

    /// An empty context.
    public init() { pairs = [:] }

    /// A context of caller pairs.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` for a key with the reserved
    ///   `aws-crypto-` prefix, an empty key, or a pair too long for the format.
    public init(_ pairs: [String: String]) throws {
        for (key, value) in pairs {
            guard !key.isEmpty else {
                throw SigilError(.invalidArgument, "encryption context keys cannot be empty")
            }
            guard !key.hasPrefix(Self.reservedPrefix) else {
                throw SigilError(.invalidArgument, "encryption context key '\(key)' uses the reserved prefix '\(Self.reservedPrefix)'")
            }
            guard key.utf8.count <= Int(UInt16.max), value.utf8.count <= Int(UInt16.max) else {
                throw SigilError(.invalidArgument, "encryption context pair '\(key)' is longer than 65535 bytes")
            }
        }
        self.pairs = pairs
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// Builds a context from pairs read off a message, where reserved keys are legitimate.
    init(fromMessage pairs: [String: String]) {
        self.pairs = pairs
    }

    /// Adds a reserved pair (the signing key of a signed suite).
    mutating func setReserved(_ key: String, _ value: String) {
        pairs[key] = value
    }

    /// Whether there are no pairs.
    public var isEmpty: Bool { pairs.isEmpty }

    /// The value under `key`.
    public subscript(key: String) -> String? { pairs[key] }

    /// The serialization of the header's key–value pairs: a count, then each key and
    /// value length-prefixed, sorted by the keys' UTF-8 bytes; nothing at all when empty.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` when the result cannot fit the
    ///   header's 2-byte length.
    public func serialized() throws -> [UInt8] {
        guard !pairs.isEmpty else { return [] }
        var output = ByteWriter()
        output.write(UInt16(pairs.count))
        for key in pairs.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            output.writeLengthPrefixed(Array(key.utf8))
            output.writeLengthPrefixed(Array(pairs[key]!.utf8))
        }
        guard output.bytes.count <= Int(UInt16.max) else {
            throw SigilError(.invalidArgument, "the encryption context serializes to \(output.bytes.count) bytes; the limit is 65535")
        }
        return output.bytes
    }

    /// Throws unless every pair of `required` is present here with the same value.
    ///
    /// - Throws: ``SigilError`` with code `encryptionContextMismatch` naming the first pair missing.
    public func checkContains(_ required: EncryptionContext) throws {
        for key in required.pairs.keys.sorted() {
            guard let value = pairs[key] else {
                throw SigilError(.encryptionContextMismatch, "the message's encryption context has no key '\(key)'")
            }
            guard value == required.pairs[key] else {
                throw SigilError(
                    .encryptionContextMismatch, "the message's encryption context has a different value for '\(key)'")
            }
        }
    }

    public var description: String {
        pairs.keys.sorted().map { "\($0)=\(pairs[$0]!)" }.joined(separator: ", ")
    }
}
