import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import SigilBuildInfo
import SigilKeyHolder
import SigilPolicy

@main
struct KeyHolderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil-keyholder",
        abstract: "The Sigil key holder: keeps private keys and serves the AWS KMS API over SigV4.",
        version: BuildInfo.versionText(program: "sigil-keyholder"),
        subcommands: [ServeCommand.self, PrincipalsCommand.self, AuditCommand.self, StoreCommand.self]
    )

    /// Runs the command with the exit codes the key holder's commands share: 0 done,
    /// 1 refused or failed (a broken audit log, an unknown principal, a storage error),
    /// 2 a usage mistake (ArgumentParser's own default would be 64).
    ///
    /// Every verb runs under umask 077: whatever it creates in the data directory (the
    /// database, its WAL and shared-memory files, exports) is its owner's alone.
    static func main() async {
        umask(0o077)
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

            With --database-url the keys, principals, access keys and audit log live in \
            PostgreSQL instead, shared by every key holder started with the same URL: each \
            node has its own data directory and listen address, and the same root.key (copy \
            it from the first node, mode 0600). A node whose root key is not the one the store \
            was sealed with refuses to start.

            The data directory is created mode 0700 and its files 0600. serve refuses to start, \
            as ssh refuses a private key others can read, when the directory or root.key belongs \
            to another user or is open to group or others (chmod 700 DIR, chmod 600 DIR/root.key).

            --listen and --metrics-listen take an IP address (IPv6 in brackets) or localhost, \
            never another name: whether plain HTTP stays on this machine is decided from the \
            address itself, not from a DNS answer.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where the key holder keeps its state.", valueName: "dir"))
    var dataDir: String

    @Option(name: .long, help: databaseURLHelp)
    var databaseUrl: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Address to listen on: IPv4:PORT, [IPv6]:PORT or localhost:PORT. Plain HTTP only on loopback (127.0.0.0/8, ::1).",
            valueName: "ip:port"))
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
        help: ArgumentHelp(
            "Serve Prometheus metrics (GET /metrics) on this address, loopback unless --metrics-public; off by default.",
            valueName: "ip:port"))
    var metricsListen: String?

    @Flag(name: .long, help: "Allow --metrics-listen on an address that is not loopback (request counts and key states, readable without credentials).")
    var metricsPublic = false

    @Option(name: .long, help: ArgumentHelp("Serve HTTPS (TLS 1.2/1.3) with this PEM certificate chain.", valueName: "file"))
    var tlsCert: String?

    @Option(name: .long, help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Flag(name: .long, help: "Allow plain HTTP on an address that is not loopback (credentials and plaintexts would cross the network unencrypted).")
    var insecureHttp = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The least severe log lines written to standard error. A request's lines carry its request id (the x-amzn-RequestId of its response); refused requests are logged at debug.",
            valueName: "level"))
    var logLevel = LogLevelOption(.info)

    @OptionGroup(title: "Connection limits")
    var connections: ConnectionOptions

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A proxy (address or CIDR) whose X-Forwarded-For header names the client for aws:SourceIp and the audit log. Repeatable; without it the header is ignored.",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    func run() async throws {
        let address = try ListenAddress(parsing: listen, option: "--listen")
        let (host, port) = (address.host, address.port)
        let tls: (certificateChain: URL, privateKey: URL)?
        switch (tlsCert, tlsKey) {
        case let (certificate?, key?):
            tls = (URL(fileURLWithPath: certificate), URL(fileURLWithPath: key))
        case (nil, nil):
            tls = nil
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard address.isLoopback || tls != nil || insecureHttp else {
            throw ValidationError(
                "plain HTTP is served on loopback addresses only; \(host) is not one: give --tls-cert and --tls-key, or --insecure-http")
        }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id is 12 digits, not '\(accountId)'")
        }
        let metrics = try metricsListen.map { try ListenAddress(parsing: $0, option: "--metrics-listen") }
        if let metrics, !metrics.isLoopback, !metricsPublic {
            throw ValidationError(
                "metrics are served on loopback addresses only; \(metrics.host) is not one: give --metrics-public to "
                    + "show request counts and key states to whoever can reach it")
        }
        // The store creates the directory (0700) and checks that an existing one is private.
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        var logger = Logger(label: "sigil-keyholder")
        logger.logLevel = logLevel.level
        let quotas: QuotaConfiguration
        do {
            quotas = try (noQuotas ? QuotaConfiguration.unlimited : QuotaConfiguration.kmsDefaults).overriding(quotaOverrides)
        } catch {
            throw ValidationError("--quota: \(error)")
        }
        let metricsAddress = metrics.map { (host: $0.host, port: $0.port) }
        let proxies = try trustedProxies.map { text in
            guard let network = IPNetwork(text) else {
                throw ValidationError("--trusted-proxy takes an IP address or CIDR block, not '\(text)'")
            }
            return network
        }
        var configuration = KeyHolderConfiguration(
            dataDirectory: directory, host: host, port: port, region: region, accountID: accountId, quotas: quotas,
            metricsAddress: metricsAddress, tls: tls, connectionLimits: connections.limits)
        configuration.trustedProxies = proxies
        let (application, keyHolder) = try Self.refusingOnStoreErrors {
            configuration.storeLocation = try storeLocation(databaseUrl)
            return try buildApplication(
                configuration, logger: logger,
                onServerRunning: { channel in
                    let address = channel.localAddress.map { "\($0)" } ?? "\(host):\(port)"
                    say("sigil-keyholder: listening on \(address)\(tls == nil ? "" : " (HTTPS)")")
                },
                onMetricsRunning: { channel in
                    let address = channel.localAddress.map { "\($0)" } ?? "\(metricsAddress.map { "\($0.host):\($0.port)" } ?? "")"
                    say("sigil-keyholder: metrics on \(address)/metrics")
                })
        }
        say(keyHolder.initialized
            ? "sigil-keyholder: initialised \(directory.path); credentials for the account root in \(keyHolder.credentialsFile.path)"
            : "sigil-keyholder: serving \(directory.path); credentials in \(keyHolder.credentialsFile.path)")
        say(Self.describe(keyHolder.connections))
        try await application.runService()
    }
}

extension ServeCommand {
    /// Runs `body` as the other verbs run theirs (``runVerb(_:)``): a store that refuses
    /// to open (a data directory open to others, a missing root key) is one line on
    /// standard error and exit 1; a bad argument such as an unreadable certificate, 2.
    static func refusingOnStoreErrors<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try runVerb { result = try body() }
        return result!
    }

    /// The connection cap, and why when the open-file limit lowered it.
    static func describe(_ budget: ConnectionLimits.DescriptorBudget) -> String {
        let reserve = ConnectionLimits.reservedDescriptors
        return budget.isLowered
            ? "sigil-keyholder: at most \(budget.connections) connections at once, not the \(budget.requestedConnections) asked for: "
                + "the open-file limit is \(budget.descriptorLimit) and \(reserve) descriptors are kept for the database, logs "
                + "and listening sockets (raise it with ulimit -n or LimitNOFILE=)"
            : "sigil-keyholder: at most \(budget.connections) connections at once (open-file limit \(budget.descriptorLimit))"
    }
}

/// Prints a line at once (standard output may be a pipe that a supervisor or test reads).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
