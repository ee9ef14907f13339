import ArgumentParser
import Foundation
import Sigil
import SigilKMS

@main
struct SigilCommand: AsyncParsableCommand {
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

            Exit codes: 0 success (signature valid), 1 signature invalid, 2 usage or input error.
            """,
        subcommands: [
            VerifyCommand.self, PublicKeyCommand.self, EncryptCommand.self, DecryptCommand.self, InspectCommand.self,
            SignCommand.self, KeysCommand.self,
        ]
    )

    /// Runs the command line, mapping every failure to exit code 2 with a one-line
    /// reason on standard error (ArgumentParser's own default for usage errors is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                // --help and --version: ArgumentParser prints them and exits 0.
                self.exit(withError: error)
            }
            // A key holder's refusal reads as KMS names it: `NotFoundException: ...`.
            let message = (error as? SigilError).map { "error: \($0)" } ?? (error as? KMSError).map { "error: \($0)" }
                ?? fullMessage(for: error)
            Terminal.writeError(message)
            Foundation.exit(ExitStatus.inputError)
        }
    }
}

/// The exit codes every verb shares.
enum ExitStatus {
    static let success: Int32 = 0
    static let invalidSignature: Int32 = 1
    static let inputError: Int32 = 2
}

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

enum Terminal {
    /// Writes `message` and a newline to standard error, prefixed with the tool's name.
    static func writeError(_ message: String) {
        let line = message.hasPrefix("Error:") || message.hasPrefix("error:") ? message : "error: \(message)"
        FileHandle.standardError.write(Data("sigil: \(line.trimmingCharacters(in: .newlines))\n".utf8))
    }

    /// Prints a JSON object on standard output, keys sorted so scripts can diff it.
    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
