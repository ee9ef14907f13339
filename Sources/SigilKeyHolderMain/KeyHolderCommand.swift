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
        subcommands: [ServeCommand.self]
    )
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

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen takes HOST:PORT, not '\(listen)'")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("plain HTTP is served on loopback addresses only; \(host) is not one")
        }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id is 12 digits, not '\(accountId)'")
        }
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "sigil-keyholder")
        logger.logLevel = .info
        let configuration = KeyHolderConfiguration(
            dataDirectory: directory, host: host, port: port, region: region, accountID: accountId)
        let (application, keyHolder) = try buildApplication(configuration, logger: logger) { channel in
            let address = channel.localAddress.map { "\($0)" } ?? "\(host):\(port)"
            say("sigil-keyholder: listening on \(address)")
        }
        say(keyHolder.initialized
            ? "sigil-keyholder: initialised \(directory.path); credentials for the account root in \(keyHolder.credentialsFile.path)"
            : "sigil-keyholder: serving \(directory.path); credentials in \(keyHolder.credentialsFile.path)")
        try await application.runService()
    }
}

/// Prints a line at once (standard output may be a pipe that a supervisor or test reads).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
