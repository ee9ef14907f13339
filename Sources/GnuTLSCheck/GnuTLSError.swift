internal import CGnuTLS

/// A failure reported by GnuTLS: the call that failed, its negative return code and
/// `gnutls_strerror`'s text for that code.
///
/// Two errors are equal when their return codes are equal; the message and location
/// are for people.
public struct GnuTLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// GnuTLS's negative return code, such as `-89` (`GNUTLS_E_PK_SIG_VERIFY_FAILED`);
    /// `0` when this wrapper refused the input before calling GnuTLS.
    public let code: Int32
    /// The GnuTLS function (or the wrapper step) that failed.
    public let function: String
    /// `gnutls_strerror(code)`, or a sentence of ours when GnuTLS was not at fault.
    public let message: String
    /// The source file that threw the error.
    public let file: String
    /// The line that threw the error.
    public let line: Int

    /// Creates an error for a failed GnuTLS call, reading the text of `code` from GnuTLS.
    init(code: Int32, function: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.function = function
        if let text = gnutls_strerror(code) {
            self.message = String(cString: text)
        } else {
            self.message = "unknown GnuTLS error"
        }
        self.file = file
        self.line = line
    }

    /// Creates an error that GnuTLS did not raise, such as a refused argument.
    init(function: String, message: String, file: String = #fileID, line: Int = #line) {
        self.code = 0
        self.function = function
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        code == 0
            ? "\(function): \(message) (\(file):\(line))"
            : "\(function) failed: \(message) (GnuTLS \(code), \(file):\(line))"
    }

    public static func == (lhs: GnuTLSError, rhs: GnuTLSError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Throws ``GnuTLSError`` when a GnuTLS call returned a negative code; returns the code
/// otherwise (some calls return a meaningful non-negative value).
@discardableResult
func checkGnuTLS(
    _ returnCode: Int32, _ function: String, file: String = #fileID, line: Int = #line
) throws -> Int32 {
    guard returnCode >= 0 else {
        throw GnuTLSError(code: returnCode, function: function, file: file, line: line)
    }
    return returnCode
}
