internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// Returns `count` random bytes.
    ///
    /// - Parameter count: How many bytes to produce; zero or more.
    /// - Returns: The random bytes.
    /// - Throws: ``SigilError`` with code `cryptoFailure` if the generator cannot be seeded.
    public static func bytes(count: Int) throws -> [UInt8] {
        guard count >= 0 else {
            throw SigilError(.invalidArgument, "cannot produce \(count) random bytes")
        }
        OpenSSLErrorQueue.clear()
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                try checkOpenSSL(RAND_bytes(buffer.baseAddress, Int32(count)), .cryptoFailure, "RAND_bytes")
            }
            initialized = count
        }
    }
}
