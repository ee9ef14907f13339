import Foundation
import SigilKMS
import SigilTestSupport
import Testing

/// A `sigil-keyholder serve` started by a test: a fresh data directory, a free loopback
/// port, and the environment that points `sigil`, `aws` and boto3 at it.
///
/// Stopped with SIGKILL (a test runner may ignore SIGTERM in its children), at `stop()`
/// or when the object goes away.
final class KeyHolderServer: @unchecked Sendable {
    // `@unchecked Sendable`: immutable once `init` returns; the process is stopped by the
    // test that owns the object.
    /// A scratch folder for the test's files, removed by `stop()`.
    let folder: URL
    private let process: KeyHolderProcess

    static let sigil = TestSupport.productsDirectory.appendingPathComponent("sigil").path

    var dataDirectory: URL { process.dataDirectory }
    var port: Int { process.port }
    var endpoint: String { process.endpoint.absoluteString }
    var credentialsFile: String { process.credentialsFile.path }

    /// Starts a key holder; `prepare` runs first, in the scratch folder (to make files
    /// the server's arguments name), and returns extra `serve` arguments.
    init(prepare: (URL) async throws -> [String] = { _ in [] }) async throws {
        folder = try TestSupport.temporaryDirectory()
        do {
            process = try await KeyHolderProcess.start(
                dataDirectory: folder.appendingPathComponent("keyholder-data"), extraArguments: try await prepare(folder))
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// What the key holder printed so far.
    var log: String { process.log }

    /// Kills the key holder and removes its files.
    func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The variables that point clients at this key holder; every other `AWS_*` and
    /// `SIGIL_ENDPOINT_URL` of the test's own environment is removed, so a developer's
    /// AWS setup cannot leak in.
    var clientEnvironment: [String: String] {
        [
            "SIGIL_ENDPOINT_URL": endpoint,
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile,
            "AWS_CONFIG_FILE": folder.appendingPathComponent("no-aws-config").path,
            "AWS_DEFAULT_REGION": "us-east-1",
        ]
    }

    /// Runs an executable with `clientEnvironment` (plus `extra`), through `env`.
    func run(
        _ executable: String, _ arguments: [String], extra: [String: String] = [:], unset: [String] = [],
        input: Data? = nil
    ) async throws -> TestSupport.ProcessOutput {
        let inherited = ProcessInfo.processInfo.environment.keys.filter {
            $0.hasPrefix("AWS_") || $0 == "SIGIL_ENDPOINT_URL"
        }
        var settings = clientEnvironment.merging(extra) { $1 }
        for name in unset { settings.removeValue(forKey: name) }
        let envArguments = (inherited + unset).flatMap { ["-u", $0] }
            + settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try await TestSupport.run("/usr/bin/env", envArguments + [executable] + arguments, input: input)
    }

    /// Runs the built `sigil` against this key holder.
    func sigil(_ arguments: [String], extra: [String: String] = [:], unset: [String] = [], input: Data? = nil) async throws
        -> TestSupport.ProcessOutput
    {
        try await run(Self.sigil, arguments, extra: extra, unset: unset, input: input)
    }

    /// A SigilKMS client with the key holder's own credentials, for checks behind the CLI's back.
    func client() throws -> KMSClient {
        let credentials = try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile])
            .credentials()
        return KMSClient(endpoint: URL(string: endpoint)!, region: "us-east-1", credentials: credentials)
    }

    /// Writes a file in the scratch folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: some DataProtocol) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

extension TestSupport.ProcessOutput {
    /// The JSON object `sigil ... --output json` printed.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: standardOutput) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(stdoutText)")
        }
        return object
    }

    /// Standard error's lines, without the empty last one.
    var stderrLines: [String] { stderrText.split(separator: "\n").map(String.init) }
}
