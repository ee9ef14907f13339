import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore

// The `audit` verbs share this file: it is the one file of this target they own.

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check and export the key holder's audit log.",
        discussion: """
            Every request the key holder serves, allowed or not, is an event in a hash-chained \
            log inside its database: each event carries the SHA-256 of the one before it, and \
            a head signed with a key derived from root.key records the last one, so that an \
            event altered, removed, reordered or cut off the end is found by `audit verify`. \
            Events hold no secret: no plaintext, no key material, and of an encryption context \
            only its keys.

            Both verbs read a snapshot of the database and may run while `sigil-keyholder \
            serve` uses the same directory.

            What the log cannot show on its own: someone holding root.key can rewrite it and \
            sign a new head, and someone who can write the database can put back a complete \
            older copy of it (a restored backup). Keep exported events, or the head hash that \
            `audit verify` prints, somewhere else to catch that.
            """,
        subcommands: [AuditVerifyCommand.self, AuditExportCommand.self]
    )
}

// MARK: - Verbs

private struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log end to end.",
        discussion: """
            Walks every event in order and checks its hash, its link to the event before, that \
            the sequence runs from 1 without a gap, and that the signed head names the last \
            event and its MAC verifies under root.key. It reads in constant memory, so logs of \
            millions of events verify.

            Prints `audit log intact: N events, head sha256 HASH` and exits 0, or `audit log \
            broken at event SEQ (request ID): REASON` for the first problem and exits 1 (also \
            when the log cannot be read). Exits 2 for a usage error or a directory that is not \
            a key holder data directory.
            """
    )

    @OptionGroup var options: DataDirectoryOptions

    func run() async throws {
        try runVerb {
            let store = try options.openForAudit()
            let verification: AuditVerification
            do {
                verification = try store.verifyAuditLog()
            } catch let error as KeyStoreError {
                throw CommandFailure.failed("the audit log cannot be read: \(error.message)")
            }
            if let broken = verification.firstBroken {
                let request = broken.requestID.map { " (request \($0))" } ?? ""
                AuditTool.say("audit log broken at event \(broken.seq)\(request): \(broken.reason)")
                throw ExitCode(AuditTool.broken)
            }
            let noun = verification.eventCount == 1 ? "event" : "events"
            AuditTool.say(
                "audit log intact: \(verification.eventCount) \(noun), head sha256 \(Hex.lowercase(verification.headHash))")
        }
    }
}

private struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the audit log as CloudTrail records, one JSON object per line.",
        discussion: """
            Each line is a CloudTrail record (eventVersion 1.08: userIdentity, eventTime, \
            eventSource kms.amazonaws.com, eventName, requestParameters with the key, the \
            algorithm and the encryption context's keys, errorCode, requestID, eventID, \
            resources, …) plus `sigilSequence` and `sigilHash`, which tie it to its place in \
            the chain. Lines come oldest first; --after SEQ starts after a sequence number, so \
            that a shipper can pick up where it left off.

            Export does not verify: run `audit verify` for that. With -o the lines go to a \
            temporary file beside FILE, renamed over it once complete, so FILE is never half \
            written. The number of events exported is printed on standard error.

            Exits 0 when done, 1 when the log cannot be read or the output written, 2 for a \
            usage error or a directory that is not a key holder data directory.
            """
    )

    @OptionGroup var options: DataDirectoryOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file, not standard output.", valueName: "file"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Only events after this sequence number.", valueName: "seq"))
    var after: Int64?

    func validate() throws {
        if let after, after < 0 {
            throw ValidationError("--after takes a sequence number (0 or more), not \(after)")
        }
        if let output, output.isEmpty || output.hasSuffix("/") {
            throw ValidationError("-o takes a file name, not '\(output)'")
        }
    }

    func run() async throws {
        try runVerb {
            let store = try options.openForAudit()
            let start = after
            let count: Int
            if let output {
                count = try exportToFile(store, path: output, after: start)
            } else {
                count = try export(store, to: .standardOutput, after: start)
            }
            let noun = count == 1 ? "event" : "events"
            AuditTool.writeLine("exported \(count) audit \(noun)" + (output.map { " to \($0)" } ?? ""))
        }
    }

    private func export(_ store: KeyStore, to handle: FileHandle, after: Int64?) throws -> Int {
        do {
            return try store.exportAuditLog(to: handle, after: after)
        } catch let error as KeyStoreError {
            throw CommandFailure.failed(error.message)
        } catch let error as SigilError {
            throw CommandFailure.failed(error.message)
        }
    }

    /// Writes a temporary file beside `path`, fsyncs it, and renames it over `path`.
    private func exportToFile(_ store: KeyStore, path: String, after: Int64?) throws -> Int {
        let destination = URL(fileURLWithPath: path)
        let folder = destination.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CommandFailure.usage("cannot create a file in \(folder.path) (for -o \(path))")
        }
        var renamed = false
        defer { if !renamed { unlink(temporary.path) } }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: temporary)
        } catch {
            throw CommandFailure.failed("cannot open \(temporary.path): \(error.localizedDescription)")
        }
        let count: Int
        do {
            defer { try? handle.close() }
            count = try export(store, to: handle, after: after)
            do {
                try handle.synchronize()
            } catch {
                throw CommandFailure.failed("cannot flush \(temporary.path) to disk: \(error.localizedDescription)")
            }
        }
        guard rename(temporary.path, destination.path) == 0 else {
            throw CommandFailure.failed(
                "cannot move the export into place at \(path): \(String(cString: strerror(errno)))")
        }
        renamed = true
        return count
    }
}

// MARK: - Shared options

extension DataDirectoryOptions {
    /// Opens the store for the audit commands, for which a store that does not open is a
    /// usage mistake (exit 2), not a broken log.
    fileprivate func openForAudit() throws -> KeyStore {
        do {
            return try open()
        } catch let error as KeyStoreError {
            throw CommandFailure.usage("cannot open the key holder data directory \(dataDir): \(error.message)")
        } catch let error as SigilError {
            throw CommandFailure.usage("cannot open the key holder data directory \(dataDir): \(error.message)")
        }
    }
}

// MARK: - Failures and output

private enum AuditTool {
    static let broken: Int32 = 1

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func writeLine(_ line: String) {
        FileHandle.standardError.write(Data("sigil-keyholder: \(line)\n".utf8))
    }
}
