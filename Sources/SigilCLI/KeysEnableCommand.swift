import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable a disabled key, so that it may be used again.",
        discussion: "Prints the key's new state; --output json prints its KeyMetadata after the change."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The key: id or ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let metadata = try await options.keyHolder.connection().call { client in
            try await client.enableKey(keyId: key)
            return try await client.describeKey(keyId: key)
        }
        try KeyStateChange.report(metadata, output: options.output, verb: "enabled")
    }
}

/// What enable and disable print: the key and its state after the change.
enum KeyStateChange {
    static func report(_ response: KMS.DescribeKeyResponse, output: OutputFormat, verb: String) throws {
        switch output {
        case .json:
            try KMSOutput.printJSON(response)
        case .text:
            let metadata = response.keyMetadata
            print("\(verb) \(metadata?.arn ?? metadata?.keyId ?? "?") (state: \(metadata?.keyState?.rawValue ?? "?"))")
        }
    }
}
