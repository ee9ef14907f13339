import FoundationEssentials

/// Decrypts one message from bytes as they arrive: the state machine under
/// ``MessageDecryptor``.
///
/// A driver hands it the bytes it has; it consumes whole units (the header, a frame, the
/// footer) and says how many bytes the next unit needs, so memory stays one frame
/// whatever the message size. It checks the commit key and the header tag before anything
/// else, and hands out a frame's plaintext only after that frame's tag checks. Not
/// `Sendable`: one message, one task.
public final class MessageDecoder {
    /// What the decoder waits for.
    public enum Need: Sendable {
        /// At least this many bytes, counted from the first unconsumed one.
        case bytes(Int)
        /// The plaintext data key for this (not yet authenticated) header:
        /// call ``provideDataKey(_:)``.
        case dataKey(MessageHeader)
        /// Nothing: the message is complete, footer included.
        case done
    }

    private enum State {
        case header
        case awaitingDataKey(MessageHeader)
        case frames(MessageHeader, FrameWorkers, next: UInt32)
        case nonFramed(MessageHeader, MessageKeys)
        case footer(MessageHeader)
        case done
    }

    /// What the decoder waits for now.
    public private(set) var need: Need = .bytes(1)
    /// The header, once parsed and authenticated.
    public private(set) var header: MessageHeader?

    private var state: State = .header
    private let limits: DecryptionLimits
    private let requiredContext: EncryptionContext
    private let threads: Int
    /// How many frames one batch opens at most: about 4 MiB of plaintext.
    private var batchFrames = 1
    private var signatureHasher: StreamingHasher?
    private var plaintextBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - limits: Bounds on the header and frames.
    ///   - requiredContext: Pairs the message's encryption context must hold.
    ///   - threads: How many cores a batch of complete frames may be opened on.
    public init(
        limits: DecryptionLimits = .default, requiredContext: EncryptionContext = EncryptionContext(),
        threads: Int = MessageEncoder.defaultThreadCount
    ) {
        self.limits = limits
        self.requiredContext = requiredContext
        self.threads = max(1, threads)
    }

    deinit {
        if let base = plaintextBuffer.baseAddress {
            base.initializeMemory(as: UInt8.self, repeating: 0, count: plaintextBuffer.count)
            plaintextBuffer.deallocate()
        }
    }

    /// Consumes every complete unit at the start of `input`.
    ///
    /// - Parameters:
    ///   - input: The unconsumed bytes the driver holds.
    ///   - plaintext: Receives each frame's authenticated plaintext, valid only during the call.
    /// - Returns: How many bytes of `input` were consumed; ``need`` then says what next.
    /// - Throws: ``SigilError`` naming the problem; the decoder is unusable afterwards.
    public func consume(_ input: UnsafeRawBufferPointer, plaintext: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var offset = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
            switch state {
            case .header:
                do {
                    let (parsed, length) = try MessageHeader.parse(rest, limits: limits)
                    try signatureHasher(for: parsed)?.update(UnsafeRawBufferPointer(rebasing: rest[0..<length]))
                    offset += length
                    state = .awaitingDataKey(parsed)
                    need = .dataKey(parsed)
                } catch let shortage as ByteReader.Shortage {
                    need = .bytes(shortage.needed)
                    return offset
                }
            case .awaitingDataKey(let pending):
                need = .dataKey(pending)
                return offset
            case let .frames(header, workers, next):
                if let batchLength = try decodeRegularFrameBatch(
                    rest, header: header, workers: workers, expected: next, plaintext: plaintext)
                {
                    offset += batchLength
                    continue
                }
                guard let frameLength = try decodeFrame(
                    rest, header: header, workers: workers, expected: next, plaintext: plaintext)
                else { return offset }
                offset += frameLength
            case let .nonFramed(header, keys):
                guard let length = try decodeSingleBlock(rest, header: header, keys: keys, plaintext: plaintext) else {
                    return offset
                }
                offset += length
            case .footer(let header):
                guard let length = try decodeFooter(rest, header: header) else { return offset }
                offset += length
            case .done:
                need = .done
                guard rest.isEmpty else {
                    throw SigilError(.malformedMessage, "\(rest.count) stray bytes after the end of the message")
                }
                return offset
            }
        }
    }

    /// Supplies the data key the header asked for, then checks the commit key and the
    /// header tag before anything of the body is read.
    ///
    /// - Throws: ``SigilError`` with code `authenticationFailure` when either does not
    ///   match, `encryptionContextMismatch` when a required pair is missing.
    public func provideDataKey(_ dataKey: SecureBytes) throws {
        guard case .awaitingDataKey(let header) = state else {
            throw SigilError(.invalidArgument, "the decoder is not waiting for a data key")
        }
        let keys = try MessageKeys(dataKey: dataKey, messageID: header.messageID, suite: header.suite)
        let commitMatches = keys.commitKey.withUnsafeBytes { derived in
            header.commitKey.withUnsafeBytes { ConstantTime.equals(derived, $0) }
        }
        guard commitMatches else {
            throw SigilError(
                .authenticationFailure,
                "the commit key does not match the data key: the message was altered or built to decrypt two ways")
        }
        let expectedTag = try keys.headerTag(body: header.body)
        guard ConstantTime.equals(expectedTag, header.authenticationTag) else {
            throw SigilError(.authenticationFailure, "the header's authentication tag does not match: the header was altered")
        }
        try header.encryptionContext.checkContains(requiredContext)
        self.header = header
        switch header.contentType {
        case .framed:
            let frameLength = Int(header.frameLength)
            batchFrames = max(1, min(1024, (4 << 20) / frameLength))
            state = .frames(header, try keys.workers(threads: batchFrames > 1 ? threads : 1), next: 1)
            try reservePlaintext(frameLength * batchFrames)
        case .nonFramed:
            state = .nonFramed(header, keys)
        }
        need = .bytes(1)
    }

    /// Declares the end of the input.
    ///
    /// - Throws: ``SigilError`` with code `malformedMessage` unless the message was complete.
    public func finish() throws {
        switch state {
        case .done:
            return
        case .header:
            throw SigilError(.malformedMessage, "the message is truncated inside its header")
        case .awaitingDataKey:
            throw SigilError(.invalidArgument, "the decoder is still waiting for a data key")
        case let .frames(_, _, next):
            throw SigilError(.malformedMessage, "the message is truncated: it ends at frame \(next), before its final frame")
        case .nonFramed:
            throw SigilError(.malformedMessage, "the message is truncated inside its content")
        case .footer:
            throw SigilError(.malformedMessage, "the message is truncated: its signature footer is missing")
        }
    }

    private func signatureHasher(for header: MessageHeader) throws -> StreamingHasher? {
        if header.suite.isSigned, signatureHasher == nil {
            signatureHasher = try StreamingHasher(.sha384)
        }
        return signatureHasher
    }

    private func reservePlaintext(_ count: Int) throws {
        guard plaintextBuffer.count < count else { return }
        if let base = plaintextBuffer.baseAddress {
            base.initializeMemory(as: UInt8.self, repeating: 0, count: plaintextBuffer.count)
            plaintextBuffer.deallocate()
        }
        plaintextBuffer = .allocate(byteCount: count, alignment: 16)
    }

    /// Opens the run of complete regular frames at the start of `input` as one batch, on
    /// several cores; nil when there are fewer than two (the one-frame path handles them,
    /// and reports anything out of order).
    private func decodeRegularFrameBatch(
        _ input: UnsafeRawBufferPointer, header: MessageHeader, workers: FrameWorkers, expected: UInt32,
        plaintext: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int? {
        guard workers.count > 1 else { return nil }
        let frameLength = Int(header.frameLength)
        let unit = frameLength + MessageEncoder.regularFrameOverhead
        var count = 0
        while count < batchFrames, (count + 1) * unit <= input.count, expected < UInt32.max - 1 - UInt32(count) {
            let start = count * unit
            let sequenceNumber = input[start..<(start + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard sequenceNumber == expected + UInt32(count) else { break }
            count += 1
        }
        guard count > 1 else { return nil }
        let messageID = header.messageID
        let output = plaintextBuffer
        try workers.run(frames: count) { cipher, index in
            let frame = UnsafeRawBufferPointer(rebasing: input[(index * unit)..<((index + 1) * unit)])
            let sequenceNumber = expected + UInt32(index)
            let aad = BodyAAD.make(
                messageID: messageID, content: BodyAAD.regularFrame, sequenceNumber: sequenceNumber,
                length: UInt64(frameLength))
            do {
                try cipher.open(
                    UnsafeRawBufferPointer(rebasing: frame[(4 + AESGCM.nonceSize)..<(unit - AESGCM.tagSize)]),
                    into: UnsafeMutableRawBufferPointer(rebasing: output[(index * frameLength)..<((index + 1) * frameLength)]),
                    nonce: Array(frame[4..<(4 + AESGCM.nonceSize)]), aad: aad,
                    tag: UnsafeRawBufferPointer(rebasing: frame[(unit - AESGCM.tagSize)...]))
            } catch let error as SigilError where error.code == .authenticationFailure {
                throw SigilError(
                    .authenticationFailure,
                    "frame \(sequenceNumber) does not authenticate: the message was altered or truncated")
            }
        }
        let consumed = count * unit
        try signatureHasher?.update(UnsafeRawBufferPointer(rebasing: input[0..<consumed]))
        try plaintext(UnsafeRawBufferPointer(rebasing: plaintextBuffer[0..<(count * frameLength)]))
        state = .frames(header, workers, next: expected + UInt32(count))
        return consumed
    }

    /// Decodes one frame at the start of `input`; nil (with ``need`` set) when it is incomplete.
    private func decodeFrame(
        _ input: UnsafeRawBufferPointer, header: MessageHeader, workers: FrameWorkers, expected: UInt32,
        plaintext: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int? {
        var reader = ByteReader(input)
        let frameLength = Int(header.frameLength)
        do {
            var isFinal = false
            var sequenceNumber = try reader.uint32()
            if sequenceNumber == UInt32.max {
                isFinal = true
                sequenceNumber = try reader.uint32()
            }
            guard sequenceNumber == expected else {
                throw SigilError(
                    .malformedMessage,
                    "frames out of order: expected frame \(expected), found frame \(sequenceNumber) (reordered, dropped or duplicated)")
            }
            let nonce = try reader.array(AESGCM.nonceSize)
            var contentLength = frameLength
            if isFinal {
                contentLength = Int(try reader.uint32())
                guard contentLength <= frameLength else {
                    throw SigilError(
                        .malformedMessage,
                        "the final frame claims \(contentLength) bytes, more than the frame length \(frameLength)")
                }
            }
            let content = try reader.bytes(contentLength)
            let tag = try reader.bytes(AESGCM.tagSize)
            let aad = BodyAAD.make(
                messageID: header.messageID, content: isFinal ? BodyAAD.finalFrame : BodyAAD.regularFrame,
                sequenceNumber: sequenceNumber, length: UInt64(contentLength))
            let output = UnsafeMutableRawBufferPointer(rebasing: plaintextBuffer[0..<contentLength])
            do {
                try workers.primary.open(content, into: output, nonce: nonce, aad: aad, tag: tag)
            } catch let error as SigilError where error.code == .authenticationFailure {
                throw SigilError(
                    .authenticationFailure,
                    "frame \(sequenceNumber)\(isFinal ? " (final)" : "") does not authenticate: the message was altered or truncated")
            }
            try signatureHasher?.update(UnsafeRawBufferPointer(rebasing: input[0..<reader.offset]))
            try plaintext(UnsafeRawBufferPointer(output))
            if isFinal {
                state = header.suite.isSigned ? .footer(header) : .done
            } else {
                guard expected < UInt32.max - 1 else {
                    throw SigilError(.malformedMessage, "more than 2^32 - 2 regular frames")
                }
                state = .frames(header, workers, next: expected + 1)
            }
            return reader.offset
        } catch let shortage as ByteReader.Shortage {
            need = .bytes(shortage.needed)
            return nil
        }
    }

    private func decodeSingleBlock(
        _ input: UnsafeRawBufferPointer, header: MessageHeader, keys: MessageKeys,
        plaintext: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int? {
        var reader = ByteReader(input)
        do {
            let nonce = try reader.array(AESGCM.nonceSize)
            let length = try reader.uint64()
            guard length <= UInt64(limits.maximumFrameLength) else {
                throw SigilError(
                    .unsupportedMessage,
                    "non-framed content of \(length) bytes exceeds the limit of \(limits.maximumFrameLength) bytes")
            }
            let content = try reader.bytes(Int(length))
            let tag = try reader.bytes(AESGCM.tagSize)
            try reservePlaintext(Int(length))
            let output = UnsafeMutableRawBufferPointer(rebasing: plaintextBuffer[0..<Int(length)])
            let aad = BodyAAD.make(messageID: header.messageID, content: BodyAAD.singleBlock, sequenceNumber: 1, length: length)
            do {
                try keys.cipher.open(content, into: output, nonce: nonce, aad: aad, tag: tag)
            } catch let error as SigilError where error.code == .authenticationFailure {
                throw SigilError(.authenticationFailure, "the content does not authenticate: the message was altered")
            }
            try signatureHasher?.update(UnsafeRawBufferPointer(rebasing: input[0..<reader.offset]))
            try plaintext(UnsafeRawBufferPointer(output))
            state = header.suite.isSigned ? .footer(header) : .done
            return reader.offset
        } catch let shortage as ByteReader.Shortage {
            need = .bytes(shortage.needed)
            return nil
        }
    }

    private func decodeFooter(_ input: UnsafeRawBufferPointer, header: MessageHeader) throws -> Int? {
        var reader = ByteReader(input)
        do {
            let signature = try reader.lengthPrefixed()
            guard let encodedKey = header.encryptionContext[EncryptionContext.publicKeyKey],
                let point = Data(base64Encoded: encodedKey)
            else {
                throw SigilError(.malformedMessage, "the signing key in the encryption context is not base64")
            }
            let verifier = try AsymmetricPublicKey(ecPoint: point, curve: .p384)
            let digest = try signatureHasher!.finalize()
            let valid: Bool
            do {
                valid = try verifier.isValidSignature(signature, forDigest: digest, scheme: .ecdsa(hash: .sha384))
            } catch let error as SigilError where error.code == .malformedSignature {
                throw SigilError(.authenticationFailure, "the footer's signature is malformed: \(error.message)")
            }
            guard valid else {
                throw SigilError(.authenticationFailure, "the footer's signature does not verify: the message was altered")
            }
            state = .done
            return reader.offset
        } catch let shortage as ByteReader.Shortage {
            need = .bytes(shortage.needed)
            return nil
        }
    }
}
