public import FoundationEssentials
internal import COpenSSL

/// HMAC (RFC 2104) through OpenSSL's EVP_MAC: what SigV4 chains to derive its signing
/// key and to sign a request.
public enum HMAC {
    /// Computes the HMAC of `message` under `key`.
    ///
    /// The result is a ``SecureBytes`` because an HMAC is often itself a key (SigV4 and
    /// HKDF chain them); call `unsafeBytes` where it is only a tag.
    ///
    /// - Parameters:
    ///   - message: The bytes to authenticate.
    ///   - key: The secret key, of any length (empty included).
    ///   - hash: The hash function underneath, such as `.sha256`.
    /// - Returns: The authentication code, `hash.digestSize` bytes.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    public static func authenticationCode(
        for message: some DataProtocol, using key: SecureBytes, hash: HashFunction
    ) throws -> SecureBytes {
        try key.withUnsafeBytes { keyBytes in
            try withContiguousBytes(message) { messageBytes in
                try compute(hash: hash, key: keyBytes, message: messageBytes)
            }
        }
    }

    /// Whether `code` is the HMAC of `message` under `key`, compared in constant time.
    ///
    /// - Parameters:
    ///   - code: The authentication code to check.
    ///   - message: The bytes it claims to authenticate.
    ///   - key: The secret key.
    ///   - hash: The hash function underneath.
    /// - Returns: `true` only when the codes are equal, byte for byte.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    public static func isValidAuthenticationCode(
        _ code: some DataProtocol, for message: some DataProtocol, using key: SecureBytes, hash: HashFunction
    ) throws -> Bool {
        let expected = try authenticationCode(for: message, using: key, hash: hash)
        return expected.withUnsafeBytes { expectedBytes in
            withContiguousBytes(code) { ConstantTime.equals(expectedBytes, $0) }
        }
    }

    private static func compute(
        hash: HashFunction, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws -> SecureBytes {
        OpenSSLErrorQueue.clear()
        let context = try keyedContext(key, hash: hash)
        defer { EVP_MAC_CTX_free(context) }
        return try SecureBytes(count: hash.digestSize) { output in
            try finish(context, message: message, into: output, hash: hash)
        }
    }

    /// A new HMAC context keyed with `key`; the caller frees it.
    static func keyedContext(_ key: UnsafeRawBufferPointer, hash: HashFunction) throws -> OpaquePointer {
        let mac = try checkOpenSSL(FetchedMAC.hmac.pointer, .cryptoFailure, "fetching HMAC")
        let context = try checkOpenSSL(EVP_MAC_CTX_new(mac), .cryptoFailure, "EVP_MAC_CTX_new")
        let parameters = OSSLParameters()
        parameters.addUTF8String("digest", hash.openSSLName)
        // A null key means "keep the previous key" to EVP_MAC_init; an empty key must
        // still be a real pointer.
        var emptyKey: UInt8 = 0
        do {
            try withUnsafeMutablePointer(to: &emptyKey) { empty in
                let keyPointer = key.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(empty)
                try parameters.withUnsafeParameters { parameterArray in
                    try checkOpenSSL(
                        EVP_MAC_init(context, keyPointer, key.count, parameterArray), .cryptoFailure, "HMAC-\(hash) init")
                }
            }
        } catch {
            EVP_MAC_CTX_free(context)
            throw error
        }
        return context
    }

    /// Feeds `message` to a keyed context and writes the code to `output`
    /// (`hash.digestSize` bytes).
    static func finish(
        _ context: OpaquePointer, message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        hash: HashFunction
    ) throws {
        if let base = message.baseAddress, message.count > 0 {
            try checkOpenSSL(
                EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), message.count),
                .cryptoFailure, "HMAC-\(hash) update")
        }
        var written = 0
        try checkOpenSSL(
            EVP_MAC_final(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, output.count),
            .cryptoFailure, "HMAC-\(hash) final")
        guard written == hash.digestSize else {
            throw SigilError(.cryptoFailure, "HMAC-\(hash) produced \(written) bytes, expected \(hash.digestSize)")
        }
    }
}

/// A key set up once for many HMACs: OpenSSL's context is keyed (and its digest
/// fetched) when the key is made, and each code copies that context, which is what
/// makes SigV4's per-request HMAC cheap once the signing key of a day is known.
///
/// `@unchecked Sendable`: the keyed context is never changed after `init`; each
/// computation works on its own duplicate (`EVP_MAC_CTX_dup` only reads the original).
public final class HMACKey: @unchecked Sendable {
    private let context: OpaquePointer
    /// The hash function underneath.
    public let hash: HashFunction

    /// Keys a context.
    ///
    /// - Parameters:
    ///   - key: The secret key, of any length (empty included).
    ///   - hash: The hash function underneath, such as `.sha256`.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    public init(_ key: SecureBytes, hash: HashFunction) throws {
        OpenSSLErrorQueue.clear()
        self.context = try key.withUnsafeBytes { try HMAC.keyedContext($0, hash: hash) }
        self.hash = hash
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    /// The HMAC of `message` under this key.
    ///
    /// - Throws: ``SigilError`` with code `cryptoFailure` if OpenSSL fails.
    public func authenticationCode(for message: UnsafeRawBufferPointer) throws -> [UInt8] {
        let copy = try checkOpenSSL(EVP_MAC_CTX_dup(context), .cryptoFailure, "EVP_MAC_CTX_dup")
        defer { EVP_MAC_CTX_free(copy) }
        var output = [UInt8](repeating: 0, count: hash.digestSize)
        try output.withUnsafeMutableBytes { try HMAC.finish(copy, message: message, into: $0, hash: hash) }
        return output
    }
}

/// The HMAC implementation, fetched from the default provider once per process.
///
/// `@unchecked Sendable`: an `EVP_MAC` is an immutable, reference-counted method table
/// that OpenSSL documents as safe to share between threads once fetched; it is never
/// freed, as it lives as long as the process.
private final class FetchedMAC: @unchecked Sendable {
    let pointer: OpaquePointer?

    private init(_ name: String) {
        pointer = EVP_MAC_fetch(nil, name, nil)
    }

    static let hmac = FetchedMAC("HMAC")
}
