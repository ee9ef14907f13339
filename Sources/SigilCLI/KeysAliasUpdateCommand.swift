import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysAliasUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Point an existing alias at another key (of the same type and usage)."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The alias: alias/NAME or NAME.", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("The new target key: id or ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let alias = KeysAliasCommand.aliasName(name)
        try await options.keyHolder.connection().call { try await $0.updateAlias(aliasName: alias, targetKeyId: key) }
        KeysAliasCommand.report(alias, key: key, output: options.output, verb: "updated")
    }
}
