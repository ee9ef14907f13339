package import ArgumentParser
import Dispatch
import Glibc
import SigilCore

/// Runs a root command as `sigil` and `sigil-device` do: every failure maps to exit code 2
/// with a one-line reason on standard error (ArgumentParser's own default for usage errors
/// is 64); --help and --version print and exit 0.
///
/// The entry point is synchronous. A verb whose `run` is synchronous (verify, the common
/// case on a device) runs on the main thread and exits: no worker thread is started and the
/// main thread is never unwound. An async `@main` would always park the main thread in
/// `dispatch_main`, whose `pthread_exit` unwinds the main stack through the binary's whole
/// `.eh_frame` before the verb even starts (tools/bench startup: peak RSS and time). A verb
/// that awaits (decrypt's frames on every core, the key holder) runs in a task instead, and
/// the main thread parks as an async `@main` would.
package enum CommandRunner {
    /// - Parameters:
    ///   - root: The root command type.
    ///   - describe: A line for errors the offline verbs do not know (a key holder's refusal).
    package static func main<Root: ParsableCommand>(
        _ root: Root.Type, describe: @escaping @Sendable (any Error) -> String? = { _ in nil }
    ) -> Never {
        let parsed: any ParsableCommand
        do {
            parsed = try Root.parseAsRoot()
        } catch {
            fail(Root.self, error, describe: describe)
        }
        // An AsyncParsableCommand's synchronous `run` only prints its help: test for it first.
        if var command = parsed as? any AsyncParsableCommand {
            Task {
                do {
                    try await command.run()
                } catch {
                    fail(Root.self, error, describe: describe)
                }
                succeed()
            }
            dispatchMain()
        }
        var command = parsed
        do {
            try command.run()
        } catch {
            fail(Root.self, error, describe: describe)
        }
        succeed()
    }

    /// Standard output is fully buffered when it is not a terminal: flush before exit.
    private static func succeed() -> Never {
        fflush(nil)
        exit(ExitStatus.success)
    }

    private static func fail<Root: ParsableCommand>(
        _ root: Root.Type, _ error: any Error, describe: (any Error) -> String?
    ) -> Never {
        fflush(nil)
        if let exitCode = error as? ExitCode {
            exit(exitCode.rawValue)
        }
        if Root.exitCode(for: error) == .success {
            // --help and --version: ArgumentParser prints them and exits 0.
            Root.exit(withError: error)
        }
        let message = (error as? SigilError).map { "error: \($0)" } ?? describe(error) ?? Root.fullMessage(for: error)
        Terminal.writeError(message)
        exit(ExitStatus.inputError)
    }
}
