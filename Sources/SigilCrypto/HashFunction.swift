public import FoundationEssentials
internal import COpenSSL

/// A cryptographic hash function from the SHA-1 and SHA-2 families.
///
/// SHA-256, SHA-384 and SHA-512 are what KMS signs with; SHA-1 and SHA-224 exist so that
/// published vectors and older OAEP parameters can be checked.
public struct HashFunction: Hashable, Sendable, CustomStringConvertible {
    /// The conventional name, such as `SHA-256`.
    public let name: String
    /// The digest length in bytes.
    public let digestSize: Int

    private init(name: String, digestSize: Int) {
        self.name = name
        self.digestSize = digestSize
    }

    /// SHA-1 (20 bytes). Only for checking old signatures and OAEP's MGF1; never signs.
    public static let sha1 = HashFunction(name: "SHA-1", digestSize: 20)
    /// SHA-224 (28 bytes).
    public static let sha224 = HashFunction(name: "SHA-224", digestSize: 28)
    /// SHA-256 (32 bytes).
    public static let sha256 = HashFunction(name: "SHA-256", digestSize: 32)
    /// SHA-384 (48 bytes).
    public static let sha384 = HashFunction(name: "SHA-384", digestSize: 48)
    /// SHA-512 (64 bytes).
    public static let sha512 = HashFunction(name: "SHA-512", digestSize: 64)

    /// Every hash function Sigil knows.
    public static let all: [HashFunction] = [.sha1, .sha224, .sha256, .sha384, .sha512]

    /// Looks a hash function up by name, accepting `SHA-256`, `SHA256` and `sha256`.
    ///
    /// - Parameter name: The name to look up.
    /// - Returns: The hash function, or `nil` when the name is unknown.
    public init?(name: String) {
        let folded = name.uppercased().filter { $0 != "-" }
        guard let match = Self.all.first(where: { $0.name.filter { $0 != "-" } == folded }) else {
            return nil
        }
        self = match
    }

    public var description: String { name }

    // The digest size alone tells the supported functions apart; comparing and hashing
    // it rather than the name keeps verification's per-call bookkeeping cheap.
    public static func == (lhs: HashFunction, rhs: HashFunction) -> Bool {
        lhs.digestSize == rhs.digestSize
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(digestSize)
    }

    /// OpenSSL's name for the digest, as EVP_KDF and OSSL_PARAM take it.
    var openSSLName: String {
        digestSize == 20 ? "SHA1" : "SHA2-\(digestSize * 8)"
    }

    /// The OpenSSL digest object. The legacy accessors return static objects that need
    /// no freeing and are safe to share between threads.
    var evpMD: OpaquePointer {
        switch digestSize {
        case 20: return EVP_sha1()
        case 28: return EVP_sha224()
        case 32: return EVP_sha256()
        case 48: return EVP_sha384()
        default: return EVP_sha512()
        }
    }

    /// Hashes `data` in one call.
    ///
    /// - Parameter data: The bytes to hash.
    /// - Returns: The digest, ``digestSize`` bytes long.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    @inlinable
    public func hash(_ data: some DataProtocol) throws -> [UInt8] {
        // Lent as raw bytes in the caller's module, which knows the type: no run-time
        // generic metadata on every call.
        try withContiguousBytes(data) { try hash(bytes: $0) }
    }

    /// ``hash(_:)`` over borrowed bytes.
    @usableFromInline
    func hash(bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        // One call, with the digest fetched once per process: EVP_DigestInit_ex with a
        // legacy EVP_MD fetches the implementation again on every call, which showed in
        // the key holder's profile (it hashes every request body twice for SigV4).
        OpenSSLErrorQueue.clear()
        var output = [UInt8](repeating: 0, count: digestSize)
        var length: UInt32 = 0
        try output.withUnsafeMutableBufferPointer { buffer in
            try checkOpenSSL(
                EVP_Digest(bytes.baseAddress ?? UnsafeRawPointer(buffer.baseAddress!), bytes.count, buffer.baseAddress, &length, fetchedMD, nil),
                .cryptoFailure, "EVP_Digest(\(self))")
        }
        guard Int(length) == digestSize else {
            throw SigilError(.cryptoFailure, "\(self) produced \(length) bytes, expected \(digestSize)")
        }
        return output
    }

    /// The digest implementation, fetched from the default provider once per process.
    var fetchedMD: OpaquePointer {
        switch digestSize {
        case 20: return FetchedDigests.shared.sha1
        case 28: return FetchedDigests.shared.sha224
        case 32: return FetchedDigests.shared.sha256
        case 48: return FetchedDigests.shared.sha384
        default: return FetchedDigests.shared.sha512
        }
    }
}

/// The SHA digests, fetched once. `@unchecked Sendable`: a fetched `EVP_MD` is an
/// immutable, reference-counted method table that OpenSSL documents as safe to share
/// between threads; these live as long as the process. A failed fetch falls back to the
/// legacy accessor, which works the same (only more slowly).
private final class FetchedDigests: @unchecked Sendable {
    let sha1: OpaquePointer
    let sha224: OpaquePointer
    let sha256: OpaquePointer
    let sha384: OpaquePointer
    let sha512: OpaquePointer

    private init() {
        sha1 = EVP_MD_fetch(nil, "SHA1", nil) ?? EVP_sha1()
        sha224 = EVP_MD_fetch(nil, "SHA2-224", nil) ?? EVP_sha224()
        sha256 = EVP_MD_fetch(nil, "SHA2-256", nil) ?? EVP_sha256()
        sha384 = EVP_MD_fetch(nil, "SHA2-384", nil) ?? EVP_sha384()
        sha512 = EVP_MD_fetch(nil, "SHA2-512", nil) ?? EVP_sha512()
    }

    static let shared = FetchedDigests()
}

/// Hashes a message that arrives in pieces, in constant memory.
///
/// Not `Sendable`: one hasher belongs to one task at a time.
public final class StreamingHasher {
    /// The hash function in use.
    public let function: HashFunction
    private let context: OpaquePointer
    private var finished = false

    /// Starts a new hash computation.
    ///
    /// - Parameter function: The hash function to compute.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL cannot allocate.
    public init(_ function: HashFunction) throws {
        self.function = function
        OpenSSLErrorQueue.clear()
        self.context = try checkOpenSSL(EVP_MD_CTX_new(), .cryptoFailure, "EVP_MD_CTX_new")
        do {
            try checkOpenSSL(EVP_DigestInit_ex(context, function.fetchedMD, nil), .cryptoFailure, "EVP_DigestInit_ex")
        } catch {
            EVP_MD_CTX_free(context)
            throw error
        }
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Feeds raw bytes to the hash.
    ///
    /// - Parameter bytes: The next piece of the message.
    /// - Throws: ``SigilError`` if the hasher was already finalized or OpenSSL fails.
    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else {
            throw SigilError(.invalidArgument, "the hasher was already finalized")
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try checkOpenSSL(EVP_DigestUpdate(context, base, bytes.count), .cryptoFailure, "EVP_DigestUpdate")
    }

    /// Feeds the next piece of the message to the hash.
    ///
    /// - Parameter data: The next piece of the message.
    /// - Throws: ``SigilError`` if the hasher was already finalized or OpenSSL fails.
    public func update(_ data: some DataProtocol) throws {
        for region in data.regions {
            try region.withUnsafeBytes { try update($0) }
        }
    }

    /// Ends the computation and returns the digest. The hasher cannot be used afterwards.
    ///
    /// - Returns: The digest, `function.digestSize` bytes long.
    /// - Throws: ``SigilError`` if called twice or OpenSSL fails.
    public func finalize() throws -> [UInt8] {
        guard !finished else {
            throw SigilError(.invalidArgument, "the hasher was already finalized")
        }
        finished = true
        var length: UInt32 = 0
        let digest = try [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { buffer, count in
            try checkOpenSSL(
                EVP_DigestFinal_ex(context, buffer.baseAddress, &length), .cryptoFailure, "EVP_DigestFinal_ex")
            count = Int(length)
        }
        guard digest.count == function.digestSize else {
            throw SigilError(.cryptoFailure, "\(function) produced \(digest.count) bytes, expected \(function.digestSize)")
        }
        return digest
    }
}

/// Runs `body` over a contiguous copy of `data` (no copy when `data` is already contiguous).
///
/// Inlinable, for the public generic entry points that lend their input as raw bytes: in
/// the caller's module it is specialized for the caller's type.
@inlinable
func withContiguousBytes<Result>(
    _ data: some DataProtocol, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    if let result = try data.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(data).withUnsafeBytes(body)
}
