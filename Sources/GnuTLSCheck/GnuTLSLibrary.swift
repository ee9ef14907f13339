// @preconcurrency: GnuTLS exports `gnutls_free` as a mutable global function pointer,
// which Swift 6 refuses to read without it. GnuTLS sets it once, before `main`, and
// has not allowed replacing it since 3.3, so reading it from any thread is safe.
@preconcurrency internal import CGnuTLS

/// The result of the one `gnutls_global_init` call of this process.
///
/// A global `let` is initialized exactly once, on first use, under the runtime's
/// `swift_once`, so concurrent first users wait for the same single call. GnuTLS's
/// global state is never deinitialized: the process ends first.
private let globalInitResult: Int32 = gnutls_global_init()

/// Facts about the GnuTLS library this process runs with.
public enum GnuTLSLibrary {
    /// Initializes GnuTLS once per process; every entry point of this module calls it.
    ///
    /// - Throws: ``GnuTLSError`` when `gnutls_global_init` failed (it is not retried).
    static func ensureInitialized() throws {
        try checkGnuTLS(globalInitResult, "gnutls_global_init")
    }

    /// The version of the GnuTLS library loaded at run time, such as `3.7.9`.
    public static var version: String {
        guard let text = gnutls_check_version(nil) else { return "unknown" }
        return String(cString: text)
    }

    /// A name for the generator field of test vectors, such as `GnuTLS 3.7.9`.
    public static var generatorName: String { "GnuTLS \(version)" }
}

extension gnutls_datum_t {
    /// Copies a datum that GnuTLS allocated into an array and frees it with `gnutls_free`.
    ///
    /// Use exactly once, on a datum that an `…2`/`export2` call filled in.
    mutating func takeBytes() -> [UInt8] {
        defer {
            if let data { gnutls_free?(data) }
            self.data = nil
            self.size = 0
        }
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(size)))
    }
}

/// Lends `bytes` to GnuTLS as a read-only `gnutls_datum_t` for the duration of `body`.
///
/// The datum's pointer is mutable in C, but the calls that take a
/// `const gnutls_datum_t *` only read it; the bytes are copied into a scratch buffer
/// so that no Swift array is ever written through. An empty input is lent as a
/// valid one-byte buffer with size 0, which GnuTLS treats as the empty string.
func withDatum<Result>(
    _ bytes: [UInt8], _ body: (UnsafePointer<gnutls_datum_t>) throws -> Result
) throws -> Result {
    try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes.count, 1)) { scratch in
        _ = scratch.initialize(fromContentsOf: bytes)
        var datum = gnutls_datum_t(data: scratch.baseAddress, size: UInt32(bytes.count))
        return try body(&datum)
    }
}
