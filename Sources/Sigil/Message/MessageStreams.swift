public import Foundation

/// Encrypts whole inputs — a file descriptor, bytes in memory, an async sequence of chunks —
/// into Encryption SDK messages, in constant memory.
public struct MessageEncryptor: Sendable {
    /// Who can decrypt.
    public var recipients: [Recipient]
    /// Caller pairs bound to the message.
    public var context: EncryptionContext
    /// The algorithm suite.
    public var suite: AlgorithmSuite
    /// Plaintext bytes per frame.
    public var frameLength: UInt32

    /// Creates an encryptor.
    public init(
        recipients: [Recipient], context: EncryptionContext = EncryptionContext(),
        suite: AlgorithmSuite = .aes256GCMHKDFSHA512CommitKey, frameLength: UInt32 = MessageEncoder.defaultFrameLength
    ) {
        self.recipients = recipients
        self.context = context
        self.suite = suite
        self.frameLength = frameLength
    }

    /// Encrypts everything readable from `input` and writes the message to `output`.
    ///
    /// - Parameters:
    ///   - input: A file descriptor to read to its end.
    ///   - output: Receives the message in order, in pieces valid only during each call.
    ///   - progress: Called with the plaintext bytes read so far.
    /// - Returns: The message header.
    /// - Throws: ``SigilError`` with code `ioFailure` when reading fails, and what
    ///   ``MessageEncoder`` throws.
    @discardableResult
    public func encrypt(
        readingFrom input: Int32, to output: (UnsafeRawBufferPointer) throws -> Void,
        progress: ((Int) -> Void)? = nil
    ) throws -> MessageHeader {
        let encoder = try MessageEncoder(recipients: recipients, context: context, suite: suite, frameLength: frameLength)
        try encoder.header.serialized.withUnsafeBytes(output)
        let frame = encoder.frameLength
        // Read several frames at once, but keep the last full frame back until more input
        // shows it is not the final one: a message whose length is a multiple of the frame
        // length then ends with a full final frame, as the format recommends. Memory is
        // about two frames or 1 MiB, whichever is more, whatever the input size.
        let framesPerRead = max(2, (1 << 20) / frame)
        let inputCapacity = frame * framesPerRead
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(inputCapacity, 2 * frame), alignment: 64)
        defer { readBuffer.deallocate() }
        let writeBuffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: framesPerRead * (frame + MessageEncoder.finalFrameOverhead), alignment: 64)
        defer { writeBuffer.deallocate() }
        var filled = 0
        var total = 0
        while true {
            let count = try FileIO.read(input, into: UnsafeMutableRawBufferPointer(rebasing: readBuffer[filled...]))
            let atEnd = count == 0
            filled += count
            total += count
            if count > 0 { progress?(total) }
            guard atEnd || filled == readBuffer.count else { continue }
            var start = 0
            var written = 0
            while filled - start > frame {
                written += try encoder.sealFrame(
                    UnsafeRawBufferPointer(rebasing: readBuffer[start..<(start + frame)]), isFinal: false,
                    into: UnsafeMutableRawBufferPointer(rebasing: writeBuffer[written...]))
                start += frame
            }
            if atEnd {
                // What remains — a full frame, a partial one, or nothing for an empty input —
                // is the final frame.
                written += try encoder.sealFrame(
                    UnsafeRawBufferPointer(rebasing: readBuffer[start..<filled]), isFinal: true,
                    into: UnsafeMutableRawBufferPointer(rebasing: writeBuffer[written...]))
                start = filled
            }
            if written > 0 { try output(UnsafeRawBufferPointer(rebasing: writeBuffer[0..<written])) }
            if atEnd { break }
            let kept = filled - start
            readBuffer.baseAddress!.copyMemory(from: readBuffer.baseAddress! + start, byteCount: kept)
            filled = kept
        }
        let footer = try encoder.footer()
        if !footer.isEmpty { try footer.withUnsafeBytes(output) }
        return encoder.header
    }
}

extension MessageEncryptor {
    /// Encrypts bytes held in memory.
    ///
    /// - Returns: The whole message.
    public func encrypt(_ plaintext: some DataProtocol) throws -> [UInt8] {
        let encoder = try MessageEncoder(recipients: recipients, context: context, suite: suite, frameLength: frameLength)
        var message = encoder.header.serialized
        let bytes = Array(plaintext)
        let frame = encoder.frameLength
        var scratch = [UInt8](repeating: 0, count: frame + MessageEncoder.finalFrameOverhead)
        try bytes.withUnsafeBytes { input in
            var start = 0
            repeat {
                let isFinal = input.count - start <= frame
                let end = isFinal ? input.count : start + frame
                let written = try scratch.withUnsafeMutableBytes { output in
                    try encoder.sealFrame(UnsafeRawBufferPointer(rebasing: input[start..<end]), isFinal: isFinal, into: output)
                }
                message += scratch[0..<written]
                start = end
                if isFinal { break }
            } while true
        }
        return message + (try encoder.footer())
    }

    /// Encrypts a message arriving as an asynchronous sequence of chunks, handing the
    /// message out in pieces as its frames are sealed.
    ///
    /// - Parameters:
    ///   - chunks: The plaintext, in pieces of any size.
    ///   - output: Receives the message in order.
    /// - Returns: The message header.
    @discardableResult
    public func encrypt<Chunks: AsyncSequence>(
        _ chunks: Chunks, to output: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> MessageHeader where Chunks.Element: DataProtocol {
        let encoder = try MessageEncoder(recipients: recipients, context: context, suite: suite, frameLength: frameLength)
        try encoder.header.serialized.withUnsafeBytes(output)
        let frame = encoder.frameLength
        var pending: [UInt8] = []
        pending.reserveCapacity(2 * frame)
        var scratch = [UInt8](repeating: 0, count: frame + MessageEncoder.finalFrameOverhead)
        func seal(_ range: Range<Int>, isFinal: Bool) throws {
            let written = try pending.withUnsafeBytes { input in
                try scratch.withUnsafeMutableBytes { out in
                    try encoder.sealFrame(UnsafeRawBufferPointer(rebasing: input[range]), isFinal: isFinal, into: out)
                }
            }
            try scratch.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[0..<written])) }
        }
        for try await chunk in chunks {
            pending.append(contentsOf: chunk)
            var start = 0
            while pending.count - start > frame {
                try seal(start..<(start + frame), isFinal: false)
                start += frame
            }
            pending.removeFirst(start)
        }
        try seal(0..<pending.count, isFinal: true)
        let footer = try encoder.footer()
        if !footer.isEmpty { try footer.withUnsafeBytes(output) }
        return encoder.header
    }
}

/// Decrypts whole messages — from a file descriptor, memory or an async sequence — in
/// constant memory, unwrapping the data key through a ``DataKeyUnwrapper``.
public struct MessageDecryptor: Sendable {
    /// Opens the data key.
    public var unwrapper: any DataKeyUnwrapper
    /// Bounds on what is accepted.
    public var limits: DecryptionLimits
    /// Pairs the message's encryption context must hold.
    public var requiredContext: EncryptionContext

    /// Creates a decryptor.
    public init(
        unwrapper: any DataKeyUnwrapper, limits: DecryptionLimits = .default,
        requiredContext: EncryptionContext = EncryptionContext()
    ) {
        self.unwrapper = unwrapper
        self.limits = limits
        self.requiredContext = requiredContext
    }

    /// Decrypts the message readable from `input`.
    ///
    /// Each frame's plaintext reaches `output` only after its tag checks. A failure after
    /// some frames (a truncated or altered message, a bad footer signature) throws, and what
    /// `output` already received must then be discarded: the CLI writes to a temporary file
    /// that it renames into place only after this returns.
    ///
    /// - Parameters:
    ///   - input: A file descriptor to read to its end.
    ///   - output: Receives authenticated plaintext in order.
    ///   - progress: Called with the message bytes read so far.
    /// - Returns: The authenticated header.
    /// - Throws: ``SigilError`` naming the problem.
    @discardableResult
    public func decrypt(
        readingFrom input: Int32, to output: (UnsafeRawBufferPointer) throws -> Void,
        progress: ((Int) -> Void)? = nil
    ) async throws -> MessageHeader {
        let decoder = MessageDecoder(limits: limits, requiredContext: requiredContext)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var start = 0
        var end = 0
        var total = 0
        var atEnd = false
        while true {
            start += try decoder.consume(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), plaintext: output)
            switch decoder.need {
            case .dataKey(let header):
                try decoder.provideDataKey(try await unwrapper.unwrapDataKey(for: header))
                continue
            case .done:
                if !atEnd {
                    let extra = try FileIO.read(input, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, 1)]))
                    if extra > 0 {
                        throw SigilError(.malformedMessage, "stray bytes after the end of the message")
                    }
                }
                return decoder.header!
            case .bytes(let needed):
                if atEnd {
                    try decoder.finish()
                    throw SigilError(.malformedMessage, "the message is truncated")
                }
                if needed > buffer.count {
                    // A unit larger than the buffer: grow it (the decoder bounds `needed`
                    // by its limits before asking).
                    let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: needed + (1 << 16), alignment: 64)
                    larger.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    buffer.deallocate()
                    buffer = larger
                    end -= start
                    start = 0
                } else if buffer.count - start < needed {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    end -= start
                    start = 0
                }
                let count = try FileIO.read(input, into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                if count == 0 { atEnd = true }
                end += count
                total += count
                if count > 0 { progress?(total) }
            }
        }
    }

    /// Decrypts a message held in memory.
    ///
    /// - Returns: The plaintext and the authenticated header.
    public func decrypt(_ message: some DataProtocol) async throws -> (plaintext: [UInt8], header: MessageHeader) {
        var plaintext: [UInt8] = []
        let header = try await decrypt(AsyncBytes(Array(message))) { plaintext.append(contentsOf: $0) }
        return (plaintext, header)
    }

    /// Decrypts a message arriving as an asynchronous sequence of chunks.
    ///
    /// - Parameters:
    ///   - chunks: The message, in pieces of any size.
    ///   - output: Receives authenticated plaintext in order; discard it if this throws.
    /// - Returns: The authenticated header.
    @discardableResult
    public func decrypt<Chunks: AsyncSequence>(
        _ chunks: Chunks, to output: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> MessageHeader where Chunks.Element: DataProtocol {
        let decoder = MessageDecoder(limits: limits, requiredContext: requiredContext)
        var pending: [UInt8] = []
        func drain() async throws {
            while true {
                let consumed = try pending.withUnsafeBytes { try decoder.consume($0, plaintext: output) }
                pending.removeFirst(consumed)
                guard case .dataKey(let header) = decoder.need else { return }
                try decoder.provideDataKey(try await unwrapper.unwrapDataKey(for: header))
            }
        }
        for try await chunk in chunks {
            pending.append(contentsOf: chunk)
            try await drain()
        }
        try await drain()
        guard case .done = decoder.need else {
            try decoder.finish()
            throw SigilError(.malformedMessage, "the message is truncated")
        }
        return decoder.header!
    }
}

/// One array as a one-element async sequence.
struct AsyncBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct AsyncIterator: AsyncIteratorProtocol {
        var bytes: [UInt8]?
        mutating func next() async -> [UInt8]? {
            defer { bytes = nil }
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}

/// Reading and writing file descriptors, retrying interrupted calls.
public enum FileIO {
    /// Reads up to `buffer.count` bytes; 0 at the end of the input.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure`.
    public static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SigilError(.ioFailure, "reading failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes all of `bytes`.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure`.
    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw SigilError(.ioFailure, "writing failed: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }
}
