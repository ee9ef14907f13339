import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key in the key holder.",
        discussion: """
            Key specs and the usages they take:
              SYMMETRIC_DEFAULT                   ENCRYPT_DECRYPT (the default)
              RSA_2048, RSA_3072, RSA_4096        ENCRYPT_DECRYPT or SIGN_VERIFY
              ECC_NIST_P256, _P384, _P521         SIGN_VERIFY
              ECC_SECG_P256K1                     SIGN_VERIFY

            With no --key-usage, asymmetric ECC keys get SIGN_VERIFY and every other spec \
            ENCRYPT_DECRYPT, as KMS defaults them. Prints the new key; --output json prints \
            CreateKey's KeyMetadata.

            Examples:
              sigil keys create --key-spec RSA_3072 --description "device uploads"
              sigil keys create --key-spec ECC_NIST_P256 --tag team=release \\
                                --tag env=prod --output json
            """
    )

    @OptionGroup var options: KeysCommonOptions

    @Option(name: .long, help: ArgumentHelp("The key spec (default SYMMETRIC_DEFAULT).", valueName: "spec"))
    var keySpec: String = "SYMMETRIC_DEFAULT"

    @Option(name: .long, help: ArgumentHelp("ENCRYPT_DECRYPT or SIGN_VERIFY.", valueName: "usage"))
    var keyUsage: String?

    @Option(name: .long, help: ArgumentHelp("A description for people.", valueName: "text"))
    var description: String?

    @Option(name: .long, help: ArgumentHelp("A tag; repeat for more.", valueName: "key=value"))
    var tag: [String] = []

    func run() async throws {
        let usage = keyUsage ?? (keySpec.uppercased().hasPrefix("ECC_") ? "SIGN_VERIFY" : "ENCRYPT_DECRYPT")
        var tags: [KMS.Tag] = []
        for item in tag {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw SigilError(.invalidArgument, "--tag takes KEY=VALUE, not '\(item)'")
            }
            let key = String(item[..<equals])
            guard !tags.contains(where: { $0.tagKey == key }) else {
                throw SigilError(.invalidArgument, "--tag gives '\(key)' twice")
            }
            tags.append(KMS.Tag(tagKey: key, tagValue: String(item[item.index(after: equals)...])))
        }
        let request = KMS.CreateKeyRequest(
            description: description, keyUsage: KMS.KeyUsage(rawValue: usage.uppercased()),
            keySpec: KMS.KeySpec(rawValue: keySpec.uppercased()), tags: tags.isEmpty ? nil : tags)
        let response = try await options.keyHolder.connection().call { try await $0.createKey(request) }
        guard let metadata = response.keyMetadata else {
            throw SigilError(.malformedMessage, "the key holder's CreateKey response has no KeyMetadata")
        }
        switch options.output {
        case .text: KeyText.printMetadata(metadata)
        case .json: try KMSOutput.printJSON(response)
        }
    }
}
