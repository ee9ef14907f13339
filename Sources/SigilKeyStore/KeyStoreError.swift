/// An error of the key store: a key, alias, principal or access key that does not exist
/// or may not change that way, or storage that failed. Cryptographic failures (a sealed
/// blob that does not open, a malformed key) pass through as ``SigilCrypto/SigilError``.
///
/// Two errors are equal when their codes are equal; the message is for people and logs.
public struct KeyStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable identifier, such as `notFound`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// A key, key version, alias, principal or access key that does not exist.
        public static let notFound = Code("notFound")
        /// A name that must be unique (an alias, a principal) is already taken.
        public static let alreadyExists = Code("alreadyExists")
        /// The key's or principal's state forbids the change (enabling a key pending
        /// deletion, cancelling a deletion that was never scheduled).
        public static let invalidState = Code("invalidState")
        /// The key's usage or type forbids the operation (a private key asked of a
        /// symmetric key, rotating an asymmetric key).
        public static let invalidKeyUsage = Code("invalidKeyUsage")
        /// A value the store refuses: a malformed name, tag, account or page marker.
        public static let invalidArgument = Code("invalidArgument")
        /// The data directory or database is unusable: missing or unsafe files, the wrong
        /// root key, a schema this build does not know, or a failed read or write.
        public static let storageFailure = Code("storageFailure")

        public var description: String { name }
    }

    /// The stable code of this error.
    public let code: Code
    /// A one-line explanation for people.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A one-line explanation that names the problem.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: KeyStoreError, rhs: KeyStoreError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }
}
