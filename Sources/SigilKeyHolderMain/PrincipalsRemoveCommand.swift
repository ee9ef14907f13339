import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a principal and revoke its access keys.",
        discussion: """
            A server running on the directory may accept the removed keys for up to 30 seconds \
            more. The key holder's own account root cannot be removed, nor an account root \
            whose account still has users or roles.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The principal's ARN.", valueName: "arn"))
    var arn: String

    func run() async throws {
        try runVerb {
            let keyStore = try store.open()
            let removed = try keyStore.removePrincipal(arn: arn)
            say("Removed \(arn)" + (removed.isEmpty ? "" : " and revoked \(removed.joined(separator: ", "))"))
            if !removed.isEmpty { PrincipalsTool.noteServerCache(store.dataDir) }
        }
    }
}
