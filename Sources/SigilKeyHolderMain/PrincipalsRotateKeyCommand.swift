import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Give a principal a new access key and deactivate its others.",
        discussion: """
            Prints the new access key id, and its secret once (or writes it to \
            --credentials-file). The old keys stay listed as inactive; a server running on \
            the directory may accept them for up to 30 seconds more.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The principal's ARN.", valueName: "arn"))
    var arn: String

    @OptionGroup var destination: PrincipalsCredentialsFileOptions

    @Option(name: .long, help: ArgumentHelp("text, or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            let file = try destination.prepare()
            let keyStore = try store.open()
            guard let file else {
                let made = try keyStore.rotateAccessKey(principalARN: arn)
                try PrincipalsTool.printNewKey(
                    arn: arn, accessKeyID: made.accessKeyID, secret: made.secretAccessKey, format: output)
                PrincipalsTool.noteServerCache(store.dataDir)
                return
            }
            // With a file, the old keys are deactivated only once the new one is safely
            // written: if writing fails the principal keeps working as before.
            guard let before = try keyStore.principal(arn: arn) else {
                throw CommandFailure.failed("no principal '\(arn)'")
            }
            let made = try keyStore.createAccessKey(principalARN: arn)
            do {
                try file.write(accessKeyID: made.accessKeyID, secret: made.secretAccessKey)
            } catch {
                try? keyStore.revokeAccessKey(made.accessKeyID)
                throw CommandFailure.failed(
                    "\(PrincipalsTool.message(error)); the new key \(made.accessKeyID) was revoked and the old ones kept")
            }
            for key in before.accessKeys where key.isActive {
                try keyStore.revokeAccessKey(key.id)
            }
            PrincipalsTool.noteServerCache(store.dataDir)
            PrincipalsTool.printFields(
                [
                    ("Arn", arn), ("AccessKeyId", made.accessKeyID), ("CredentialsFile", file.url.path),
                    ("Profile", file.profile),
                ],
                format: output)
        }
    }
}
