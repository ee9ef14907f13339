import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principals",
        abstract: "Manage the users and roles that may call the key holder.",
        discussion: """
            A principal is an account root (arn:aws:iam::ACCOUNT:root), a user \
            (arn:aws:iam::ACCOUNT:user/NAME) or a role (arn:aws:iam::ACCOUNT:role/NAME). Each \
            signs its requests with its own access keys, and a user or role may carry an \
            identity policy in the AWS policy language. An account exists once any principal \
            of it does: adding an account's first user or role adds its root too.

            These commands change the data directory directly, and may run while \
            `sigil-keyholder serve` is using it. A running server trusts an access key it has \
            looked up, with its identity policy, for up to 30 seconds: a removed principal's \
            or rotated-out key keeps working, and an old identity policy keeps applying, for \
            at most 30 seconds more.

            An access key's secret is shown once, by add or rotate-key (or written to \
            --credentials-file instead), and can never be read back.

            Exit codes: 0 done; 1 refused (no such principal, it already exists, the key \
            holder's own root, a storage failure); 2 usage error (options, names, account \
            ids, a policy file that cannot be read or is not a valid identity policy, a \
            directory that is not a key holder data directory).
            """,
        subcommands: [
            PrincipalsAddCommand.self, PrincipalsListCommand.self, PrincipalsRemoveCommand.self,
            PrincipalsRotateKeyCommand.self, PrincipalsSetPolicyCommand.self,
        ]
    )
}
