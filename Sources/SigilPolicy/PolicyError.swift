/// Why a policy document was refused.
///
/// Errors compare on their ``code`` alone; the ``message`` is for people and names the
/// problem: the statement (by position and Sid), the member, the operator or the key.
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable for programs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable identifier.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The text is not JSON, or not a JSON object.
        public static let malformedJSON = Code("malformedJSON")
        /// The document is larger than ``PolicyDocument/maximumSize`` bytes of UTF-8.
        public static let documentTooLarge = Code("documentTooLarge")
        /// `Version` is missing or is not one of the two policy language versions.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// A member the policy language does not have, at the top level or in a statement.
        public static let unknownMember = Code("unknownMember")
        /// A member is missing, has the wrong type or a value the language does not allow.
        public static let invalidElement = Code("invalidElement")
        /// `Principal` or `NotPrincipal` names something that is not an account, a root,
        /// a user or a role.
        public static let invalidPrincipal = Code("invalidPrincipal")
        /// A principal names an account that this key holder does not know.
        public static let unknownAccount = Code("unknownAccount")
        /// A condition operator is unknown, or its values do not suit it.
        public static let invalidCondition = Code("invalidCondition")
        /// A condition key is not one that the key holder supplies.
        public static let unsupportedConditionKey = Code("unsupportedConditionKey")

        public var description: String { name }
    }

    /// The stable code.
    public let code: Code
    /// A one-line explanation naming the statement, member, operator or key concerned.
    public let message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: The explanation for people.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
