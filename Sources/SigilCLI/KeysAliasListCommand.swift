import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysAliasListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List aliases: all of the account's, or one key's.",
        discussion: "Text: the alias and its target key id per line. --output json prints ListAliases' Aliases (every page)."
    )

    @OptionGroup var options: KeysCommonOptions

    @Option(name: .long, help: ArgumentHelp("Only the aliases of this key (id or ARN).", valueName: "key"))
    var keyId: String?

    func run() async throws {
        let connection = try options.keyHolder.connection()
        var aliases: [KMS.AliasListEntry] = []
        var marker: String?
        repeat {
            let page = try await connection.call { try await $0.listAliases(keyId: keyId, limit: 100, marker: marker) }
            aliases += page.aliases ?? []
            marker = page.truncated == true ? page.nextMarker : nil
        } while marker != nil
        switch options.output {
        case .json:
            try KMSOutput.printJSON(KMS.ListAliasesResponse(aliases: aliases, truncated: false))
        case .text:
            if aliases.isEmpty { print("(no aliases)") }
            let width = max(24, (aliases.compactMap { $0.aliasName?.count }.max() ?? 0) + 2)
            for alias in aliases {
                let name = alias.aliasName ?? "?"
                print(name.padding(toLength: width, withPad: " ", startingAt: 0) + (alias.targetKeyId ?? "-"))
            }
        }
    }
}
