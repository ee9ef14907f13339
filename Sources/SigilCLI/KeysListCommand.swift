import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the account's keys.",
        discussion: """
            Text: one key per line, its state, key spec, usage and ARN (each key is described). \
            --output json prints ListKeys' Keys (every page), as `aws kms list-keys` does.
            """
    )

    @OptionGroup var options: KeysCommonOptions

    func run() async throws {
        let connection = try options.keyHolder.connection()
        var keys: [KMS.KeyListEntry] = []
        var marker: String?
        repeat {
            let page = try await connection.call { try await $0.listKeys(limit: 1000, marker: marker) }
            keys += page.keys ?? []
            marker = page.truncated == true ? page.nextMarker : nil
        } while marker != nil
        switch options.output {
        case .json:
            try KMSOutput.printJSON(KMS.ListKeysResponse(keys: keys, truncated: false))
        case .text:
            if keys.isEmpty {
                print("(no keys)")
                return
            }
            for entry in keys {
                guard let id = entry.keyArn ?? entry.keyId else { continue }
                let metadata = try await connection.call { try await $0.describeKey(keyId: id).keyMetadata }
                let state = metadata?.keyState?.rawValue ?? "?"
                let spec = (metadata?.keySpec ?? metadata?.customerMasterKeySpec)?.rawValue ?? "?"
                let usage = metadata?.keyUsage?.rawValue ?? "?"
                print(
                    [state.padding(toLength: 16, withPad: " ", startingAt: 0),
                     spec.padding(toLength: 18, withPad: " ", startingAt: 0),
                     usage.padding(toLength: 16, withPad: " ", startingAt: 0), id].joined())
            }
        }
    }
}
