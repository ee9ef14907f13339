import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysAliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Name keys with aliases (alias/NAME) and list them.",
        discussion: """
            An alias is a stable name for a key: alias/NAME works wherever a key is used, and \
            `alias update` points it at another key (a new key for new data) without changing \
            the clients. NAME may be given with or without the alias/ prefix.
            """,
        subcommands: [KeysAliasCreateCommand.self, KeysAliasUpdateCommand.self, KeysAliasDeleteCommand.self, KeysAliasListCommand.self]
    )

    /// `NAME` or `alias/NAME`, as KMS wants it: `alias/NAME`.
    static func aliasName(_ name: String) -> String {
        name.hasPrefix("alias/") ? name : "alias/\(name)"
    }

    /// What create and update print.
    static func report(_ alias: String, key: String, output: OutputFormat, verb: String) {
        switch output {
        case .json: Terminal.printJSON(["AliasName": .string(alias), "TargetKeyId": .string(key)])
        case .text: print("\(verb) \(alias) -> \(key)")
        }
    }
}
