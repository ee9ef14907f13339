package import ArgumentParser
package import FoundationEssentials
import Glibc
package import SigilCore
package import SigilCrypto

/// The exit codes every verb shares.
package enum ExitStatus {
    package static let success: Int32 = 0
    package static let invalidSignature: Int32 = 1
    package static let inputError: Int32 = 2
}

/// How results are printed.
package enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

package enum Terminal {
    /// Writes `message` and a newline to standard error, prefixed with the tool's name.
    package static func writeError(_ message: String) {
        let line = message.hasPrefix("Error:") || message.hasPrefix("error:") ? message : "error: \(message)"
        writeStandardError("sigil: \(line.trimmingCharacters(where: \.isNewline))\n")
    }

    /// Writes `text` as it is to standard error (a progress bar, a note).
    package static func writeStandardError(_ text: String) {
        write(STDERR_FILENO, Array(text.utf8))
    }

    /// Prints a JSON object on standard output, keys sorted so scripts can diff it.
    package static func printJSON(_ object: [String: JSONValue]) {
        write(STDOUT_FILENO, JSONValue.object(object).encoded() + [UInt8(ascii: "\n")])
    }

    /// Writes bytes to a descriptor; a closed terminal is not worth an error of its own.
    private static func write(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { try? FileIO.write(descriptor, $0) }
    }
}

/// Runs a root command as `sigil` and `sigil-device` do: every failure maps to exit code 2
/// with a one-line reason on standard error (ArgumentParser's own default for usage errors
/// is 64); --help and --version print and exit 0.
package enum CommandRunner {
    /// - Parameters:
    ///   - root: The root command type.
    ///   - describe: A line for errors the offline verbs do not know (a key holder's refusal).
    package static func main<Root: ParsableCommand>(
        _ root: Root.Type, describe: @Sendable (any Error) -> String? = { _ in nil }
    ) async -> Never {
        do {
            var command = try Root.parseAsRoot()
            // Standard output is fully buffered when it is not a terminal; flush before exit.
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            fflush(nil)
            Glibc.exit(ExitStatus.success)
        } catch let exit as ExitCode {
            fflush(nil)
            Glibc.exit(exit.rawValue)
        } catch {
            fflush(nil)
            if Root.exitCode(for: error) == .success {
                // --help and --version: ArgumentParser prints them and exits 0.
                Root.exit(withError: error)
            }
            let message = (error as? SigilError).map { "error: \($0)" } ?? describe(error) ?? Root.fullMessage(for: error)
            Terminal.writeError(message)
            Glibc.exit(ExitStatus.inputError)
        }
    }
}
