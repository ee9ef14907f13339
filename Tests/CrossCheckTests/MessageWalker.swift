import GnuTLSCheck

/// An Encryption SDK v2 message (framed), taken apart byte by byte by test code that
/// shares nothing with Sigil's parser: written from the format as the architecture
/// document and the public specification describe it.
struct WalkedMessage {
    struct EncryptedDataKey {
        let providerID: [UInt8]
        let providerInfo: [UInt8]
        let ciphertext: [UInt8]
    }

    struct Frame {
        let sequenceNumber: UInt32
        let iv: [UInt8]
        let ciphertext: [UInt8]
        let tag: [UInt8]
        let isFinal: Bool
    }

    let suiteID: UInt16
    let messageID: [UInt8]
    /// The encryption context pairs, in the order written.
    let context: [(key: [UInt8], value: [UInt8])]
    let encryptedDataKeys: [EncryptedDataKey]
    let frameLength: UInt32
    let commitKey: [UInt8]
    /// Every header byte before the tag: what the header tag authenticates.
    let headerBody: [UInt8]
    let headerTag: [UInt8]
    let frames: [Frame]
    /// The footer's signature, for a signed suite.
    let footerSignature: [UInt8]?

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Suites this walker knows: 0x0478 (no footer) and 0x0578 (ECDSA P-384 footer).
    static let unsignedSuite: UInt16 = 0x0478
    static let signedSuite: UInt16 = 0x0578

    init(_ message: [UInt8]) throws {
        var reader = Reader(bytes: message)
        guard try reader.byte() == 0x02 else { throw Malformed(description: "version is not 0x02") }
        suiteID = try reader.uint16()
        guard suiteID == Self.unsignedSuite || suiteID == Self.signedSuite else {
            throw Malformed(description: "unknown suite 0x\(String(suiteID, radix: 16))")
        }
        messageID = try reader.take(32)

        // Encryption context: a 2-byte length, then (when not empty) a count and pairs.
        let contextLength = Int(try reader.uint16())
        var context: [(key: [UInt8], value: [UInt8])] = []
        if contextLength > 0 {
            var contextReader = Reader(bytes: try reader.take(contextLength))
            let count = Int(try contextReader.uint16())
            guard count > 0 else { throw Malformed(description: "a context length with no pairs") }
            for _ in 0..<count {
                let key = try contextReader.lengthPrefixed()
                let value = try contextReader.lengthPrefixed()
                context.append((key, value))
            }
            guard contextReader.isAtEnd else { throw Malformed(description: "bytes after the context pairs") }
        }
        self.context = context

        let keyCount = Int(try reader.uint16())
        guard keyCount > 0 else { throw Malformed(description: "no encrypted data keys") }
        encryptedDataKeys = try (0..<keyCount).map { _ in
            EncryptedDataKey(
                providerID: try reader.lengthPrefixed(), providerInfo: try reader.lengthPrefixed(),
                ciphertext: try reader.lengthPrefixed())
        }
        guard try reader.byte() == 0x02 else { throw Malformed(description: "content type is not framed (0x02)") }
        frameLength = try reader.uint32()
        guard frameLength > 0 else { throw Malformed(description: "frame length 0") }
        commitKey = try reader.take(32)
        headerBody = Array(message[0..<reader.offset])
        headerTag = try reader.take(16)

        // Body: regular frames, then the final frame (marked by sequence number 0xFFFFFFFF).
        var frames: [Frame] = []
        while true {
            let marker = try reader.uint32()
            if marker == UInt32.max {
                let sequenceNumber = try reader.uint32()
                let iv = try reader.take(12)
                let length = try reader.uint32()
                guard length <= frameLength else {
                    throw Malformed(description: "final frame of \(length) bytes, frame length \(frameLength)")
                }
                frames.append(Frame(
                    sequenceNumber: sequenceNumber, iv: iv, ciphertext: try reader.take(Int(length)),
                    tag: try reader.take(16), isFinal: true))
                break
            }
            frames.append(Frame(
                sequenceNumber: marker, iv: try reader.take(12), ciphertext: try reader.take(Int(frameLength)),
                tag: try reader.take(16), isFinal: false))
        }
        self.frames = frames
        footerSignature = suiteID == Self.signedSuite ? try reader.lengthPrefixed() : nil
        guard reader.isAtEnd else { throw Malformed(description: "\(message.count - reader.offset) bytes after the message") }
    }

    /// The two suite-id bytes, as the key derivation's info starts.
    var suiteIDBytes: [UInt8] { [UInt8(suiteID >> 8), UInt8(suiteID & 0xFF)] }
}

/// Reads big-endian integers and byte runs, refusing to run past the end.
struct Reader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw WalkedMessage.Malformed(description: "truncated: \(count) bytes wanted at offset \(offset) of \(bytes.count)")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func byte() throws -> UInt8 { try take(1)[0] }

    mutating func uint16() throws -> UInt16 {
        try take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func uint32() throws -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func lengthPrefixed() throws -> [UInt8] {
        try take(Int(try uint16()))
    }
}

/// Big-endian bytes of an unsigned integer.
func bigEndianBytes<Integer: FixedWidthInteger & UnsignedInteger>(_ value: Integer) -> [UInt8] {
    (0..<(Integer.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// The message recomputed from its data key with GnuTLS alone: the derived keys, the
/// header tag, and every frame.
struct GnuTLSMessageCheck {
    /// The AES-256-GCM key: HKDF-SHA512(salt = message id, ikm = data key), info = suite id ‖ "DERIVEKEY".
    let encryptionKey: [UInt8]
    /// HKDF-SHA512 with info "COMMITKEY".
    let commitKey: [UInt8]
    /// Whether GnuTLS accepts the header tag (AES-GCM, zero IV, empty plaintext, AAD = header body).
    let headerTagChecks: Bool
    /// The plaintext, when every frame's tag checks and the frames are in order; else `nil`.
    let plaintext: [UInt8]?
    /// What was wrong with the frame sequence, if anything.
    let frameProblems: [String]

    init(_ message: WalkedMessage, dataKey: [UInt8]) throws {
        let prk = try GnuTLSHKDF.extract(hash: .sha512, salt: message.messageID, inputKeyMaterial: dataKey)
        encryptionKey = try GnuTLSHKDF.expand(
            hash: .sha512, pseudoRandomKey: prk, info: message.suiteIDBytes + Array("DERIVEKEY".utf8), outputByteCount: 32)
        commitKey = try GnuTLSHKDF.expand(
            hash: .sha512, pseudoRandomKey: prk, info: Array("COMMITKEY".utf8), outputByteCount: 32)
        headerTagChecks = try GnuTLSAEAD.open(
            [], tag: message.headerTag, key: encryptionKey, nonce: [UInt8](repeating: 0, count: 12),
            aad: message.headerBody) == []

        var problems: [String] = []
        var plaintext: [UInt8] = []
        var allOpened = true
        for (index, frame) in message.frames.enumerated() {
            let expectedSequence = UInt32(index + 1)
            if frame.sequenceNumber != expectedSequence {
                problems.append("frame \(index) has sequence number \(frame.sequenceNumber)")
            }
            if frame.iv != [UInt8](repeating: 0, count: 8) + bigEndianBytes(frame.sequenceNumber) {
                problems.append("frame \(index)'s IV is not 8 zero bytes and its sequence number")
            }
            let content = Array((frame.isFinal ? "AWSKMSEncryptionClient Final Frame" : "AWSKMSEncryptionClient Frame").utf8)
            let aad = message.messageID + content + bigEndianBytes(frame.sequenceNumber)
                + bigEndianBytes(UInt64(frame.ciphertext.count))
            if let opened = try GnuTLSAEAD.open(frame.ciphertext, tag: frame.tag, key: encryptionKey, nonce: frame.iv, aad: aad) {
                plaintext += opened
            } else {
                problems.append("frame \(index)'s tag does not check")
                allOpened = false
            }
        }
        self.plaintext = allOpened ? plaintext : nil
        self.frameProblems = problems
    }
}
