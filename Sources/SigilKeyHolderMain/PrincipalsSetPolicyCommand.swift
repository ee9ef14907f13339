import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsSetPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-policy",
        abstract: "Replace or remove a user's or role's identity policy.",
        discussion: """
            The policy is checked as the key holder will read it (AWS policy language, \
            Version 2012-10-17, no Principal). A server running on the directory may apply \
            the old policy for up to 30 seconds more.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The user's or role's ARN.", valueName: "arn"))
    var arn: String

    @Option(name: .long, help: ArgumentHelp("The new identity policy (JSON).", valueName: "file"))
    var policy: String?

    @Flag(name: .long, help: "Remove the identity policy.")
    var clear = false

    func run() async throws {
        try runVerb {
            guard (policy != nil) != clear else {
                throw CommandFailure.usage("give exactly one of --policy FILE and --clear")
            }
            let text = try policy.map(PrincipalsTool.readIdentityPolicy)
            try store.open().setIdentityPolicy(arn: arn, text)
            say(text == nil ? "Removed the identity policy of \(arn)" : "Set the identity policy of \(arn)")
        }
    }
}
