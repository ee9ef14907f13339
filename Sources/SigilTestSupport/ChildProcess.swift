public import Foundation
internal import SigilCrypto
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A program a test starts and talks to while it runs (a key holder, an echo server):
/// started with swift-subprocess, its standard output and error gathered into ``log``,
/// stopped with SIGKILL.
///
/// Nothing here blocks a thread of Swift's cooperative pool while the child runs: the
/// output is read and the exit awaited by swift-subprocess's own machinery. Foundation's
/// `Process` was dropped for that, and because its launch on Linux could read past a
/// buffer (`findMaximumOpenFromProcSelfFD`) and crash the whole test run.
public final class ChildProcess: Sendable {
    private struct State {
        var processID: pid_t?
        var output: [UInt8] = []
        /// The exit code, or 128 + the signal that ended it, once it has ended.
        var status: Int32?
        var launchFailure: String?
    }

    private let state: Locked<State>
    private let waiter: Task<Void, Never>
    /// The command line, for messages.
    public let commandLine: String

    /// Starts `executable` (an absolute path) with `arguments`, its standard input empty.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws {
        let state = Locked(State())
        self.state = state
        commandLine = ([executable] + arguments).joined(separator: " ")
        waiter = Task.detached {
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments),
                    environment: subprocessEnvironment(environment), input: .none, output: .sequence,
                    error: .combinedWithOutput
                ) { execution in
                    state.withLock { $0.processID = execution.processIdentifier.value }
                    for try await buffer in execution.standardOutput {
                        buffer.withUnsafeBytes { bytes in state.withLock { $0.output += bytes } }
                    }
                }
                state.withLock { $0.status = TestSupport.exitCode(result.terminationStatus) }
            } catch {
                state.withLock {
                    $0.launchFailure = "\(error)"
                    $0.status = $0.status ?? -1
                }
            }
        }
        while state.withLock({ $0.processID == nil && $0.status == nil }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        if let failure = state.withLock({ $0.launchFailure }), state.withLock({ $0.processID }) == nil {
            throw TestFailure("could not start \(commandLine): \(failure)")
        }
    }

    /// Everything the process printed so far, standard output and error interleaved.
    public var log: String { state.withLock { String(decoding: $0.output, as: UTF8.self) } }

    public var isRunning: Bool { state.withLock { $0.status == nil } }

    /// The exit code (or 128 + the signal that ended it), once it has ended and its output
    /// has been read to the end.
    public var status: Int32? { state.withLock { $0.status } }

    /// Waits until `condition` holds for the log, or the process ends, or `timeout` passes.
    ///
    /// - Returns: Whether the condition held.
    public func waitForLog(timeout: Duration, _ condition: (String) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(log) { return true }
            if !isRunning { return condition(log) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition(log)
    }

    /// Waits until the process has ended and its output has been read.
    ///
    /// - Returns: Its exit code, as ``status``.
    @discardableResult
    public func waitForExit() async -> Int32 {
        await waiter.value
        return status ?? -1
    }

    /// Stops the process at once (SIGKILL), as a crash would, and returns once the kernel
    /// has ended it: its descriptors and file locks are released, so a test may start
    /// another process on the same files straight away.
    ///
    /// Usable from `defer` and `deinit`: it blocks the calling thread, for the few
    /// milliseconds a killed process takes to die.
    public func kill() {
        guard let processID = state.withLock({ $0.status == nil ? $0.processID : nil }) else { return }
        _ = Glibc.kill(processID, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.isAlive(processID), ContinuousClock.now < deadline { usleep(1000) }
    }

    deinit { kill() }

    /// Whether `processID` names a process that has not died: not gone and not a zombie
    /// (`/proc/PID/stat`'s state field is after the command name, which may contain spaces).
    private static func isAlive(_ processID: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}

/// This process's environment with `overrides` set on top.
private func subprocessEnvironment(_ overrides: [String: String]) -> Environment {
    var keyed: [Environment.Key: String?] = [:]
    for (name, value) in overrides {
        guard let key = Environment.Key(rawValue: name) else { continue }
        keyed[key] = value
    }
    return .inherit.updating(keyed)
}

extension TestSupport {
    /// Runs an executable to completion, feeding it `input` on standard input, without
    /// blocking a thread of Swift's cooperative pool while it runs.
    ///
    /// - Parameters:
    ///   - executable: An absolute path, or a name looked up on `PATH`.
    ///   - arguments: Its arguments.
    ///   - input: Bytes for its standard input; it gets an empty one when `nil`.
    ///   - environment: Variables to set on top of this process's environment.
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
    ) async throws -> ProcessOutput {
        let program: Executable = executable.hasPrefix("/") ? .path(FilePath(executable)) : .name(executable)
        let limit = 256 * 1024 * 1024
        let result = try await Subprocess.run(
            program, arguments: Arguments(arguments),
            environment: subprocessEnvironment(environment), input: .data(input ?? Data()), output: .data(limit: limit), error: .data(limit: limit))
        return ProcessOutput(
            status: exitCode(result.terminationStatus), standardOutput: result.standardOutput,
            standardError: result.standardError)
    }

    /// A termination status as a shell reports it: the exit code, or 128 + the signal.
    static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return Int32(code)
        case .signaled(let signal): return 128 + Int32(signal)
        }
    }
}
