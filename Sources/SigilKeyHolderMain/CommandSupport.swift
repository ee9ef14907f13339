import ArgumentParser
import Foundation
import SigilCrypto
import SigilKeyStore

/// A failure of a `sigil-keyholder` verb, with its exit status and a one-line reason:
/// 2 for a usage mistake (a bad option value, a directory that is not a key holder's),
/// 1 for everything refused or broken.
struct CommandFailure: Error {
    var status: Int32
    var message: String

    static func usage(_ message: String) -> CommandFailure { CommandFailure(status: 2, message: message) }
    static func failed(_ message: String) -> CommandFailure { CommandFailure(status: 1, message: message) }
}

/// Runs a verb, turning its failures into one line on standard error and an exit code:
/// a ``CommandFailure`` its own, a `SigilError` 2 when it names a bad argument and 1
/// otherwise, anything else 1.
func runVerb(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let failure as CommandFailure {
        writeCommandError(failure.message)
        throw ExitCode(failure.status)
    } catch let error as SigilError {
        writeCommandError(error.message)
        throw ExitCode(error.code == .invalidArgument ? 2 : 1)
    } catch let error as KeyStoreError {
        writeCommandError(error.message)
        throw ExitCode(error.code == .invalidArgument ? 2 : 1)
    } catch {
        writeCommandError("\(error)")
        throw ExitCode(1)
    }
}

/// `sigil-keyholder: error: MESSAGE` on standard error.
func writeCommandError(_ message: String) {
    FileHandle.standardError.write(Data("sigil-keyholder: error: \(message)\n".utf8))
}

/// `--data-dir` and `--database-url`, for the commands that work on a store `serve` made.
struct DataDirectoryOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The key holder's data directory, as given to serve --data-dir.", valueName: "dir"))
    var dataDir: String

    @Option(name: .long, help: databaseURLHelp)
    var databaseUrl: String?

    /// Opens the store, refusing a directory `serve` never initialised (opening would
    /// initialise it).
    ///
    /// - Throws: ``CommandFailure`` (usage) for such a directory or a bad URL; `SigilError`
    ///   when the store does not open.
    func open() throws -> KeyStore {
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true)
        let location = try storeLocation(databaseUrl)
        let files = databaseUrl == nil ? ["root.key", "keyholder.sqlite"] : ["root.key"]
        let initialised = files.allSatisfy {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        guard initialised else {
            throw CommandFailure.usage(
                "\(dataDir) is not a key holder data directory; run sigil-keyholder serve --data-dir \(dataDir) once first "
                    + "(it has no \(files.joined(separator: " and ")))")
        }
        return try KeyStore.open(directory: directory, location: location).store
    }
}

/// The help of `--database-url`, the same for every verb that takes it.
let databaseURLHelp = ArgumentHelp(
    "Keep the store in PostgreSQL, shared with other key holders (postgresql://USER@HOST:PORT/DB?sslmode=...). The password comes from PGPASSWORD, passfile= in the URL, PGPASSFILE or ~/.pgpass, never the URL.",
    valueName: "url")

/// Where `--database-url` puts the store: the data directory without one.
///
/// - Throws: ``CommandFailure`` (usage) for a URL that is not one PostgreSQL reads, or a
///   password file that may not be used.
func storeLocation(_ databaseURL: String?) throws -> StoreLocation {
    guard let databaseURL else { return .dataDirectory }
    do {
        let url = try PostgreSQLURL(databaseURL)
        return .postgreSQL(url, password: try url.password())
    } catch let error as KeyStoreError {
        throw CommandFailure.usage("--database-url: \(error.message)")
    }
}
