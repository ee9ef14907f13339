import FoundationEssentials

/// Encrypts one message, frame by frame: the state between the header and the footer.
///
/// Drivers (``MessageEncryptor``) feed it plaintext a frame at a time and write what it
/// returns; memory is one frame, whatever the message size. Not `Sendable`: one message,
/// one task.
public final class MessageEncoder {
    /// The header, already authenticated; write it first.
    public let header: MessageHeader
    /// The plaintext length of every regular frame.
    public let frameLength: Int

    private let keys: MessageKeys
    private let workers: FrameWorkers
    private var sequenceNumber: UInt32 = 1
    private var finished = false
    private let signer: (key: AsymmetricPrivateKey, hasher: StreamingHasher)?

    /// Bytes a regular frame adds to its plaintext: sequence number, nonce, tag.
    public static let regularFrameOverhead = 4 + AESGCM.nonceSize + AESGCM.tagSize
    /// Bytes the final frame adds: end marker, sequence number, nonce, length, tag.
    public static let finalFrameOverhead = 8 + AESGCM.nonceSize + 4 + AESGCM.tagSize
    /// The default frame length of the Encryption SDKs.
    public static let defaultFrameLength: UInt32 = 4096
    /// The cores a batch of frames uses by default: the active ones, at most 8.
    public static var defaultThreadCount: Int { FrameWorkers.defaultThreadCount }

    /// Starts a message: makes a data key and a message id, wraps the key for every
    /// recipient, and builds and authenticates the header.
    ///
    /// - Parameters:
    ///   - recipients: Who can decrypt; at least one.
    ///   - context: Caller pairs; keys starting with `aws-crypto-` are refused.
    ///   - suite: 0x0478 (default) or 0x0578 (signed); `aws-kms-rsa` recipients need 0x0478.
    ///   - frameLength: Plaintext bytes per frame, 1 to 2^32 − 1.
    ///   - threads: How many cores ``sealRegularFrames(_:into:)`` may use.
    /// - Throws: ``SigilError`` with code `invalidArgument` for bad options.
    public init(
        recipients: [Recipient], context: EncryptionContext = EncryptionContext(),
        suite: AlgorithmSuite = .aes256GCMHKDFSHA512CommitKey, frameLength: UInt32 = MessageEncoder.defaultFrameLength,
        threads: Int = MessageEncoder.defaultThreadCount
    ) throws {
        guard !recipients.isEmpty else {
            throw SigilError(.invalidArgument, "a message needs at least one recipient")
        }
        guard frameLength > 0 else {
            throw SigilError(.invalidArgument, "the frame length must be at least 1 byte")
        }
        if suite.isSigned, recipients.contains(where: \.isAWSKMSRSA) {
            throw SigilError(
                .invalidArgument,
                "aws-kms-rsa recipients take only suite 0x0478: a signed suite adds a public key to the encryption context, which KMS RSA keyrings refuse")
        }
        var fullContext = try EncryptionContext(context.pairs)
        var signer: (key: AsymmetricPrivateKey, hasher: StreamingHasher)? = nil
        if suite.isSigned {
            let key = try AsymmetricPrivateKey(generating: .eccNistP384)
            fullContext.setReserved(EncryptionContext.publicKeyKey, try key.publicKey.compressedPoint.base64)
            signer = (key, try StreamingHasher(.sha384))
        }
        let serializedContext = try fullContext.serialized()
        let dataKey = try SecureBytes(randomCount: MessageKeys.dataKeySize)
        let messageID = try SecureRandom.bytes(count: 32)
        let encryptedDataKeys = try recipients.map { try $0.wrap(dataKey, serializedContext: serializedContext) }
        let keys = try MessageKeys(dataKey: dataKey, messageID: messageID, suite: suite)
        let body = try MessageHeader.encodeBody(
            suite: suite, messageID: messageID, context: serializedContext, encryptedDataKeys: encryptedDataKeys,
            frameLength: frameLength, commitKey: keys.commitKey.unsafeBytes)
        let tag = try keys.headerTag(body: body)
        self.header = MessageHeader(
            suite: suite, messageID: messageID, encryptionContext: fullContext, encryptedDataKeys: encryptedDataKeys,
            contentType: .framed, frameLength: frameLength, commitKey: keys.commitKey.unsafeBytes,
            authenticationTag: tag, body: body)
        self.keys = keys
        self.workers = try keys.workers(threads: threads)
        self.frameLength = Int(frameLength)
        self.signer = signer
        try signer?.hasher.update(header.serialized)
    }

    /// The most bytes ``sealFrame(_:isFinal:into:)`` writes for one frame.
    public var maximumFrameSize: Int { frameLength + Self.finalFrameOverhead }

    /// Encrypts one frame into `output`.
    ///
    /// - Parameters:
    ///   - plaintext: Exactly ``frameLength`` bytes for a regular frame; at most that for
    ///     the final one.
    ///   - isFinal: Whether this is the last frame of the message.
    ///   - output: At least the plaintext length plus the frame overhead.
    /// - Returns: The number of bytes written.
    /// - Throws: ``SigilError`` with code `invalidArgument` after the final frame, for a
    ///   wrong length, or past 2^32 − 1 frames.
    public func sealFrame(_ plaintext: UnsafeRawBufferPointer, isFinal: Bool, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished else {
            throw SigilError(.invalidArgument, "the message already has its final frame")
        }
        guard isFinal ? plaintext.count <= frameLength : plaintext.count == frameLength else {
            throw SigilError(
                .invalidArgument, "a \(isFinal ? "final" : "regular") frame of \(plaintext.count) bytes in a message of \(frameLength)-byte frames")
        }
        guard isFinal || sequenceNumber < UInt32.max - 1 else {
            throw SigilError(.invalidArgument, "a message holds at most 2^32 - 1 frames; use a larger frame length")
        }
        let overhead = isFinal ? Self.finalFrameOverhead : Self.regularFrameOverhead
        guard output.count >= plaintext.count + overhead else {
            throw SigilError(.invalidArgument, "the output buffer is too small for a frame")
        }
        let written = try Self.writeFrame(
            cipher: workers.primary, messageID: header.messageID, sequenceNumber: sequenceNumber, isFinal: isFinal,
            plaintext: plaintext, output: output)
        try signer?.hasher.update(UnsafeRawBufferPointer(rebasing: output[0..<written]))
        sequenceNumber += 1
        finished = isFinal
        return written
    }

    /// Encrypts a run of regular frames at once, on several cores when there are several.
    ///
    /// - Parameters:
    ///   - plaintext: A whole number of frames: `n ×` ``frameLength`` bytes.
    ///   - output: At least `n × (frameLength + regularFrameOverhead)` bytes.
    /// - Returns: The number of bytes written: the `n` frames, in order.
    /// - Throws: ``SigilError`` with code `invalidArgument` after the final frame or for a
    ///   length that is not a whole number of frames.
    public func sealRegularFrames(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished else {
            throw SigilError(.invalidArgument, "the message already has its final frame")
        }
        guard plaintext.count % frameLength == 0 else {
            throw SigilError(.invalidArgument, "\(plaintext.count) bytes are not a whole number of \(frameLength)-byte frames")
        }
        let count = plaintext.count / frameLength
        let unit = frameLength + Self.regularFrameOverhead
        guard output.count >= count * unit else {
            throw SigilError(.invalidArgument, "the output buffer is too small for \(count) frames")
        }
        guard UInt64(sequenceNumber) + UInt64(count) < UInt64(UInt32.max) - 1 else {
            throw SigilError(.invalidArgument, "a message holds at most 2^32 - 1 frames; use a larger frame length")
        }
        let first = sequenceNumber
        let messageID = header.messageID
        let frameLength = self.frameLength
        try workers.run(frames: count) { cipher, index in
            _ = try Self.writeFrame(
                cipher: cipher, messageID: messageID, sequenceNumber: first + UInt32(index), isFinal: false,
                plaintext: UnsafeRawBufferPointer(rebasing: plaintext[(index * frameLength)..<((index + 1) * frameLength)]),
                output: UnsafeMutableRawBufferPointer(rebasing: output[(index * unit)..<((index + 1) * unit)]))
        }
        try signer?.hasher.update(UnsafeRawBufferPointer(rebasing: output[0..<(count * unit)]))
        sequenceNumber += UInt32(count)
        return count * unit
    }

    /// Writes one frame: [end marker] sequence number, nonce, [length], ciphertext, tag.
    private static func writeFrame(
        cipher: AESGCMCipher, messageID: [UInt8], sequenceNumber: UInt32, isFinal: Bool,
        plaintext: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        let nonce = BodyAAD.nonce(sequenceNumber: sequenceNumber)
        var prefix = ByteWriter()
        if isFinal { prefix.write(UInt32.max) }
        prefix.write(sequenceNumber)
        prefix.write(nonce)
        if isFinal { prefix.write(UInt32(plaintext.count)) }
        output.copyBytes(from: prefix.bytes)
        let contentStart = prefix.bytes.count
        let aad = BodyAAD.make(
            messageID: messageID, content: isFinal ? BodyAAD.finalFrame : BodyAAD.regularFrame,
            sequenceNumber: sequenceNumber, length: UInt64(plaintext.count))
        let contentEnd = contentStart + plaintext.count
        try cipher.seal(
            plaintext, into: UnsafeMutableRawBufferPointer(rebasing: output[contentStart..<contentEnd]), nonce: nonce,
            aad: aad, tag: UnsafeMutableRawBufferPointer(rebasing: output[contentEnd..<(contentEnd + AESGCM.tagSize)]))
        return contentEnd + AESGCM.tagSize
    }

    /// The footer: for a signed suite, the ECDSA P-384 signature over header and body;
    /// empty otherwise. Call once, after the final frame.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` before the final frame.
    public func footer() throws -> [UInt8] {
        guard finished else {
            throw SigilError(.invalidArgument, "the footer comes after the final frame")
        }
        guard let signer else { return [] }
        let signature = try signer.key.signature(forDigest: try signer.hasher.finalize(), scheme: .ecdsa(hash: .sha384))
        var writer = ByteWriter()
        writer.writeLengthPrefixed(signature)
        return writer.bytes
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
}
