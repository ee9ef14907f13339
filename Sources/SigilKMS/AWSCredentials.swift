public import Foundation
public import SigilCrypto

/// An AWS access key: what SigV4 signs with.
///
/// The secret lives in ``SecureBytes`` and never appears in `description`.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    /// The access key id, such as `AKIAIOSFODNN7EXAMPLE`; not secret.
    public let accessKeyId: String
    /// The secret access key.
    public let secretAccessKey: SecureBytes
    /// A session token, sent as `X-Amz-Security-Token` when present (Sigil's key holder
    /// has no STS and gives it no meaning).
    public let sessionToken: String?

    /// Creates credentials.
    ///
    /// - Parameters:
    ///   - accessKeyId: The access key id.
    ///   - secretAccessKey: The secret access key.
    ///   - sessionToken: A session token, if any.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = SecureBytes(Array(secretAccessKey.utf8))
        self.sessionToken = sessionToken
    }

    public var description: String { "AWSCredentials(\(accessKeyId), secret hidden)" }
}

/// Why the AWS configuration could not be read, naming what is missing.
public struct AWSConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable for programs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable identifier.
        public let name: String
        private init(_ name: String) { self.name = name }
        /// No credentials anywhere: neither the environment nor the files.
        public static let noCredentials = Code("noCredentials")
        /// Only one of an access key id and its secret was found.
        public static let partialCredentials = Code("partialCredentials")
        /// The profile asked for is in neither the credentials nor the config file.
        public static let profileNotFound = Code("profileNotFound")
        /// A file exists but cannot be read or parsed.
        public static let unreadableFile = Code("unreadableFile")
        public var description: String { name }
    }

    /// The stable code.
    public let code: Code
    /// A one-line explanation naming the variable, file or profile concerned.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Reads credentials and the region the way the AWS CLI does.
///
/// Credentials: with an explicit profile (`--profile`), that profile only. Otherwise
/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) when set; else
/// the profile `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`, or `default`) from the shared
/// credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`), then
/// from the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`, sections
/// `[profile NAME]` and `[default]`).
///
/// Region: `--region`, then `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`
/// in the config file, and finally `us-east-1`.
public struct AWSConfiguration: Sendable {
    /// The environment to read, normally the process's.
    public var environment: [String: String]

    /// Creates a reader over an environment.
    ///
    /// - Parameter environment: The variables; the process's by default.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The region used when nothing names one.
    public static let defaultRegion = "us-east-1"

    /// The profile in effect: the explicit one, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, or `default`.
    public func profileName(explicit: String? = nil) -> String {
        nonEmpty(explicit) ?? nonEmpty(environment["AWS_PROFILE"]) ?? nonEmpty(environment["AWS_DEFAULT_PROFILE"])
            ?? "default"
    }

    /// The shared credentials file's path.
    public var credentialsFilePath: String {
        expandHome(nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials")
    }

    /// The config file's path.
    public var configFilePath: String {
        expandHome(nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config")
    }

    /// Finds the credentials.
    ///
    /// - Parameter profile: A profile given explicitly (`--profile`), which then wins
    ///   over the environment's keys.
    /// - Returns: The credentials.
    /// - Throws: ``AWSConfigurationError`` naming what was looked at and what is missing.
    public func credentials(profile: String? = nil) throws -> AWSCredentials {
        if nonEmpty(profile) == nil {
            let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
            let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
            switch (id, secret) {
            case (let id?, let secret?):
                return AWSCredentials(
                    accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
            case (.some, nil):
                throw AWSConfigurationError(
                    .partialCredentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            case (nil, .some):
                throw AWSConfigurationError(
                    .partialCredentials, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
            case (nil, nil):
                break
            }
        }
        let name = profileName(explicit: profile)
        let credentialsFile = try readINI(credentialsFilePath)
        let configFile = try readINI(configFilePath)
        let sources: [(file: String, section: [String: String]?)] = [
            (credentialsFilePath, credentialsFile?[name]),
            (configFilePath, configFile?[name == "default" ? "default" : "profile \(name)"]),
        ]
        for (file, section) in sources {
            guard let section else { continue }
            let id = nonEmpty(section["aws_access_key_id"])
            let secret = nonEmpty(section["aws_secret_access_key"])
            switch (id, secret) {
            case (let id?, let secret?):
                return AWSCredentials(
                    accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(section["aws_session_token"]))
            case (.some, nil):
                throw AWSConfigurationError(
                    .partialCredentials, "profile '\(name)' in \(file) has aws_access_key_id but no aws_secret_access_key")
            case (nil, .some):
                throw AWSConfigurationError(
                    .partialCredentials, "profile '\(name)' in \(file) has aws_secret_access_key but no aws_access_key_id")
            case (nil, nil):
                continue
            }
        }
        let profileExists = sources.contains { $0.section != nil }
        if !profileExists && (nonEmpty(profile) != nil || name != "default") {
            throw AWSConfigurationError(
                .profileNotFound,
                "profile '\(name)' is in neither \(credentialsFilePath) nor \(configFilePath)"
                    + (credentialsFile == nil ? " (no credentials file)" : ""))
        }
        throw AWSConfigurationError(
            .noCredentials,
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put aws_access_key_id and "
                + "aws_secret_access_key in profile '\(name)' of \(credentialsFilePath)"
                + " (or point AWS_SHARED_CREDENTIALS_FILE at the key holder's credentials file)")
    }

    /// Finds the region.
    ///
    /// - Parameters:
    ///   - explicit: `--region`, if given.
    ///   - profile: `--profile`, if given.
    /// - Returns: The region; `us-east-1` when nothing names one.
    /// - Throws: ``AWSConfigurationError`` when the config file exists but is unreadable.
    public func region(explicit: String? = nil, profile: String? = nil) throws -> String {
        if let region = nonEmpty(explicit) ?? nonEmpty(environment["AWS_REGION"])
            ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
        {
            return region
        }
        let name = profileName(explicit: profile)
        let config = try readINI(configFilePath)
        let section = config?[name == "default" ? "default" : "profile \(name)"] ?? config?[name]
        return nonEmpty(section?["region"]) ?? Self.defaultRegion
    }

    // MARK: - Files

    private func readINI(_ path: String) throws -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSConfigurationError(.unreadableFile, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AWSConfigurationError(.unreadableFile, "\(path) is not UTF-8 text")
        }
        return try Self.parseINI(text, path: path)
    }

    /// Parses the INI dialect of the AWS files: `[section]` headers, `name = value`
    /// lines, `#` and `;` comment lines; indented lines continue a nested value and are
    /// skipped. Section and key names are trimmed; keys are case-sensitive as in botocore.
    static func parseINI(_ text: String, path: String) throws -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        // `\r\n` is one Character in Swift, and a newline: CRLF files split as LF ones.
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw AWSConfigurationError(
                        .unreadableFile, "\(path):\(number + 1): a section header must end with ']'")
                }
                let name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                sections[current!, default: [:]] = sections[current!] ?? [:]
                continue
            }
            if line.first == " " || line.first == "\t" { continue }
            guard let section = current else {
                throw AWSConfigurationError(.unreadableFile, "\(path):\(number + 1): a setting before any [section]")
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw AWSConfigurationError(
                    .unreadableFile, "\(path):\(number + 1): expected 'name = value' in [\(section)]")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return sections
    }

    private func expandHome(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        return home + path.dropFirst()
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
