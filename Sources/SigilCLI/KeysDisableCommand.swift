import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable a key: every use of it is refused (DisabledException) until it is enabled.",
        discussion: "Prints the key's new state; --output json prints its KeyMetadata after the change."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The key: id or ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let metadata = try await options.keyHolder.connection().call { client in
            try await client.disableKey(keyId: key)
            return try await client.describeKey(keyId: key)
        }
        try KeyStateChange.report(metadata, output: options.output, verb: "disabled")
    }
}
