import Foundation
import SigilKMS
import SigilTestSupport
import Testing

/// The data directory is its owner's alone: made private by serve, refused when it is not.
@Suite struct DataDirectoryPermissionTests {
    func mode(_ url: URL) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: url.path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func keyholder(_ arguments: [String]) async throws -> TestSupport.ProcessOutput {
        try await TestSupport.run(ServeProcess.executable, arguments)
    }

    /// Starts serve on a data directory that another serve initialised, and expects a
    /// refusal: one line naming the path, the mode found and the fix; exit 1; nothing served.
    func expectServeRefused(_ directory: URL, saying expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let port = try KeyHolderProcess.freePort()
        let refused = try await ServeProcess(dataDirectory: directory, ["--listen", "127.0.0.1:\(port)"])
        defer { refused.kill() }
        #expect(refused.status == 1, "exit \(String(describing: refused.status)): \(refused.log)", sourceLocation: sourceLocation)
        #expect(
            refused.log == "sigil-keyholder: error: \(expected)\n", "\(refused.log)", sourceLocation: sourceLocation)
        #expect(throws: (any Error).self, "something listens on \(port)", sourceLocation: sourceLocation) {
            _ = try RawConnection(port: port, timeout: .milliseconds(500))
        }
    }

    @Test func aFreshDataDirectoryIs0700AndEveryFileInIt0600() async throws {
        // A directory that does not exist yet, in a temporary folder that is 0755.
        let server = try await ServeProcess(["--listen", "127.0.0.1:0"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        // Write something, so that the WAL and its index exist and hold data.
        _ = try await server.client().createKey(KMS.CreateKeyRequest())
        let directory = server.dataDirectory
        #expect(try mode(directory) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in ["credentials", "keyholder.sqlite", "keyholder.sqlite-shm", "keyholder.sqlite-wal", "root.key"] {
            #expect(files.contains(name), "\(name) missing from \(files)")
        }
        for name in files {
            #expect(try mode(directory.appendingPathComponent(name)) == 0o600, "\(name) is not 0600")
        }
        print("private data directory: 700 and \(files.count) files at 600: \(files.joined(separator: ", "))")

        // The audit command's export, under the same umask, is private too.
        let export = directory.deletingLastPathComponent().appendingPathComponent("audit.jsonl")
        let exported = try await keyholder(["audit", "export", "--data-dir", directory.path, "-o", export.path])
        #expect(exported.status == 0, "\(exported.stderrText)")
        #expect(try mode(export) == 0o600)
    }

    @Test func anEmptyDirectoryMadeReadyBeforehandIsMadePrivate() async throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let server = try await ServeProcess(dataDirectory: directory, ["--listen", "127.0.0.1:0"])
        defer { server.kill() }
        #expect(server.isListening, "\(server.log)")
        #expect(try mode(directory) == 0o700)
    }

    @Test func aDataDirectoryOthersCanReadIsRefused() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        server.kill()
        let directory = server.dataDirectory
        let path = directory.path

        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        try await expectServeRefused(
            directory,
            saying: "the data directory \(path) has mode 755, which lets other users read it: it must be 700 (chmod 700 \(path)) — refusing to start")
        try FileManager.default.setAttributes([.posixPermissions: 0o770], ofItemAtPath: path)
        try await expectServeRefused(
            directory,
            saying: "the data directory \(path) has mode 770, which lets other users read and change it: it must be 700 (chmod 700 \(path)) — refusing to start")
        // The other verbs on the same directory refuse it too, each with its own exit
        // status for a store that does not open (audit calls that a usage mistake).
        for (verb, status) in [(["principals", "list"], Int32(1)), (["audit", "verify"], 2)] {
            let refused = try await keyholder(verb + ["--data-dir", path])
            #expect(refused.status == status && refused.stderrText.contains("chmod 700 \(path)"), "\(verb): \(refused.stderrText)")
        }

        // chmod 700, as the message says: served again.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        let again = try await ServeProcess(dataDirectory: directory, ["--listen", "127.0.0.1:0"])
        defer { again.kill() }
        #expect(again.isListening, "\(again.log)")
    }

    @Test func aRootKeyOthersCanReadIsRefused() async throws {
        let server = try await ServeProcess(["--listen", "127.0.0.1:0"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        server.kill()
        let rootKey = server.dataDirectory.appendingPathComponent("root.key").path

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: rootKey)
        try await expectServeRefused(
            server.dataDirectory,
            saying: "the root key \(rootKey) has mode 644, which lets other users read it: it must be 600 (chmod 600 \(rootKey)) — refusing to start")
        try FileManager.default.setAttributes([.posixPermissions: 0o620], ofItemAtPath: rootKey)
        try await expectServeRefused(
            server.dataDirectory,
            saying: "the root key \(rootKey) has mode 620, which lets other users change it: it must be 600 (chmod 600 \(rootKey)) — refusing to start")
    }

    @Test func aDataDirectoryOwnedByAnotherUserIsRefused() async throws {
        guard geteuid() == 0 else {
            print("skipping the other-owner case: only root can give a directory away")
            return
        }
        let server = try await ServeProcess(["--listen", "127.0.0.1:0"])
        defer { server.remove() }
        try #require(server.isListening, "\(server.log)")
        server.kill()
        let path = server.dataDirectory.path
        guard chown(path, 65534, 65534) == 0 else { throw TestFailure("chown: \(String(cString: strerror(errno)))") }
        try await expectServeRefused(
            server.dataDirectory,
            saying: "the data directory \(path) belongs to user 65534, not to this process's user 0: "
                + "run the key holder as its owner, or chown -R 0 \(path) — refusing to start")
    }
}
