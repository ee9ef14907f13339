import ArgumentParser
import Foundation
import SigilCrypto
import SigilKeyStore

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a key holder's store.",
        subcommands: [StoreCopyCommand.self]
    )
}

private struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a data directory's SQLite store into an empty PostgreSQL store.",
        discussion: """
            Copies every key, version of key material, tag, alias, principal, access key and \
            audit event, unchanged and in one transaction, then verifies the audit chain on the \
            copy. A target that holds anything is refused: stores are never merged. Stop the \
            key holder that serves DIR first, or events it records meanwhile stay behind.

            Then serve the copy from any number of nodes, each with its own data directory \
            holding DIR/root.key (mode 0600):

              sigil-keyholder serve --data-dir NODE_DIR --database-url URL

            The password comes from PGPASSWORD, passfile= in the URL, PGPASSFILE or ~/.pgpass, \
            never the URL.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The data directory whose store to copy.", valueName: "dir"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The empty PostgreSQL store (postgresql://USER@HOST:PORT/DB?sslmode=...).", valueName: "url"))
    var to: String

    func run() async throws {
        try runVerb {
            guard case .postgreSQL(let url, let password) = try storeLocation(to) else {
                throw CommandFailure.usage("--to names a PostgreSQL store")
            }
            let report = try KeyStore.copy(from: URL(fileURLWithPath: from, isDirectory: true), to: url, password: password)
            for (table, count) in report.rows {
                print("copied \(count) \(table)")
            }
            guard report.audit.isIntact else {
                throw CommandFailure.failed("the copied audit log does not verify: \(report.audit.firstBroken.map { "event \($0.seq): \($0.reason)" } ?? "")")
            }
            print("audit log intact on \(url): \(report.audit.eventCount) events, head sha256 \(Hex.lowercase(report.audit.headHash))")
        }
    }
}
