/// An error from Sigil: a stable ``Code`` to branch on, a message for people, where it
/// was thrown, and — when OpenSSL was involved — OpenSSL's whole error queue.
///
/// Two errors are equal when their codes are equal; the message, location and
/// OpenSSL detail are for people and logs, never for program logic.
public struct SigilError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable identifier, such as `malformedKey`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The key bytes are not a well-formed DER or PEM public or private key.
        public static let malformedKey = Code("malformedKey")
        /// The key is well-formed but of a type, curve or size Sigil does not support.
        public static let unsupportedKey = Code("unsupportedKey")
        /// An RSA key is shorter than 2048 bits and no unsafe initializer was used.
        public static let keyTooSmall = Code("keyTooSmall")
        /// The signature cannot be a signature for this key: wrong length or not DER.
        public static let malformedSignature = Code("malformedSignature")
        /// A DIGEST message whose length does not match the algorithm's hash.
        public static let digestLengthMismatch = Code("digestLengthMismatch")
        /// An algorithm name that Sigil does not know.
        public static let unknownAlgorithm = Code("unknownAlgorithm")
        /// The algorithm cannot be used with this key (an RSA algorithm on an EC key, or
        /// a curve paired with another hash than KMS pairs it with).
        public static let algorithmKeyMismatch = Code("algorithmKeyMismatch")
        /// An argument outside what the operation accepts.
        public static let invalidArgument = Code("invalidArgument")
        /// Reading or writing a file or stream failed.
        public static let ioFailure = Code("ioFailure")
        /// An authentication tag, commit key or MAC did not match: the data was altered,
        /// or the key is wrong.
        public static let authenticationFailure = Code("authenticationFailure")
        /// A ciphertext could not be decrypted with this key and padding.
        public static let decryptionFailure = Code("decryptionFailure")
        /// A message is not well-formed: truncated, reordered, or with an impossible field.
        public static let malformedMessage = Code("malformedMessage")
        /// A message is well-formed but uses something Sigil refuses (format version,
        /// algorithm suite, content type), or exceeds a configured limit.
        public static let unsupportedMessage = Code("unsupportedMessage")
        /// No encrypted data key in the message can be opened with the keys given.
        public static let noMatchingRecipient = Code("noMatchingRecipient")
        /// The encryption context does not hold what the caller required.
        public static let encryptionContextMismatch = Code("encryptionContextMismatch")
        /// OpenSSL failed in a way the caller cannot fix (usually resource exhaustion).
        public static let cryptoFailure = Code("cryptoFailure")
        /// No key among those given may do what was asked (no trusted key has the
        /// token's key id, or none may verify its algorithm).
        public static let notFound = Code("notFound")
        /// The key's usage or type forbids the operation (a signing key asked to
        /// encrypt, a symmetric key where a key pair is needed).
        public static let invalidKeyUsage = Code("invalidKeyUsage")

        public var description: String { name }
    }

    /// One entry of OpenSSL's thread-local error queue.
    public struct OpenSSLError: Hashable, Sendable, CustomStringConvertible {
        /// OpenSSL's packed error code.
        public let code: UInt
        /// The library that raised it, such as `RSA routines`.
        public let library: String
        /// The reason, such as `data too large for modulus`.
        public let reason: String

        public var description: String { "\(library): \(reason)" }
    }

    /// The stable code of this error.
    public let code: Code
    /// A one-line explanation for people.
    public let message: String
    /// OpenSSL's error queue at the time of the failure, oldest first; empty when
    /// OpenSSL was not involved.
    public let openSSLErrors: [OpenSSLError]
    /// The source file that threw the error.
    public let file: String
    /// The line that threw the error.
    public let line: Int

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A one-line explanation that names the problem.
    ///   - openSSLErrors: OpenSSL's error queue, if OpenSSL was involved.
    public init(
        _ code: Code,
        _ message: String,
        openSSLErrors: [OpenSSLError] = [],
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
        self.file = file
        self.line = line
    }

    public var description: String {
        guard let last = openSSLErrors.last else { return message }
        return "\(message) (OpenSSL: \(last.reason))"
    }

    public static func == (lhs: SigilError, rhs: SigilError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }
}
