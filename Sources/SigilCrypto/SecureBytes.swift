public import FoundationEssentials
internal import COpenSSL

/// Secret bytes — data keys, derived keys, decrypted key material — in a buffer that is
/// wiped with `OPENSSL_cleanse` when the last copy is released.
///
/// A value type over one immutable buffer: copies share it, and it is never written after
/// creation, hence `Sendable`. Equality is constant-time.
public struct SecureBytes: Sendable, Equatable, CustomStringConvertible {
    private let storage: Storage

    /// Copies `bytes` into a new secret buffer.
    public init(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        storage = Storage(count: array.count)
        storage.buffer.copyBytes(from: array)
    }

    /// Fills a new secret buffer with `count` random bytes.
    ///
    /// - Throws: ``SigilError`` with code `cryptoFailure` if the generator fails.
    public init(randomCount count: Int) throws {
        guard count >= 0 else {
            throw SigilError(.invalidArgument, "cannot produce \(count) random bytes")
        }
        storage = Storage(count: count)
        if count > 0 {
            OpenSSLErrorQueue.clear()
            try checkOpenSSL(
                RAND_bytes(storage.buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)),
                .cryptoFailure, "RAND_bytes")
        }
    }

    /// Creates a buffer of `count` bytes that `initialize` fills in place, so the secret
    /// never exists in an ordinary array.
    init(count: Int, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        storage = Storage(count: count)
        try initialize(storage.buffer)
    }

    /// The number of bytes.
    public var count: Int { storage.buffer.count }

    /// Lends the bytes to `body`; they must not escape it.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(storage.buffer))
    }

    /// A copy in an ordinary array, which is *not* wiped: for handing a secret to an API
    /// that needs one, or to tests.
    public var unsafeBytes: [UInt8] { Array(storage.buffer) }

    /// Compares in time that depends only on the lengths.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in ConstantTime.equals(left, right) } }
    }

    /// Never the bytes themselves, so a secret cannot reach a log through interpolation.
    public var description: String { "SecureBytes(\(count) bytes)" }

    /// The buffer, wiped and freed with the last reference.
    ///
    /// `@unchecked Sendable`: written only while being initialised, before any other
    /// reference exists; read-only afterwards.
    private final class Storage: @unchecked Sendable {
        private let start: UnsafeMutableRawPointer
        private let count: Int

        init(count: Int) {
            // One byte at least, so that even an empty secret owns a real allocation.
            self.start = .allocate(byteCount: max(count, 1), alignment: 16)
            self.count = count
            start.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        }

        var buffer: UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(start: start, count: count)
        }

        deinit {
            OPENSSL_cleanse(start, max(count, 1))
            start.deallocate()
        }
    }
}

/// Overwriting secrets: the one way Sigil zeroes memory that held a secret, through
/// `OPENSSL_cleanse`, which the optimiser cannot remove as a dead store.
public enum Zeroize {
    /// Overwrites a buffer with zeros.
    public static func buffer(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }

    /// Overwrites a temporary copy of a secret held in an array with zeros (its count is
    /// kept).
    public static func bytes(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer($0) }
    }
}

/// Comparisons whose time does not depend on where the inputs differ.
public enum ConstantTime {
    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func equals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard lhs.count > 0 else { return true }
        return CRYPTO_memcmp(lhs.baseAddress, rhs.baseAddress, lhs.count) == 0
    }

    /// Whether two byte strings are equal, in time that depends only on their lengths.
    public static func equals(_ lhs: some DataProtocol, _ rhs: some DataProtocol) -> Bool {
        withContiguousBytes(lhs) { left in withContiguousBytes(rhs) { right in equals(left, right) } }
    }
}
