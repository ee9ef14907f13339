import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysCancelDeletionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel-deletion",
        abstract: "Cancel a key's scheduled deletion; the key is left Disabled.",
        discussion: "Enable it with `sigil keys enable` to use it again."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The key: id or ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let response = try await options.keyHolder.connection().call { try await $0.cancelKeyDeletion(keyId: key) }
        switch options.output {
        case .json:
            try KMSOutput.printJSON(response)
        case .text:
            print("deletion cancelled for \(response.keyId ?? key); it is Disabled until `sigil keys enable`")
        }
    }
}
