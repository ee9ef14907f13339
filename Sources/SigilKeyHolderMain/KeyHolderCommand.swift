import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import SigilKeyHolder

@main
struct KeyHolderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil-keyholder",
        abstract: "The Sigil key holder: keeps private keys and serves the AWS KMS API over SigV4.",
        subcommands: [ServeCommand.self, PrincipalsCommand.self, AuditCommand.self]
    )

    /// Runs the command with the exit codes the key holder's commands share: 0 done,
    /// 1 refused or failed (a broken audit log, an unknown principal, a storage error),
    /// 2 a usage mistake (ArgumentParser's own default would be 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version: ArgumentParser prints them and exits 0.
                self.exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the KMS API from a data directory, initialising it when empty.",
        discussion: """
            On an empty data directory this creates a random 256-bit root key (root.key, mode \
            0600), the SQLite database, and an access key for the account's root principal, \
            written to DIR/credentials in the AWS shared-credentials format, so that

              AWS_SHARED_CREDENTIALS_FILE=DIR/credentials aws kms list-keys --endpoint-url http://127.0.0.1:4599

            works at once. No secret is ever printed or logged. SIGTERM or SIGINT stops it \
            gracefully.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where the key holder keeps its state.", valueName: "dir"))
    var dataDir: String

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1:4599).", valueName: "host:port"))
    var listen: String = "127.0.0.1:4599"

    @Option(name: .long, help: "The region in ARNs and SigV4 scopes.")
    var region: String = "us-east-1"

    @Option(name: .long, help: ArgumentHelp("The account keys belong to.", valueName: "id"))
    var accountId: String = "111122223333"

    @Flag(name: .long, help: "Serve without request quotas (benchmarks; a trusted single client).")
    var noQuotas = false

    @Option(
        name: .customLong("quota"),
        help: ArgumentHelp(
            "Override one request quota, per account and second: symmetric (default 50000), rsa (500), ecc (300), get-public-key (2000), describe-key (2000), create-key (50). Repeatable.",
            valueName: "class=rate"))
    var quotaOverrides: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Serve Prometheus metrics (GET /metrics) on this address; off by default.", valueName: "host:port"))
    var metricsListen: String?

    @Option(name: .long, help: ArgumentHelp("Serve HTTPS (TLS 1.2/1.3) with this PEM certificate chain.", valueName: "file"))
    var tlsCert: String?

    @Option(name: .long, help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Flag(name: .long, help: "Allow plain HTTP on an address that is not loopback (credentials and plaintexts would cross the network unencrypted).")
    var insecureHttp = false

    func run() async throws {
        let (host, port) = try Self.address(listen, option: "--listen")
        let tls: (certificateChain: URL, privateKey: URL)?
        switch (tlsCert, tlsKey) {
        case let (certificate?, key?):
            tls = (URL(fileURLWithPath: certificate), URL(fileURLWithPath: key))
        case (nil, nil):
            tls = nil
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.")
        guard loopback || tls != nil || insecureHttp else {
            throw ValidationError(
                "plain HTTP is served on loopback addresses only; \(host) is not one: give --tls-cert and --tls-key, or --insecure-http")
        }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id is 12 digits, not '\(accountId)'")
        }
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "sigil-keyholder")
        logger.logLevel = .info
        let quotas: QuotaConfiguration
        do {
            quotas = try (noQuotas ? QuotaConfiguration.unlimited : QuotaConfiguration.kmsDefaults).overriding(quotaOverrides)
        } catch {
            throw ValidationError("--quota: \(error)")
        }
        let metricsAddress = try metricsListen.map { try Self.address($0, option: "--metrics-listen") }
        let configuration = KeyHolderConfiguration(
            dataDirectory: directory, host: host, port: port, region: region, accountID: accountId, quotas: quotas,
            metricsAddress: metricsAddress, tls: tls)
        let (application, keyHolder) = try buildApplication(
            configuration, logger: logger,
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0)" } ?? "\(host):\(port)"
                say("sigil-keyholder: listening on \(address)\(tls == nil ? "" : " (HTTPS)")")
            },
            onMetricsRunning: { channel in
                let address = channel.localAddress.map { "\($0)" } ?? "\(metricsAddress.map { "\($0.host):\($0.port)" } ?? "")"
                say("sigil-keyholder: metrics on \(address)/metrics")
            })
        say(keyHolder.initialized
            ? "sigil-keyholder: initialised \(directory.path); credentials for the account root in \(keyHolder.credentialsFile.path)"
            : "sigil-keyholder: serving \(directory.path); credentials in \(keyHolder.credentialsFile.path)")
        try await application.runService()
    }
}

extension ServeCommand {
    /// Splits `HOST:PORT` (IPv6 hosts in brackets).
    static func address(_ text: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("\(option) takes HOST:PORT, not '\(text)'")
        }
        return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }
}

/// Prints a line at once (standard output may be a pipe that a supervisor or test reads).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
