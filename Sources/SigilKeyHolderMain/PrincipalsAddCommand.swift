import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user or role, with an access key.",
        discussion: """
            Prints the new principal's ARN and access key id, and the secret access key once. \
            With --credentials-file FILE --profile NAME the key is written to that AWS \
            shared-credentials file instead (created with mode 0600 if absent; other profiles \
            are kept) and no secret is printed, so that

              AWS_SHARED_CREDENTIALS_FILE=FILE AWS_PROFILE=NAME aws kms list-keys …

            works at once, with --endpoint-url naming the key holder.
            """
    )

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("Add a user called NAME (1–64 of A–Z a–z 0–9 + = , . @ _ -).", valueName: "name"))
    var user: String?

    @Option(name: .long, help: ArgumentHelp("Add a role called NAME (same rules as --user).", valueName: "name"))
    var role: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The 12-digit account (default: the data directory's own account, that of its first root access key).",
            valueName: "id"))
    var account: String?

    @Option(
        name: .long,
        help: ArgumentHelp("An identity policy (AWS policy language JSON) for the principal.", valueName: "file"))
    var policy: String?

    @Flag(name: .long, help: "Add the principal without an access key (make one later with rotate-key).")
    var noAccessKey = false

    @OptionGroup var destination: PrincipalsCredentialsFileOptions

    @Option(name: .long, help: ArgumentHelp("text, or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            guard (user == nil) != (role == nil) else {
                throw CommandFailure.usage("give exactly one of --user NAME and --role NAME")
            }
            let kind: PrincipalKind = user != nil ? .user : .role
            let name = user ?? role ?? ""
            guard PrincipalRecord.isValidName(name) else {
                throw CommandFailure.usage(
                    "a \(kind.rawValue) name is 1 to 64 letters, digits or + = , . @ _ -, not '\(name)'")
            }
            if let account { try PrincipalsTool.checkAccount(account) }
            if noAccessKey && destination.credentialsFile != nil {
                throw CommandFailure.usage("--no-access-key makes no access key to write to --credentials-file")
            }
            let file = try destination.prepare()
            let identityPolicy = try policy.map(PrincipalsTool.readIdentityPolicy)
            let keyStore = try store.open()
            let account = try self.account ?? keyStore.ownAccount()

            if noAccessKey {
                let record = try keyStore.addPrincipal(
                    account: account, kind: kind, name: name, identityPolicy: identityPolicy)
                PrincipalsTool.printFields([("Arn", record.arn)], format: output)
                return
            }
            let made = try keyStore.addPrincipalWithAccessKey(
                account: account, kind: kind, name: name, identityPolicy: identityPolicy)
            let arn = made.principal.arn
            guard let file else {
                try PrincipalsTool.printNewKey(
                    arn: arn, accessKeyID: made.accessKeyID, secret: made.secretAccessKey, format: output)
                return
            }
            do {
                try file.write(accessKeyID: made.accessKeyID, secret: made.secretAccessKey)
            } catch {
                // Nobody could ever learn the secret: take the principal back out.
                let undone = (try? keyStore.removePrincipal(arn: arn)) != nil
                throw CommandFailure.failed(
                    "\(PrincipalsTool.message(error)); "
                        + (undone ? "\(arn) was not added" : "\(arn) was added but its key is lost: remove it"))
            }
            PrincipalsTool.printFields(
                [("Arn", arn), ("AccessKeyId", made.accessKeyID), ("CredentialsFile", file.url.path), ("Profile", file.profile)],
                format: output)
        }
    }
}
