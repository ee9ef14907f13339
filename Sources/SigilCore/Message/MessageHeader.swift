/// The header of an Encryption SDK message (format version 2), parsed or to be written.
public struct MessageHeader: Sendable {
    /// The algorithm suite.
    public let suite: AlgorithmSuite
    /// The 32-byte message id: the HKDF salt, and part of every frame's AAD.
    public let messageID: [UInt8]
    /// The encryption context, including the SDK's reserved pairs.
    public let encryptionContext: EncryptionContext
    /// The data key, wrapped once per recipient.
    public let encryptedDataKeys: [EncryptedDataKey]
    /// Framed (the default and all Sigil writes) or one single block.
    public let contentType: ContentType
    /// The plaintext length of each regular frame (0 for non-framed content).
    public let frameLength: UInt32
    /// The commit key: proves which data key the message was made with.
    public let commitKey: [UInt8]
    /// The header's AES-GCM tag.
    public let authenticationTag: [UInt8]
    /// The header body: every byte before the tag, exactly as in the message.
    public let body: [UInt8]

    /// The message format version Sigil reads and writes.
    public static let version: UInt8 = 2

    /// How the message body is laid out.
    public enum ContentType: UInt8, Sendable {
        /// One block: IV, length, ciphertext, tag. Read, never written.
        case nonFramed = 1
        /// Frames of ``MessageHeader/frameLength`` bytes, the last one final.
        case framed = 2
    }

    /// The serialized header: body and tag.
    public var serialized: [UInt8] { body + authenticationTag }

    /// Builds and serializes a header body for encryption; the tag is added later.
    static func encodeBody(
        suite: AlgorithmSuite, messageID: [UInt8], context: [UInt8], encryptedDataKeys: [EncryptedDataKey],
        frameLength: UInt32, commitKey: [UInt8]
    ) throws -> [UInt8] {
        var writer = ByteWriter()
        writer.write(version)
        writer.write(suite.id)
        writer.write(messageID)
        writer.write(UInt16(context.count))
        writer.write(context)
        guard encryptedDataKeys.count <= Int(UInt16.max) else {
            throw SigilError(.invalidArgument, "a message carries at most 65535 encrypted data keys")
        }
        writer.write(UInt16(encryptedDataKeys.count))
        for key in encryptedDataKeys {
            let fields = [Array(key.providerID.utf8), key.providerInfo, key.ciphertext]
            guard fields.allSatisfy({ $0.count <= Int(UInt16.max) }) else {
                throw SigilError(.invalidArgument, "an encrypted data key field is longer than 65535 bytes")
            }
            fields.forEach { writer.writeLengthPrefixed($0) }
        }
        writer.write(ContentType.framed.rawValue)
        writer.write(frameLength)
        writer.write(commitKey)
        return writer.bytes
    }

    /// Parses a header from the start of `buffer`.
    ///
    /// - Returns: The header and its length in bytes.
    /// - Throws: `ByteReader.Shortage` when `buffer` ends inside the header; ``SigilError``
    ///   with code `malformedMessage` or `unsupportedMessage` for a header that is wrong or
    ///   exceeds `limits`.
    static func parse(_ buffer: UnsafeRawBufferPointer, limits: DecryptionLimits) throws -> (MessageHeader, Int) {
        var reader = ByteReader(buffer)
        do {
            let (header, length) = try parse(&reader, limits: limits)
            // A header already whole in the buffer never ran short: bound it here too.
            guard length <= limits.maximumHeaderSize else {
                throw SigilError(
                    .unsupportedMessage,
                    "the header is longer than the limit of \(limits.maximumHeaderSize) bytes")
            }
            return (header, length)
        } catch let shortage as ByteReader.Shortage {
            guard shortage.needed <= limits.maximumHeaderSize else {
                throw SigilError(
                    .unsupportedMessage,
                    "the header is longer than the limit of \(limits.maximumHeaderSize) bytes")
            }
            throw shortage
        }
    }

    private static func parse(_ reader: inout ByteReader, limits: DecryptionLimits) throws -> (MessageHeader, Int) {
        let version = try reader.uint8()
        switch version {
        case Self.version:
            break
        case 1:
            throw SigilError(
                .unsupportedMessage,
                "message format version 1 has no key commitment; Sigil reads version 2 only (re-encrypt with a current SDK)")
        default:
            throw SigilError(
                .malformedMessage,
                "not an Encryption SDK message: the first byte is 0x\(String(version, radix: 16)), not 0x02")
        }
        let suite = try AlgorithmSuite(id: try reader.uint16())
        let messageID = try reader.array(32)
        let context = try parseContext(try reader.lengthPrefixed())
        if suite.isSigned, context[EncryptionContext.publicKeyKey] == nil {
            throw SigilError(.malformedMessage, "a signed suite's message has no '\(EncryptionContext.publicKeyKey)' in its context")
        }
        let keyCount = Int(try reader.uint16())
        guard keyCount > 0 else {
            throw SigilError(.malformedMessage, "the header holds no encrypted data key")
        }
        guard keyCount <= limits.maximumEncryptedDataKeys else {
            throw SigilError(
                .unsupportedMessage,
                "the header holds \(keyCount) encrypted data keys; the limit is \(limits.maximumEncryptedDataKeys)")
        }
        var keys: [EncryptedDataKey] = []
        for _ in 0..<keyCount {
            let providerBytes = try reader.lengthPrefixed()
            guard let providerID = String(validating: providerBytes, as: UTF8.self) else {
                throw SigilError(.malformedMessage, "an encrypted data key's provider id is not UTF-8")
            }
            keys.append(EncryptedDataKey(
                providerID: providerID, providerInfo: try reader.lengthPrefixed(), ciphertext: try reader.lengthPrefixed()))
        }
        guard let contentType = ContentType(rawValue: try reader.uint8()) else {
            throw SigilError(.malformedMessage, "unknown content type in the header (1 non-framed, 2 framed)")
        }
        let frameLength = try reader.uint32()
        switch contentType {
        case .framed:
            guard frameLength > 0 else {
                throw SigilError(.malformedMessage, "framed content with a frame length of 0")
            }
            guard frameLength <= limits.maximumFrameLength else {
                throw SigilError(
                    .unsupportedMessage, "the frame length \(frameLength) exceeds the limit of \(limits.maximumFrameLength) bytes")
            }
        case .nonFramed:
            guard frameLength == 0 else {
                throw SigilError(.malformedMessage, "non-framed content with a frame length of \(frameLength), not 0")
            }
        }
        let commitKey = try reader.array(32)
        let bodyLength = reader.offset
        let tag = try reader.array(AESGCM.tagSize)
        let body = Array(reader.buffer[0..<bodyLength])
        let header = MessageHeader(
            suite: suite, messageID: messageID, encryptionContext: context, encryptedDataKeys: keys,
            contentType: contentType, frameLength: frameLength, commitKey: commitKey, authenticationTag: tag, body: body)
        return (header, reader.offset)
    }

    private static func parseContext(_ bytes: [UInt8]) throws -> EncryptionContext {
        guard !bytes.isEmpty else { return EncryptionContext() }
        return try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            do {
                let count = Int(try reader.uint16())
                guard count > 0 else {
                    throw SigilError(.malformedMessage, "the encryption context declares 0 pairs but is not empty")
                }
                var pairs: [String: String] = [:]
                // Writers sort the pairs, but messages from some SDKs are not sorted;
                // the header tag authenticates the bytes as they are, so any order is read.
                for _ in 0..<count {
                    let key = try reader.lengthPrefixed()
                    let value = try reader.lengthPrefixed()
                    guard let keyText = String(validating: key, as: UTF8.self),
                        let valueText = String(validating: value, as: UTF8.self)
                    else {
                        throw SigilError(.malformedMessage, "an encryption context pair is not UTF-8")
                    }
                    guard pairs[keyText] == nil else {
                        throw SigilError(.malformedMessage, "the encryption context repeats the key '\(keyText)'")
                    }
                    pairs[keyText] = valueText
                }
                guard reader.remaining == 0 else {
                    throw SigilError(.malformedMessage, "\(reader.remaining) stray bytes after the encryption context")
                }
                return EncryptionContext(fromMessage: pairs)
            } catch is ByteReader.Shortage {
                throw SigilError(.malformedMessage, "the encryption context is shorter than its pairs say")
            }
        }
    }
}

/// Bounds on what a decryptor accepts, so that a hostile header cannot make it allocate
/// or work without limit.
public struct DecryptionLimits: Sendable {
    /// The most encrypted data keys a header may hold (default 16).
    public var maximumEncryptedDataKeys: Int
    /// The longest header accepted, in bytes (default 1 MiB).
    public var maximumHeaderSize: Int
    /// The longest frame accepted, in bytes (default 16 MiB). Also bounds non-framed content.
    public var maximumFrameLength: UInt32

    /// Creates limits.
    public init(maximumEncryptedDataKeys: Int = 16, maximumHeaderSize: Int = 1 << 20, maximumFrameLength: UInt32 = 1 << 24) {
        self.maximumEncryptedDataKeys = maximumEncryptedDataKeys
        self.maximumHeaderSize = maximumHeaderSize
        self.maximumFrameLength = maximumFrameLength
    }

    /// The defaults.
    public static let `default` = DecryptionLimits()
}

extension MessageHeader {
    /// Reads and parses the header at the start of a message, without any key: for
    /// inspecting a message. Nothing is authenticated yet.
    ///
    /// - Parameters:
    ///   - descriptor: A file descriptor positioned at the start of the message.
    ///   - limits: Bounds on the header.
    /// - Returns: The header as written.
    /// - Throws: ``SigilError`` with code `malformedMessage` for a truncated or wrong
    ///   header, `unsupportedMessage` for one Sigil refuses, `ioFailure` when reading fails.
    public static func read(fromDescriptor descriptor: Int32, limits: DecryptionLimits = .default) throws -> MessageHeader {
        var bytes: [UInt8] = []
        var needed = 64
        while true {
            var chunk = [UInt8](repeating: 0, count: max(needed - bytes.count, 4096))
            let count = try chunk.withUnsafeMutableBytes { try FileIO.read(descriptor, into: $0) }
            bytes += chunk[0..<count]
            do {
                return try bytes.withUnsafeBytes { try parse($0, limits: limits).0 }
            } catch let shortage as ByteReader.Shortage {
                guard count > 0 else {
                    throw SigilError(.malformedMessage, bytes.isEmpty ? "the message is empty" : "the message is truncated inside its header")
                }
                needed = shortage.needed
            }
        }
    }
}
