import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysAliasDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an alias; the key it named is not affected."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The alias: alias/NAME or NAME.", valueName: "name"))
    var name: String

    func run() async throws {
        let alias = KeysAliasCommand.aliasName(name)
        try await options.keyHolder.connection().call { try await $0.deleteAlias(aliasName: alias) }
        switch options.output {
        case .json: Terminal.printJSON(["AliasName": .string(alias)])
        case .text: print("deleted \(alias)")
        }
    }
}
