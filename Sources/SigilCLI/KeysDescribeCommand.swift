import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a key: ARN, state, spec, usage, algorithms, dates.",
        discussion: "--output json prints DescribeKey's KeyMetadata, as `aws kms describe-key` does."
    )

    @OptionGroup var options: KeysCommonOptions

    @Argument(help: ArgumentHelp("The key: id, ARN, alias name or alias ARN.", valueName: "key"))
    var key: String

    func run() async throws {
        let response = try await options.keyHolder.connection().call { try await $0.describeKey(keyId: key) }
        guard let metadata = response.keyMetadata else {
            throw SigilError(.malformedMessage, "the key holder's DescribeKey response has no KeyMetadata")
        }
        switch options.output {
        case .text: KeyText.printMetadata(metadata)
        case .json: try KMSOutput.printJSON(response)
        }
    }
}
