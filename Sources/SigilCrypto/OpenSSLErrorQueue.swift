internal import COpenSSL

/// Reading and clearing OpenSSL's thread-local error queue.
enum OpenSSLErrorQueue {
    /// Empties the queue, so that what a later failure reads is that failure's own.
    static func clear() {
        ERR_clear_error()
    }

    /// Takes every entry off the queue, oldest first.
    static func drain() -> [SigilError.OpenSSLError] {
        var entries: [SigilError.OpenSSLError] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let library = ERR_lib_error_string(code).map { String(cString: $0) } ?? "library \(ERR_GET_LIB(code))"
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? "reason \(ERR_GET_REASON(code))"
            entries.append(.init(code: code, library: library, reason: reason))
        }
        return entries
    }

    /// Builds an error carrying the whole queue, which it empties.
    static func error(
        _ code: SigilError.Code,
        _ message: String,
        file: String = #fileID,
        line: Int = #line
    ) -> SigilError {
        SigilError(code, message, openSSLErrors: drain(), file: file, line: line)
    }
}

/// Throws a ``SigilError`` carrying OpenSSL's error queue unless `result` is 1, which is
/// how most OpenSSL calls report success.
func checkOpenSSL(
    _ result: Int32,
    _ code: SigilError.Code = .cryptoFailure,
    _ what: @autoclosure () -> String,
    file: String = #fileID,
    line: Int = #line
) throws {
    guard result == 1 else {
        throw OpenSSLErrorQueue.error(code, "\(what()) failed", file: file, line: line)
    }
}

/// Unwraps a pointer returned by OpenSSL, throwing with the error queue when it is null.
func checkOpenSSL<Pointer>(
    _ pointer: Pointer?,
    _ code: SigilError.Code = .cryptoFailure,
    _ what: @autoclosure () -> String,
    file: String = #fileID,
    line: Int = #line
) throws -> Pointer {
    guard let pointer else {
        throw OpenSSLErrorQueue.error(code, "\(what()) failed", file: file, line: line)
    }
    return pointer
}
