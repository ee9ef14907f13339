import ArgumentParser
import SigilCommands
import SigilBuildInfo
import SigilCore

/// `sigil` without the key-holder client: the offline verbs only, for field devices. It
/// links SigilCore (FoundationEssentials) and libcrypto, and no networking at all.
@main
struct SigilDeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil-device",
        abstract: "Verify signatures and encrypt data offline, with pinned public keys: Sigil for field devices.",
        discussion: """
            The offline verbs of `sigil`, with the same options and output: verify (signatures, \
            signature documents and envelopes), encrypt, decrypt with a private key, inspect and \
            public-key inspect. There is no key-holder client here: signing, key management and \
            decryption through the key holder are `sigil`'s.

            Exit codes: 0 success (signature valid), 1 signature invalid, 2 usage or input error.
            """,
        version: BuildInfo.versionText(program: "sigil-device"),
        subcommands: [
            VerifyCommand.self, PublicKeyCommand.self, EncryptCommand.self, DecryptCommand<NoKeyHolder>.self,
            InspectCommand.self,
        ]
    )

    /// Synchronous: CommandRunner says why.
    static func main() {
        CommandRunner.main(Self.self)
    }
}

struct PublicKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key",
        abstract: "Work with exported public keys.",
        subcommands: [InspectPublicKey.self]
    )
}
