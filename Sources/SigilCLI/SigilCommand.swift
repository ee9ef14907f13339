import ArgumentParser
import Sigil
import SigilBuildInfo
import SigilCommands
import SigilKMS

@main
struct SigilCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigil",
        abstract: "Verify signatures and encrypt data offline, with public keys exported from a key holder.",
        discussion: """
            Sigil never needs the private key. Export the public key once (AWS KMS GetPublicKey, \
            or `openssl pkey -pubout`), pin it, and verify anywhere, with no network.

            `keys`, `sign`, `public-key get` and `decrypt --key-id` without a private key talk \
            to a key holder (`sigil-keyholder serve`), configured as the AWS CLI is: \
            --endpoint-url or $SIGIL_ENDPOINT_URL, --region, --profile, $AWS_ACCESS_KEY_ID and \
            $AWS_SECRET_ACCESS_KEY or $AWS_SHARED_CREDENTIALS_FILE and $AWS_PROFILE.
            `sigil-device` is the same tool without them, for field devices.

            Exit codes: 0 success (signature valid), 1 signature invalid, 2 usage or input error.
            """,
        version: BuildInfo.versionText(program: "sigil"),
        subcommands: [
            VerifyCommand.self, PublicKeyCommand.self, EncryptCommand.self, DecryptCommand<KeyHolderOptions>.self,
            InspectCommand.self, SignCommand.self, KeysCommand.self,
        ]
    )

    /// Runs the command line; a key holder's refusal reads as KMS names it: `NotFoundException: ...`.
    static func main() {
        CommandRunner.main(Self.self) { error in (error as? KMSError).map { "error: \($0)" } }
    }
}

struct PublicKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key",
        abstract: "Work with exported public keys.",
        subcommands: [InspectPublicKey.self, PublicKeyGetCommand.self, PublicKeyExportCommand.self]
    )
}
