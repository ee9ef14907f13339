internal import Foundation
internal import Glibc
public import PostgresNIO
internal import SigilCrypto

/// Where a shared store lives: `postgresql://USER@HOST[:PORT][/DATABASE][?PARAMETERS]`, as
/// `sigil-keyholder serve --database-url` takes it (issue 11), read the way libpq reads a
/// connection URI, with two differences that keep a secret out of sight and nothing
/// silently ignored:
///
/// - A password in the URL (`USER:PASSWORD@`) is refused: a command line shows in `ps`.
///   The password comes from `PGPASSWORD`, else from a password file: the one the URL
///   names (`passfile=PATH`), else `PGPASSFILE`, else `~/.pgpass`, in libpq's format
///   (`host:port:database:user:password`, `*` matching anything). A password file that
///   others may read is refused, where libpq only warns.
/// - A parameter Sigil does not act on is refused, naming it. Those it does: `sslmode`
///   (`disable`, `prefer`, the default, `require`, `verify-ca`, `verify-full`; not
///   `allow`, which postgres-nio cannot do), `sslrootcert` (the CA file for the two
///   `verify-` modes; else the system's) and `passfile`.
public struct PostgreSQLURL: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let user: String
    /// The database; the user's name when the URL names none, as with libpq.
    public let database: String
    public let sslMode: SSLMode
    /// The CA certificates (PEM) that `verify-ca` and `verify-full` trust, when not the system's.
    public let sslRootCertificate: String?
    /// The password file the URL names, if any.
    public let passwordFile: String?

    /// How the connection uses TLS, as libpq's `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable
        /// TLS when the server offers it, the certificate not checked.
        case prefer
        /// TLS always, the certificate not checked.
        case require
        /// TLS always, the certificate checked against the CA, not the host name.
        case verifyCA = "verify-ca"
        /// TLS always, the certificate checked against the CA and the host name.
        case verifyFull = "verify-full"
    }

    /// The URL without anything secret (there is nothing secret in it), for logs.
    public var description: String {
        "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// Reads a URL.
    ///
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` naming what is wrong: another
    ///   scheme, a password, no user or host, a bad port, an unknown parameter or value.
    public init(_ text: String) throws {
        func refuse(_ problem: String) -> KeyStoreError {
            KeyStoreError(.invalidArgument, "the database URL \(problem) (expected postgresql://USER@HOST:PORT/DATABASE)")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw refuse("is not a URL")
        }
        guard scheme == "postgresql" || scheme == "postgres" else { throw refuse("has the scheme '\(scheme)', not postgresql") }
        guard components.password == nil else {
            throw refuse(
                "holds a password, which would show in `ps`; give it in a password file (passfile=PATH, PGPASSFILE or ~/.pgpass) or PGPASSWORD")
        }
        guard let user = components.user, !user.isEmpty else { throw refuse("names no user") }
        guard let host = components.host, !host.isEmpty else { throw refuse("names no host") }
        if let port = components.port, !(1...65535).contains(port) { throw refuse("has the port \(port)") }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.contains("/") else { throw refuse("has the path '\(components.path)', not one database name") }
        guard components.fragment == nil else { throw refuse("has a fragment") }

        var sslMode = SSLMode.prefer
        var rootCertificate: String? = nil
        var passwordFile: String? = nil
        var seen = Set<String>()
        for item in components.queryItems ?? [] {
            guard seen.insert(item.name).inserted else { throw refuse("gives the parameter '\(item.name)' twice") }
            guard let value = item.value, !value.isEmpty else { throw refuse("gives the parameter '\(item.name)' no value") }
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw refuse(
                        "has sslmode '\(value)'; Sigil supports \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": rootCertificate = value
            case "passfile": passwordFile = value
            default:
                throw refuse("has the parameter '\(item.name)', which Sigil does not support (it supports sslmode, sslrootcert, passfile)")
            }
        }
        if rootCertificate != nil, sslMode != .verifyCA, sslMode != .verifyFull {
            throw refuse("names sslrootcert, which only sslmode=verify-ca or verify-full use")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        self.user = user
        self.database = database.isEmpty ? user : database
        self.sslMode = sslMode
        self.sslRootCertificate = rootCertificate
        self.passwordFile = passwordFile
    }

    /// The password to log in with: `PGPASSWORD`, else the first matching line of the
    /// password file (see the type's documentation), else none.
    ///
    /// - Parameters:
    ///   - environment: The environment to read `PGPASSWORD`, `PGPASSFILE` and `HOME` from
    ///     (`nil`: this process's).
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` when the password file the URL
    ///   names cannot be read or holds no line for this connection, or when a password
    ///   file may be read by others than its owner.
    public func password(environment: [String: String]? = nil) throws -> String? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        let named = passwordFile ?? environment["PGPASSFILE"]
        guard let path = named ?? environment["HOME"].map({ "\($0)/.pgpass" }) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if named != nil {
                throw KeyStoreError(.invalidArgument, "the password file \(path) cannot be read: \(String(cString: strerror(errno)))")
            }
            return nil
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeyStoreError(.invalidArgument, "the password file \(path) is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw KeyStoreError(
                .invalidArgument,
                "the password file \(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyStoreError(.invalidArgument, "the password file \(path) cannot be read as UTF-8 text")
        }
        if let password = Self.password(in: text, host: host, port: port, database: database, user: user) { return password }
        if named != nil {
            throw KeyStoreError(.invalidArgument, "the password file \(path) has no line for \(host):\(port):\(database):\(user)")
        }
        return nil
    }

    /// The password of the first line of a libpq password file that matches, if any.
    static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(of: line)
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in field == "*" || field == value }
            if matches { return fields[4] }
        }
        return nil
    }

    /// The `:`-separated fields of a password file line, `\:` and `\\` unescaped.
    private static func fields(of line: Substring) -> [String] {
        var fields: [String] = [""]
        var escaped = false
        for character in line {
            if escaped {
                fields[fields.count - 1].append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return fields
    }

    /// A postgres-nio client (pool) configuration for this URL with `password`.
    public func clientConfiguration(password: String?) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch tlsSettings {
        case nil: .disable
        case (let configuration, required: false)?: .prefer(configuration)
        case (let configuration, required: true)?: .require(configuration)
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// A single-connection configuration for this URL with `password` (LISTEN needs one
    /// connection of its own).
    public func connectionConfiguration(password: String?) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch tlsSettings {
        case nil: .disable
        case (let configuration, required: false)?: .prefer(try NIOSSLContext(configuration: configuration))
        case (let configuration, required: true)?: .require(try NIOSSLContext(configuration: configuration))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The TLS settings of ``sslMode``, and whether TLS is required; `nil` without TLS.
    private var tlsSettings: (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable: return nil
        case .prefer, .require:
            // As libpq: encryption without checking who answers.
            configuration.certificateVerification = .none
            return (configuration, sslMode == .require)
        case .verifyCA, .verifyFull:
            configuration.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let sslRootCertificate { configuration.trustRoots = .file(sslRootCertificate) }
            return (configuration, true)
        }
    }
}
