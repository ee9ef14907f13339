import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysAliasCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an alias for a key (AlreadyExistsException if the name is taken)."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The alias: alias/NAME or NAME.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("The key: id or ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let alias = KeysAliasCommand.aliasName(name)
        try await options.keyHolder.connection().call { try await $0.createAlias(aliasName: alias, targetKeyId: key) }
        KeysAliasCommand.report(alias, key: key, output: options.output, verb: "created")
    }
}
