import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and manage keys in a key holder.",
        discussion: """
            Every `keys` verb talks to a key holder (`sigil-keyholder serve`) over the AWS KMS \
            API, configured as the AWS CLI is: --endpoint-url (or $SIGIL_ENDPOINT_URL), \
            --region, --profile, and credentials from $AWS_ACCESS_KEY_ID and \
            $AWS_SECRET_ACCESS_KEY or a shared credentials file ($AWS_SHARED_CREDENTIALS_FILE, \
            $AWS_PROFILE). A new key holder writes such a file into its data directory.

            A KEY is a key id, a key ARN, an alias name (alias/NAME) or an alias ARN, wherever \
            KMS accepts one.

            Output is text for people; --output json prints the KMS response members, as \
            `aws kms` does, for scripts. A refusal from the key holder prints one line, such as \
            `sigil: error: NotFoundException: ...`, and exits 2.

            Example:
              export SIGIL_ENDPOINT_URL=http://127.0.0.1:4599
              export AWS_SHARED_CREDENTIALS_FILE=/var/lib/sigil/credentials
              sigil keys create --key-spec ECC_NIST_P256 --description releases
              sigil keys alias create alias/releases KEY-ID
            """,
        subcommands: [
            KeysCreateCommand.self, KeysListCommand.self, KeysDescribeCommand.self, KeysEnableCommand.self,
            KeysDisableCommand.self, KeysScheduleDeletionCommand.self, KeysCancelDeletionCommand.self,
            KeysAliasCommand.self,
        ]
    )
}

/// Options every `keys` verb shares: the key holder and the output format.
struct KeysCommonOptions: ParsableArguments {
    @OptionGroup var keyHolder: KeyHolderOptions

    @Option(
        name: .long, help: ArgumentHelp("Print text, or the KMS response as JSON for scripts.", valueName: "text|json"))
    var output: OutputFormat = .text
}

/// How a key is shown to people.
enum KeyText {
    static func printMetadata(_ metadata: KMS.KeyMetadata) {
        var rows: [(String, String)] = [
            ("Key id", metadata.keyId),
            ("ARN", metadata.arn ?? "-"),
            ("State", metadata.keyState?.rawValue ?? "-"),
            ("Key spec", (metadata.keySpec ?? metadata.customerMasterKeySpec)?.rawValue ?? "-"),
            ("Usage", metadata.keyUsage?.rawValue ?? "-"),
            ("Description", (metadata.description ?? "").isEmpty ? "(none)" : metadata.description!),
            ("Created", KMSOutput.date(metadata.creationDate)),
        ]
        if let algorithms = metadata.signingAlgorithms, !algorithms.isEmpty {
            rows.append(("Signs with", algorithms.map(\.rawValue).joined(separator: ", ")))
        }
        if let algorithms = metadata.encryptionAlgorithms, !algorithms.isEmpty {
            rows.append(("Encrypts with", algorithms.map(\.rawValue).joined(separator: ", ")))
        }
        if let deletion = metadata.deletionDate {
            rows.append(("Deletion", "\(KMSOutput.date(deletion)) (sigil keys cancel-deletion stops it)"))
        }
        let width = rows.map(\.0.count).max()! + 2
        for (label, value) in rows {
            print((label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value)
        }
    }
}
