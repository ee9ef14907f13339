public import FoundationEssentials
import Glibc

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
    /// How many cores a batch of frames may use.
    public var threads: Int

    /// Creates an encryptor.
    public init(
        recipients: [Recipient], context: EncryptionContext = EncryptionContext(),
        suite: AlgorithmSuite = .aes256GCMHKDFSHA512CommitKey, frameLength: UInt32 = MessageEncoder.defaultFrameLength,
        threads: Int = MessageEncoder.defaultThreadCount
    ) {
        self.recipients = recipients
        self.context = context
        self.suite = suite
        self.frameLength = frameLength
        self.threads = threads
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
        let encoder = try MessageEncoder(
            recipients: recipients, context: context, suite: suite, frameLength: frameLength, threads: threads)
        try encoder.header.serialized.withUnsafeBytes(output)
        let frame = encoder.frameLength
        // Seal every full frame but the last of what has been read; keep that one (or the
        // partial rest) back until more input shows it is not the final frame, so that a
        // message whose length is a multiple of the frame length ends with a full final
        // frame, as the format recommends. Memory: a few read-ahead slots and one batch of
        // output, whatever the input size.
        let reader = ReadAhead(descriptor: input)
        defer { reader.stop() }
        var writeBuffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        defer { writeBuffer.deallocate() }
        var carry: [UInt8] = []
        var total = 0
        while true {
            let filled = try reader.next()
            let atEnd = filled.count < reader.chunkSize
            total += filled.count
            if filled.count > 0 { progress?(total) }
            carry = try reader.withRegion(carry: carry, filled) { region -> [UInt8] in
                let regular = region.count > frame ? (region.count - 1) / frame : 0
                let needed = regular * (frame + MessageEncoder.regularFrameOverhead) + frame + MessageEncoder.finalFrameOverhead
                if writeBuffer.count < needed {
                    writeBuffer.deallocate()
                    writeBuffer = .allocate(byteCount: needed, alignment: 64)
                }
                var written = try encoder.sealRegularFrames(
                    UnsafeRawBufferPointer(rebasing: region[0..<(regular * frame)]), into: writeBuffer)
                let rest = UnsafeRawBufferPointer(rebasing: region[(regular * frame)...])
                if atEnd {
                    // What remains — a full frame, a partial one, or nothing for an empty
                    // input — is the final frame.
                    written += try encoder.sealFrame(
                        rest, isFinal: true, into: UnsafeMutableRawBufferPointer(rebasing: writeBuffer[written...]))
                }
                if written > 0 { try output(UnsafeRawBufferPointer(rebasing: writeBuffer[0..<written])) }
                return atEnd ? [] : Array(rest)
            }
            reader.release(filled.slot)
            if atEnd { break }
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
    /// How many cores a batch of frames may use.
    public var threads: Int

    /// Creates a decryptor.
    public init(
        unwrapper: any DataKeyUnwrapper, limits: DecryptionLimits = .default,
        requiredContext: EncryptionContext = EncryptionContext(), threads: Int = MessageEncoder.defaultThreadCount
    ) {
        self.unwrapper = unwrapper
        self.limits = limits
        self.requiredContext = requiredContext
        self.threads = threads
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
        let decoder = MessageDecoder(limits: limits, requiredContext: requiredContext, threads: threads)
        let reader = ReadAhead(descriptor: input)
        defer { reader.stop() }
        var carry: [UInt8] = []
        var total = 0
        while true {
            let filled = try reader.next()
            let atEnd = filled.count < reader.chunkSize
            total += filled.count
            if filled.count > 0 { progress?(total) }
            carry = try reader.withRegion(carry: carry, filled) { region in
                let consumed = try decoder.consume(region, plaintext: output)
                return Array(region[consumed...])
            }
            reader.release(filled.slot)
            // After the header the decoder waits for the data key (the unwrapper may call
            // out, to KMS Decrypt); then it goes on with the bytes carried over.
            while case .dataKey(let header) = decoder.need {
                try decoder.provideDataKey(try await unwrapper.unwrapDataKey(for: header))
                carry = try carry.withUnsafeBytes { region in
                    let consumed = try decoder.consume(region, plaintext: output)
                    return Array(region[consumed...])
                }
            }
            if atEnd {
                guard case .done = decoder.need, carry.isEmpty else {
                    try decoder.finish()
                    throw SigilError(.malformedMessage, "the message is truncated")
                }
                return decoder.header!
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
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw SigilError(.ioFailure, "reading failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The whole of a small file, such as a trust store or a key.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - limit: The most bytes that make sense for what the file is.
    /// - Throws: ``SigilError`` with code `ioFailure` naming the file and the system's
    ///   reason when it cannot be opened or read (a directory among them), or when it holds
    ///   more than `limit` bytes.
    public static func readWhole(_ path: String, atMost limit: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SigilError(.ioFailure, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SigilError(.ioFailure, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            bytes += chunk[..<count]
        }
        throw SigilError(.ioFailure, "\(path) is larger than \(limit) bytes")
    }

    /// Writes all of `bytes`.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure`.
    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw SigilError(.ioFailure, "writing failed: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }
}
