import Foundation
import SigilCrypto
import SigilKMS
import SigilKeyStore
import SigilTestSupport
import Testing

/// `sigil-keyholder principals …`, run as the built binary on real data directories.
@Suite("Principals command", .serialized)
struct PrincipalsCommandTests {
    static let account = "111122223333"
    static let otherAccount = "444455556666"

    /// A data directory initialised as `serve` initialises one, and a scratch folder beside it.
    struct Directory {
        let data: URL
        let scratch: URL

        init() throws {
            scratch = try TestSupport.temporaryDirectory()
            data = scratch.appendingPathComponent("data")
            _ = try KeyStore.open(directory: data)
        }

        /// A store of the test's own over the directory, as a second process would have.
        func store() throws -> KeyStore { try KeyStore.open(directory: data).store }

        func file(_ name: String, _ contents: String) throws -> URL {
            let url = scratch.appendingPathComponent(name)
            try Data(contents.utf8).write(to: url)
            return url
        }

        func remove() { try? FileManager.default.removeItem(at: scratch) }
    }

    func keyholder(_ arguments: [String]) async throws -> TestSupport.ProcessOutput {
        try await TestSupport.run(TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path, arguments)
    }

    func principals(_ verb: String, _ directory: Directory, _ arguments: [String]) async throws -> TestSupport.ProcessOutput {
        try await keyholder(["principals", verb, "--data-dir", directory.data.path] + arguments)
    }

    /// The value of a `Name: value` line of the output.
    func field(_ name: String, in output: TestSupport.ProcessOutput) -> String? {
        output.stdoutText.split(separator: "\n").first { $0.hasPrefix("\(name): ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    func credentials(in file: URL, profile: String) throws -> AWSCredentials {
        try AWSConfiguration(environment: [
            "AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_CONFIG_FILE": "/nonexistent/sigil-test-config",
        ]).credentials(profile: profile)
    }

    func mode(of url: URL) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: url.path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static let goodPolicy = """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}
        """

    // MARK: - add

    @Test("add --credentials-file writes the profile (0600), keeps the others, and prints no secret")
    func addWritesACredentialsFile() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let other = "[other]\naws_access_key_id = AKIAOTHEROTHEROTHER0\naws_secret_access_key = other-secret\nregion = eu-west-1\n"
        let file = try directory.file("credentials", other)
        #expect(chmod(file.path, 0o644) == 0)

        let added = try await principals("add", directory, ["--user", "alice", "--credentials-file", file.path, "--profile", "alice"])
        #expect(added.status == 0, "\(added.stderrText)")
        #expect(field("Arn", in: added) == "arn:aws:iam::111122223333:user/alice")
        let id = try #require(field("AccessKeyId", in: added))
        #expect(field("SecretAccessKey", in: added) == nil)
        #expect(try mode(of: file) == 0o600)

        let written = try credentials(in: file, profile: "alice")
        #expect(written.accessKeyId == id)
        let stored = try #require(try directory.store().credential(accessKeyID: id))
        #expect(written.secretAccessKey == stored.secretAccessKey)
        #expect(stored.principal == "arn:aws:iam::111122223333:user/alice" && stored.principalKind == .user)
        let secret = String(decoding: stored.secretAccessKey.unsafeBytes, as: UTF8.self)
        #expect(!added.stdoutText.contains(secret) && !added.stderrText.contains(secret))

        let kept = try credentials(in: file, profile: "other")
        #expect(kept.accessKeyId == "AKIAOTHEROTHEROTHER0")
        #expect(String(decoding: kept.secretAccessKey.unsafeBytes, as: UTF8.self) == "other-secret")
        #expect(try String(contentsOf: file, encoding: .utf8).hasPrefix(other), "the other profile is untouched, region included")

        // rotate-key into the same profile replaces its key in place.
        let rotated = try await principals(
            "rotate-key", directory,
            ["--arn", "arn:aws:iam::111122223333:user/alice", "--credentials-file", file.path, "--profile", "alice"])
        #expect(rotated.status == 0, "\(rotated.stderrText)")
        let newID = try #require(field("AccessKeyId", in: rotated))
        #expect(newID != id)
        #expect(try credentials(in: file, profile: "alice").accessKeyId == newID)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.components(separatedBy: "[alice]").count == 2, "one [alice] section")
        #expect(text.components(separatedBy: "aws_access_key_id").count == 3, "one key per profile")
        #expect(try credentials(in: file, profile: "other").accessKeyId == "AKIAOTHEROTHEROTHER0")
        #expect(try directory.store().credential(accessKeyID: id)?.isActive == false)
        #expect(try directory.store().credential(accessKeyID: newID)?.isActive == true)
        #expect(try mode(of: file) == 0o600)
    }

    @Test("add --credentials-file creates a new file with mode 0600")
    func addCreatesACredentialsFile() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let file = directory.scratch.appendingPathComponent("fresh-credentials")
        let added = try await principals(
            "add", directory,
            ["--role", "ci", "--account", Self.otherAccount, "--credentials-file", file.path, "--profile", "ci", "--output", "json"])
        #expect(added.status == 0, "\(added.stderrText)")
        let json = try #require(try JSONSerialization.jsonObject(with: added.standardOutput) as? [String: Any])
        #expect(json["Arn"] as? String == "arn:aws:iam::444455556666:role/ci")
        #expect(json["SecretAccessKey"] == nil)
        #expect(try mode(of: file) == 0o600)
        #expect(try credentials(in: file, profile: "ci").accessKeyId == json["AccessKeyId"] as? String)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.scratch.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "no temporary file is left behind")
    }

    @Test("add prints the secret once; list (text and json) never shows it")
    func addPrintsTheSecretOnceAndListHidesIt() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let added = try await principals("add", directory, ["--role", "deployer", "--account", Self.otherAccount])
        #expect(added.status == 0, "\(added.stderrText)")
        #expect(field("Arn", in: added) == "arn:aws:iam::444455556666:role/deployer")
        let id = try #require(field("AccessKeyId", in: added))
        let secret = try #require(field("SecretAccessKey", in: added))
        #expect(secret.count == 40)
        #expect(added.stdoutText.components(separatedBy: secret).count == 2, "printed exactly once")
        #expect(added.stderrText.contains("shown this once"))
        let stored = try #require(try directory.store().credential(accessKeyID: id))
        #expect(stored.secretAccessKey.unsafeBytes == Array(secret.utf8))
        #expect(stored.principalKind == .role && stored.account == Self.otherAccount)

        let json = try await principals("add", directory, ["--user", "scripted", "--output", "json"])
        #expect(json.status == 0, "\(json.stderrText)")
        let object = try #require(try JSONSerialization.jsonObject(with: json.standardOutput) as? [String: String])
        let scriptedID = try #require(object["AccessKeyId"])
        let scriptedSecret = try #require(object["SecretAccessKey"])
        #expect(try directory.store().credential(accessKeyID: scriptedID)?.secretAccessKey.unsafeBytes == Array(scriptedSecret.utf8))
        #expect(object["Arn"] == "arn:aws:iam::111122223333:user/scripted")

        let text = try await principals("list", directory, [])
        #expect(text.status == 0, "\(text.stderrText)")
        for expected in ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root", "arn:aws:iam::444455556666:role/deployer", id, scriptedID] {
            #expect(text.stdoutText.contains(expected), "list shows \(expected)")
        }
        #expect(text.stdoutText.contains("\(id) (active)"))
        let listJSON = try await principals("list", directory, ["--output", "json", "--account", Self.otherAccount])
        #expect(listJSON.status == 0, "\(listJSON.stderrText)")
        let listed = try #require(
            (try JSONSerialization.jsonObject(with: listJSON.standardOutput) as? [String: Any])?["Principals"] as? [[String: Any]])
        #expect(listed.compactMap { $0["Arn"] as? String } == ["arn:aws:iam::444455556666:root", "arn:aws:iam::444455556666:role/deployer"])
        let role = try #require(listed.last)
        #expect(role["Kind"] as? String == "role" && role["HasIdentityPolicy"] as? Bool == false)
        let keys = try #require(role["AccessKeys"] as? [[String: Any]])
        #expect(keys.count == 1 && keys.first?["AccessKeyId"] as? String == id && keys.first?["Status"] as? String == "Active")
        for output in [text, listJSON] {
            #expect(!output.stdoutText.contains(secret) && !output.stdoutText.contains(scriptedSecret), "never a secret")
        }
    }

    // MARK: - rotate-key, remove, set-policy

    @Test("rotate-key prints a new key and deactivates the old; remove revokes every key")
    func rotateAndRemove() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let arn = "arn:aws:iam::111122223333:user/bob"
        let added = try await principals("add", directory, ["--user", "bob"])
        let oldID = try #require(field("AccessKeyId", in: added))

        let rotated = try await principals("rotate-key", directory, ["--arn", arn])
        #expect(rotated.status == 0, "\(rotated.stderrText)")
        let newID = try #require(field("AccessKeyId", in: rotated))
        let newSecret = try #require(field("SecretAccessKey", in: rotated))
        let store = try directory.store()
        #expect(try store.credential(accessKeyID: oldID)?.isActive == false)
        #expect(try store.credential(accessKeyID: newID)?.secretAccessKey.unsafeBytes == Array(newSecret.utf8))
        let listed = try await principals("list", directory, [])
        #expect(listed.stdoutText.contains("\(oldID) (inactive)") && listed.stdoutText.contains("\(newID) (active)"))

        let removed = try await principals("remove", directory, ["--arn", arn])
        #expect(removed.status == 0, "\(removed.stderrText)")
        #expect(removed.stdoutText.contains(oldID) && removed.stdoutText.contains(newID))
        #expect(try store.principal(arn: arn) == nil)
        #expect(try store.credential(accessKeyID: newID) == nil)
        #expect(try store.credential(accessKeyID: oldID) == nil)

        let again = try await principals("remove", directory, ["--arn", arn])
        #expect(again.status == 1)
        #expect(again.stderrText.contains("no principal"))
        let ownRoot = try await principals("remove", directory, ["--arn", "arn:aws:iam::111122223333:root"])
        #expect(ownRoot.status == 1)
        #expect(ownRoot.stderrText.contains("own account"))
        #expect(try store.principal(arn: "arn:aws:iam::111122223333:root")?.accessKeys.first?.isActive == true)
    }

    @Test("an identity policy is checked before anything changes; set-policy replaces and clears it")
    func policies() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let arn = "arn:aws:iam::111122223333:user/carol"
        let good = try directory.file("good.json", Self.goodPolicy)
        let bad: [(file: String, contents: String, problem: String)] = [
            ("truncated.json", "{\"Version\": \"2012-10-17\", \"Statement\": [", "not valid JSON"),
            ("principal.json", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}
                """, "Principal"),
            ("version.json", """
                {"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}
                """, "2020-01-01"),
        ]
        for (name, contents, problem) in bad {
            let file = try directory.file(name, contents)
            let refused = try await principals("add", directory, ["--user", "carol", "--policy", file.path])
            #expect(refused.status == 2, "\(name)")
            #expect(refused.stderrText.contains("not a valid identity policy"), "\(name): \(refused.stderrText)")
            #expect(refused.stderrText.contains(problem), "\(name): \(refused.stderrText)")
            #expect(refused.stdoutText.isEmpty)
        }
        #expect(try directory.store().principal(arn: arn) == nil, "nothing was added")
        let missing = try await principals("add", directory, ["--user", "carol", "--policy", directory.scratch.appendingPathComponent("none.json").path])
        #expect(missing.status == 2 && missing.stderrText.contains("cannot read the policy file"))

        let added = try await principals("add", directory, ["--user", "carol", "--policy", good.path, "--no-access-key"])
        #expect(added.status == 0, "\(added.stderrText)")
        #expect(field("AccessKeyId", in: added) == nil)
        let carol = try #require(try directory.store().principal(arn: arn))
        #expect(carol.identityPolicy == Self.goodPolicy && carol.accessKeys.isEmpty)

        let badFile = directory.scratch.appendingPathComponent("principal.json")
        let refused = try await principals("set-policy", directory, ["--arn", arn, "--policy", badFile.path])
        #expect(refused.status == 2 && refused.stderrText.contains("Principal"))
        #expect(try directory.store().principal(arn: arn)?.identityPolicy == Self.goodPolicy, "unchanged")

        let cleared = try await principals("set-policy", directory, ["--arn", arn, "--clear"])
        #expect(cleared.status == 0, "\(cleared.stderrText)")
        #expect(try directory.store().principal(arn: arn)?.identityPolicy == nil)
        let set = try await principals("set-policy", directory, ["--arn", arn, "--policy", good.path])
        #expect(set.status == 0, "\(set.stderrText)")
        #expect(try directory.store().principal(arn: arn)?.identityPolicy == Self.goodPolicy)
        #expect(try await principals("list", directory, []).stdoutText.split(separator: "\n").contains { $0.contains(arn) && $0.contains(" yes ") })

        let rootPolicy = try await principals("set-policy", directory, ["--arn", "arn:aws:iam::111122223333:root", "--policy", good.path])
        #expect(rootPolicy.status == 2 && rootPolicy.stderrText.contains("no identity policy"))
        let unknown = try await principals("set-policy", directory, ["--arn", "arn:aws:iam::111122223333:user/nobody", "--clear"])
        #expect(unknown.status == 1)
    }

    // MARK: - Exit codes

    @Test("usage errors exit 2, refusals 1, and neither changes anything")
    func exitCodes() async throws {
        let directory = try Directory()
        defer { directory.remove() }
        let before = try directory.store().principals()
        let usage: [[String]] = [
            ["add", "--user", "a", "--role", "b"],
            ["add"],
            ["add", "--user", "a b"],
            ["add", "--user", String(repeating: "x", count: 65)],
            ["add", "--user", "a", "--account", "12345"],
            ["add", "--user", "a", "--credentials-file", directory.scratch.appendingPathComponent("c").path],
            ["add", "--user", "a", "--profile", "p"],
            ["add", "--user", "a", "--no-access-key", "--credentials-file", directory.scratch.appendingPathComponent("c").path, "--profile", "p"],
            ["add", "--user", "a", "--credentials-file", "/nonexistent-dir/credentials", "--profile", "p"],
            ["add", "--user", "a", "--credentials-file", directory.scratch.appendingPathComponent("c").path, "--profile", "bad name"],
            ["list", "--account", "abc"],
            ["set-policy", "--arn", "arn:aws:iam::111122223333:user/a"],
            ["set-policy", "--arn", "arn:aws:iam::111122223333:user/a", "--clear", "--policy", "/dev/null"],
            ["rotate-key", "--arn", "not-an-arn"],
        ]
        for arguments in usage {
            let result = try await keyholder(["principals", arguments[0], "--data-dir", directory.data.path] + arguments.dropFirst())
            #expect(result.status == 2, "\(arguments): \(result.stderrText)")
            #expect(result.stderrText.hasPrefix("sigil-keyholder: error: "), "\(arguments): \(result.stderrText)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.scratch.appendingPathComponent("c").path))

        let refusals: [[String]] = [
            ["rotate-key", "--arn", "arn:aws:iam::111122223333:user/nobody"],
            ["remove", "--arn", "arn:aws:iam::111122223333:role/nobody"],
            ["remove", "--arn", "arn:aws:iam::111122223333:root"],
        ]
        for arguments in refusals {
            let result = try await keyholder(["principals", arguments[0], "--data-dir", directory.data.path] + arguments.dropFirst())
            #expect(result.status == 1, "\(arguments): \(result.stderrText)")
        }
        #expect(try directory.store().principals() == before, "nothing changed")

        await #expect(try principals("add", directory, ["--user", "dup", "--no-access-key"]).status == 0)
        let duplicate = try await principals("add", directory, ["--user", "dup"])
        #expect(duplicate.status == 1 && duplicate.stderrText.contains("already exists"))
        #expect(try directory.store().principal(arn: "arn:aws:iam::111122223333:user/dup")?.accessKeys.isEmpty == true)
    }

    @Test("a directory that serve never initialised is refused and left alone")
    func refusesAnUninitialisedDirectory() async throws {
        let scratch = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let missing = scratch.appendingPathComponent("missing")
        for (directory, verb, extra) in [
            (scratch, "list", [String]()), (missing, "add", ["--user", "alice"]),
            (scratch, "remove", ["--arn", "arn:aws:iam::111122223333:user/a"]),
        ] {
            let result = try await keyholder(["principals", verb, "--data-dir", directory.path] + extra)
            #expect(result.status == 2, "\(verb): \(result.stderrText)")
            #expect(
                result.stderrText.contains(
                    "\(directory.path) is not a key holder data directory; run sigil-keyholder serve --data-dir \(directory.path) once first"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "nothing was created")
    }

    // MARK: - End to end

    @Test("a user added while the server runs can call it as its policy allows, and is refused once removed")
    func endToEndWithARunningServer() async throws {
        let server = try await KeyHolderProcess.start()
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let file = server.dataDirectory.deletingLastPathComponent().appendingPathComponent("user-credentials-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let policy = file.deletingLastPathComponent().appendingPathComponent("list-keys-\(UUID().uuidString).json")
        try Data(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}"#.utf8)
            .write(to: policy)
        defer { try? FileManager.default.removeItem(at: policy) }
        let arn = "arn:aws:iam::111122223333:user/e2e"
        let added = try await keyholder([
            "principals", "add", "--data-dir", server.dataDirectory.path, "--user", "e2e", "--policy", policy.path,
            "--credentials-file", file.path, "--profile", "e2e",
        ])
        #expect(added.status == 0, "\(added.stderrText)")
        let credentials = try self.credentials(in: file, profile: "e2e")
        let kms = KMSClient(endpoint: server.endpoint, region: "us-east-1", credentials: credentials)
        _ = try await kms.listKeys()
        // Authenticated as the user: its identity policy allows ListKeys and nothing else.
        await #expect(throws: KMSError(type: "AccessDeniedException", message: "")) {
            _ = try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256))
        }

        // A made-up key is refused, so the success above was the new key's.
        let stranger = KMSClient(
            endpoint: server.endpoint, region: "us-east-1",
            credentials: AWSCredentials(accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secretAccessKey: String(repeating: "s", count: 40)))
        await #expect(throws: KMSError.unrecognizedClient()) { _ = try await stranger.listKeys() }

        let removed = try await keyholder(["principals", "remove", "--data-dir", server.dataDirectory.path, "--arn", arn])
        #expect(removed.status == 0, "\(removed.stderrText)")
        // The running server may trust the key it looked up for 30 s: a restart shows the
        // removal at once (the wait itself is KeyMaterialCache's to test).
        server.kill()
        let restarted = try await KeyHolderProcess.start(dataDirectory: server.dataDirectory)
        defer { restarted.kill() }
        let after = KMSClient(endpoint: restarted.endpoint, region: "us-east-1", credentials: credentials)
        await #expect(throws: KMSError.unrecognizedClient()) { _ = try await after.listKeys() }
    }
}
