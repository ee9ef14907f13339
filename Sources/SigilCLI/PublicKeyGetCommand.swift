import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct PublicKeyGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Export a key's public key from the key holder (KMS GetPublicKey), to pin and use offline.",
        discussion: """
            Writes the DER SubjectPublicKeyInfo that GetPublicKey returns, or the same key as PEM, \
            and prints the key spec and SHA-256 fingerprint (what `sigil public-key inspect` and \
            signature documents show). The file appears only once it is complete.

            The key holder is configured as for `sigil keys` (--endpoint-url, --region, \
            --profile, AWS credentials).

            Example:
              sigil public-key get --key-id alias/releases --format pem -o releases.pem
            """
    )

    @OptionGroup var keyHolder: KeyHolderOptions

    @Option(name: .long, help: ArgumentHelp("The key: id, ARN, alias name or alias ARN.", valueName: "key"))
    var keyId: String

    @Option(name: .long, help: ArgumentHelp("der (the bytes GetPublicKey returns) or pem (default).", valueName: "der|pem"))
    var format: String = "pem"

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the key; - for standard output.", valueName: "file"))
    var output: String

    func validate() throws {
        guard ["der", "pem"].contains(format.lowercased()) else {
            throw ValidationError("--format is der or pem, not '\(format)'")
        }
    }

    func run() async throws {
        let response = try await keyHolder.connection().call { try await $0.getPublicKey(keyId: keyId) }
        guard let der = response.publicKey?.bytes, !der.isEmpty else {
            throw SigilError(.malformedKey, "the key holder's GetPublicKey response for \(keyId) has no PublicKey")
        }
        let key = try PublicKey(derRepresentation: der)
        let bytes = format.lowercased() == "der" ? der : Array(key.pemRepresentation.utf8)
        let sink = try OutputFile(path: output, private: false)
        do {
            try bytes.withUnsafeBytes { try sink.write($0) }
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
        guard output != "-" else { return }
        let spec = response.keySpec?.rawValue ?? key.keySpec?.kmsName ?? "?"
        let usage = response.keyUsage?.rawValue ?? "?"
        print("wrote \(output): \(spec) \(usage) public key of \(response.keyId ?? keyId), SHA256:\(key.fingerprint)")
    }
}
