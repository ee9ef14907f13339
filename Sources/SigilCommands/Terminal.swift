internal import ArgumentParser
internal import FoundationEssentials
import Glibc
internal import SigilCore
internal import SigilCrypto

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
