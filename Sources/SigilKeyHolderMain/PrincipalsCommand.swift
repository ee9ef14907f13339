import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

// The `principals` verbs share this file: it is the one file of this target they own.

struct PrincipalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "principals",
        abstract: "Manage the users and roles that may call the key holder.",
        discussion: """
            A principal is an account root (arn:aws:iam::ACCOUNT:root), a user \
            (arn:aws:iam::ACCOUNT:user/NAME) or a role (arn:aws:iam::ACCOUNT:role/NAME). Each \
            signs its requests with its own access keys, and a user or role may carry an \
            identity policy in the AWS policy language. An account exists once any principal \
            of it does: adding an account's first user or role adds its root too.

            These commands change the data directory directly, and may run while \
            `sigil-keyholder serve` is using it. A running server trusts an access key it has \
            looked up, with its identity policy, for up to 30 seconds: a removed principal's \
            or rotated-out key keeps working, and an old identity policy keeps applying, for \
            at most 30 seconds more.

            An access key's secret is shown once, by add or rotate-key (or written to \
            --credentials-file instead), and can never be read back.

            Exit codes: 0 done; 1 refused (no such principal, it already exists, the key \
            holder's own root, a storage failure); 2 usage error (options, names, account \
            ids, a policy file that cannot be read or is not a valid identity policy, a \
            directory that is not a key holder data directory).
            """,
        subcommands: [
            PrincipalsAddCommand.self, PrincipalsListCommand.self, PrincipalsRemoveCommand.self,
            PrincipalsRotateKeyCommand.self, PrincipalsSetPolicyCommand.self,
        ]
    )
}

// MARK: - Verbs

private struct PrincipalsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user or role, with an access key.",
        discussion: """
            Prints the new principal's ARN and access key id, and the secret access key once. \
            With --credentials-file FILE --profile NAME the key is written to that AWS \
            shared-credentials file instead (created with mode 0600 if absent; other profiles \
            are kept) and no secret is printed, so that

              AWS_SHARED_CREDENTIALS_FILE=FILE AWS_PROFILE=NAME aws kms list-keys …

            works at once, with --endpoint-url naming the key holder.
            """
    )

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("Add a user called NAME (1–64 of A–Z a–z 0–9 + = , . @ _ -).", valueName: "name"))
    var user: String?

    @Option(name: .long, help: ArgumentHelp("Add a role called NAME (same rules as --user).", valueName: "name"))
    var role: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The 12-digit account (default: the data directory's own account, that of its first root access key).",
            valueName: "id"))
    var account: String?

    @Option(
        name: .long,
        help: ArgumentHelp("An identity policy (AWS policy language JSON) for the principal.", valueName: "file"))
    var policy: String?

    @Flag(name: .long, help: "Add the principal without an access key (make one later with rotate-key).")
    var noAccessKey = false

    @OptionGroup var destination: PrincipalsCredentialsFileOptions

    @Option(name: .long, help: ArgumentHelp("text, or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            guard (user == nil) != (role == nil) else {
                throw CommandFailure.usage("give exactly one of --user NAME and --role NAME")
            }
            let kind: PrincipalKind = user != nil ? .user : .role
            let name = user ?? role ?? ""
            guard PrincipalRecord.isValidName(name) else {
                throw CommandFailure.usage(
                    "a \(kind.rawValue) name is 1 to 64 letters, digits or + = , . @ _ -, not '\(name)'")
            }
            if let account { try PrincipalsTool.checkAccount(account) }
            if noAccessKey && destination.credentialsFile != nil {
                throw CommandFailure.usage("--no-access-key makes no access key to write to --credentials-file")
            }
            let file = try destination.prepare()
            let identityPolicy = try policy.map(PrincipalsTool.readIdentityPolicy)
            let keyStore = try store.open()
            let account = try self.account ?? keyStore.ownAccount()

            if noAccessKey {
                let record = try keyStore.addPrincipal(
                    account: account, kind: kind, name: name, identityPolicy: identityPolicy)
                PrincipalsTool.printFields([("Arn", record.arn)], format: output)
                return
            }
            let made = try keyStore.addPrincipalWithAccessKey(
                account: account, kind: kind, name: name, identityPolicy: identityPolicy)
            let arn = made.principal.arn
            guard let file else {
                try PrincipalsTool.printNewKey(
                    arn: arn, accessKeyID: made.accessKeyID, secret: made.secretAccessKey, format: output)
                return
            }
            do {
                try file.write(accessKeyID: made.accessKeyID, secret: made.secretAccessKey)
            } catch {
                // Nobody could ever learn the secret: take the principal back out.
                let undone = (try? keyStore.removePrincipal(arn: arn)) != nil
                throw CommandFailure.failed(
                    "\(PrincipalsTool.message(error)); "
                        + (undone ? "\(arn) was not added" : "\(arn) was added but its key is lost: remove it"))
            }
            PrincipalsTool.printFields(
                [("Arn", arn), ("AccessKeyId", made.accessKeyID), ("CredentialsFile", file.url.path), ("Profile", file.profile)],
                format: output)
        }
    }
}

private struct PrincipalsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List principals: ARN, kind, identity policy or not, access key ids (never secrets).")

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("Only this 12-digit account's principals.", valueName: "id"))
    var account: String?

    @Option(name: .long, help: ArgumentHelp("text (a table), or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            if let account { try PrincipalsTool.checkAccount(account) }
            let principals = try store.open().principals(account: account)
            switch output {
            case .json:
                let list: [[String: Any]] = principals.map { principal in
                    [
                        "Arn": principal.arn, "Account": principal.account, "Kind": principal.kind.rawValue,
                        "Name": principal.name, "HasIdentityPolicy": principal.identityPolicy != nil,
                        "CreateDate": principal.creationDate.timeIntervalSince1970,
                        "AccessKeys": principal.accessKeys.map { key in
                            [
                                "AccessKeyId": key.id, "Status": key.isActive ? "Active" : "Inactive",
                                "CreateDate": key.creationDate.timeIntervalSince1970,
                            ] as [String: Any]
                        },
                    ]
                }
                PrincipalsTool.printJSON(["Principals": list])
            case .text:
                var rows = [["ARN", "KIND", "IDENTITY POLICY", "ACCESS KEYS"]]
                for principal in principals {
                    let keys = principal.accessKeys.map { "\($0.id) (\($0.isActive ? "active" : "inactive"))" }
                    rows.append([
                        principal.arn, principal.kind.rawValue, principal.identityPolicy == nil ? "no" : "yes",
                        keys.isEmpty ? "none" : keys.joined(separator: ", "),
                    ])
                }
                let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    let padded = (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    say((padded + [row[3]]).joined(separator: "  "))
                }
            }
        }
    }
}

private struct PrincipalsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a principal and revoke its access keys.",
        discussion: """
            A server running on the directory may accept the removed keys for up to 30 seconds \
            more. The key holder's own account root cannot be removed, nor an account root \
            whose account still has users or roles.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The principal's ARN.", valueName: "arn"))
    var arn: String

    func run() async throws {
        try runVerb {
            let keyStore = try store.open()
            let removed = try keyStore.removePrincipal(arn: arn)
            say("Removed \(arn)" + (removed.isEmpty ? "" : " and revoked \(removed.joined(separator: ", "))"))
            if !removed.isEmpty { PrincipalsTool.noteServerCache(store.dataDir) }
        }
    }
}

private struct PrincipalsRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Give a principal a new access key and deactivate its others.",
        discussion: """
            Prints the new access key id, and its secret once (or writes it to \
            --credentials-file). The old keys stay listed as inactive; a server running on \
            the directory may accept them for up to 30 seconds more.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The principal's ARN.", valueName: "arn"))
    var arn: String

    @OptionGroup var destination: PrincipalsCredentialsFileOptions

    @Option(name: .long, help: ArgumentHelp("text, or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            let file = try destination.prepare()
            let keyStore = try store.open()
            guard let file else {
                let made = try keyStore.rotateAccessKey(principalARN: arn)
                try PrincipalsTool.printNewKey(
                    arn: arn, accessKeyID: made.accessKeyID, secret: made.secretAccessKey, format: output)
                PrincipalsTool.noteServerCache(store.dataDir)
                return
            }
            // With a file, the old keys are deactivated only once the new one is safely
            // written: if writing fails the principal keeps working as before.
            guard let before = try keyStore.principal(arn: arn) else {
                throw CommandFailure.failed("no principal '\(arn)'")
            }
            let made = try keyStore.createAccessKey(principalARN: arn)
            do {
                try file.write(accessKeyID: made.accessKeyID, secret: made.secretAccessKey)
            } catch {
                try? keyStore.revokeAccessKey(made.accessKeyID)
                throw CommandFailure.failed(
                    "\(PrincipalsTool.message(error)); the new key \(made.accessKeyID) was revoked and the old ones kept")
            }
            for key in before.accessKeys where key.isActive {
                try keyStore.revokeAccessKey(key.id)
            }
            PrincipalsTool.noteServerCache(store.dataDir)
            PrincipalsTool.printFields(
                [
                    ("Arn", arn), ("AccessKeyId", made.accessKeyID), ("CredentialsFile", file.url.path),
                    ("Profile", file.profile),
                ],
                format: output)
        }
    }
}

private struct PrincipalsSetPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-policy",
        abstract: "Replace or remove a user's or role's identity policy.",
        discussion: """
            The policy is checked as the key holder will read it (AWS policy language, \
            Version 2012-10-17, no Principal). A server running on the directory may apply \
            the old policy for up to 30 seconds more.
            """)

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("The user's or role's ARN.", valueName: "arn"))
    var arn: String

    @Option(name: .long, help: ArgumentHelp("The new identity policy (JSON).", valueName: "file"))
    var policy: String?

    @Flag(name: .long, help: "Remove the identity policy.")
    var clear = false

    func run() async throws {
        try runVerb {
            guard (policy != nil) != clear else {
                throw CommandFailure.usage("give exactly one of --policy FILE and --clear")
            }
            let text = try policy.map(PrincipalsTool.readIdentityPolicy)
            try store.open().setIdentityPolicy(arn: arn, text)
            say(text == nil ? "Removed the identity policy of \(arn)" : "Set the identity policy of \(arn)")
        }
    }
}

// MARK: - Shared options

private struct PrincipalsCredentialsFileOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the new access key to this AWS shared-credentials file instead of printing its secret "
                + "(mode 0600; other profiles are kept).",
            valueName: "file"))
    var credentialsFile: String?

    @Option(name: .long, help: ArgumentHelp("The profile to write in --credentials-file.", valueName: "name"))
    var profile: String?

    /// The file to write, checked now so that a bad path fails before anything changes;
    /// `nil` when the secret is to be printed.
    func prepare() throws -> PrincipalsCredentialsFile? {
        switch (credentialsFile, profile) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw CommandFailure.usage("--profile names a profile of --credentials-file, which is missing")
        case (_?, nil):
            throw CommandFailure.usage("--credentials-file needs --profile NAME: the profile to write")
        case (let path?, let profile?):
            return try PrincipalsCredentialsFile(path: path, profile: profile)
        }
    }
}

private enum PrincipalsOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

// MARK: - Failures and output

private enum PrincipalsTool {
    /// Says on standard error how long a running server may still accept a revoked key.
    static func noteServerCache(_ dataDir: String) {
        FileHandle.standardError.write(
            Data("sigil-keyholder: a server running on \(dataDir) may accept the old keys for up to 30 seconds more\n".utf8))
    }

    static func message(_ error: any Error) -> String {
        switch error {
        case let failure as CommandFailure: return failure.message
        case let error as SigilError: return error.message
        default: return "\(error)"
        }
    }

    static func checkAccount(_ account: String) throws {
        guard account.utf8.count == 12, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw CommandFailure.usage("an account id is 12 digits, not '\(account)'")
        }
    }

    /// Reads an identity policy file and checks it as the key holder will read it.
    static func readIdentityPolicy(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure.usage("cannot read the policy file \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure.usage("the policy file \(path) is not UTF-8 text")
        }
        do {
            let document = try PolicyDocument(json: text, kind: .identityPolicy, knownAccounts: nil)
            for warning in document.warnings {
                FileHandle.standardError.write(Data("sigil-keyholder: warning: \(path): \(warning)\n".utf8))
            }
        } catch {
            throw CommandFailure.usage("the policy file \(path) is not a valid identity policy: \(error.message)")
        }
        return text
    }

    /// Prints `name: value` lines, or one JSON object.
    static func printFields(_ fields: [(String, String)], format: PrincipalsOutputFormat) {
        switch format {
        case .text:
            for (name, value) in fields { say("\(name): \(value)") }
        case .json:
            printJSON(Dictionary(fields, uniquingKeysWith: { first, _ in first }))
        }
    }

    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Prints a new access key, its secret included, straight from the secret's bytes
    /// (no `String` copy of it is made), with a reminder on standard error.
    static func printNewKey(arn: String, accessKeyID: String, secret: SecureBytes, format: PrincipalsOutputFormat) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arn.utf8.count + accessKeyID.utf8.count + secret.count + 96)
        defer { bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
        switch format {
        case .text:
            bytes += Array("Arn: \(arn)\nAccessKeyId: \(accessKeyID)\nSecretAccessKey: ".utf8)
            secret.withUnsafeBytes { bytes += $0 }
            bytes += [0x0a]
        case .json:
            // Members in sorted order, as printJSON writes them; the secret's alphabet
            // (A–Z a–z 0–9 + /) needs no escaping.
            bytes += Array("{\"AccessKeyId\":\(jsonString(accessKeyID)),\"Arn\":\(jsonString(arn)),\"SecretAccessKey\":\"".utf8)
            secret.withUnsafeBytes { bytes += $0 }
            bytes += Array("\"}\n".utf8)
        }
        try writeAll(STDOUT_FILENO, bytes, what: "standard output")
        FileHandle.standardError.write(
            Data("sigil-keyholder: the secret access key is shown this once and cannot be read back: store it now\n".utf8))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Writes every byte to a descriptor, retrying after interruptions.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], what: String) throws {
        try bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw CommandFailure.failed("cannot write \(what): \(String(cString: strerror(errno)))")
                }
                written += count
            }
        }
    }
}

// MARK: - The AWS shared-credentials file

/// An AWS shared-credentials file (INI) to put one profile's access key in: the other
/// profiles and the profile's other settings (such as `region`) are kept, any older key
/// or session token of the profile is dropped. The file is replaced atomically by a new
/// one of mode 0600 (temporary file, fsync, rename, fsync of the directory).
private struct PrincipalsCredentialsFile {
    /// The file, symbolic links resolved (so that the link's target is what changes).
    let url: URL
    let profile: String

    private static let replacedSettings: Set<String> = [
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token",
    ]

    /// Checks the profile name, that the directory exists and is writable, and that an
    /// existing file is a readable regular file.
    init(path: String, profile: String) throws {
        guard !profile.isEmpty, profile.count <= 128,
            profile.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7f && !"[]#;".unicodeScalars.contains($0) })
        else {
            throw CommandFailure.usage(
                "a profile name is printable ASCII without spaces, brackets, # or ;, not '\(profile)'")
        }
        url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        self.profile = profile
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure.usage("the directory of the credentials file \(path) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw CommandFailure.usage("cannot write the credentials file \(path): the directory \(directory) is not writable")
        }
        var contents = try readExisting()
        Self.wipe(&contents)
    }

    /// Writes the profile's access key into the file, keeping everything else.
    func write(accessKeyID: String, secret: SecureBytes) throws {
        var existing = try readExisting()
        defer { Self.wipe(&existing) }
        var settings = Array("aws_access_key_id = \(accessKeyID)\naws_secret_access_key = ".utf8)
        secret.withUnsafeBytes { settings += $0 }
        settings.append(0x0a)
        defer { Self.wipe(&settings) }
        var contents = Self.merge(existing, profile: profile, settings: settings)
        defer { Self.wipe(&contents) }
        try replace(with: contents)
    }

    /// The file's bytes, or none when it does not exist yet.
    private func readExisting() throws -> [UInt8] {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 && errno == ENOENT { return [] }
        guard descriptor >= 0 else {
            throw CommandFailure.usage("cannot read the credentials file \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw CommandFailure.usage("the credentials file \(url.path) is not a regular file")
        }
        var contents = [UInt8](repeating: 0, count: Int(info.st_size) + 4096)
        var filled = 0
        while true {
            if filled == contents.count {
                // Grown while we read: copy into a larger buffer, wiping the old one.
                var larger = [UInt8](repeating: 0, count: contents.count * 2)
                larger.replaceSubrange(0..<filled, with: contents)
                Self.wipe(&contents)
                contents = larger
            }
            let count = contents.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                Self.wipe(&contents)
                throw CommandFailure.usage("cannot read the credentials file \(url.path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        let result = Array(contents[..<filled])
        Self.wipe(&contents)
        return result
    }

    /// `existing` with `settings` as the profile's key: under the profile's first header
    /// (other settings of the profile kept, older keys dropped), or in a new section at
    /// the end.
    static func merge(_ existing: [UInt8], profile: String, settings: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(existing.count + settings.count + profile.utf8.count + 8)
        var inProfile = false
        var written = false
        var lines = existing.split(separator: 0x0a, omittingEmptySubsequences: false)
        if existing.last == 0x0a { lines.removeLast() }
        for line in lines {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 }
            if trimmed.first == UInt8(ascii: "["), let close = trimmed.lastIndex(of: UInt8(ascii: "]")) {
                let name = String(decoding: trimmed[trimmed.index(after: trimmed.startIndex)..<close], as: UTF8.self)
                inProfile = name.trimmingCharacters(in: .whitespaces) == profile
                output += line
                output.append(0x0a)
                if inProfile && !written {
                    output += settings
                    written = true
                }
                continue
            }
            if inProfile, let equals = line.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: line[..<equals], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
                if replacedSettings.contains(key) { continue }
            }
            output += line
            output.append(0x0a)
        }
        if !written {
            if !output.isEmpty { output.append(0x0a) }
            output += Array("[\(profile)]\n".utf8)
            output += settings
        }
        return output
    }

    private func replace(with contents: [UInt8]) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.lowercased()).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure.failed("cannot create \(temporary.path): \(String(cString: strerror(errno)))")
        }
        do {
            defer { close(descriptor) }
            // The umask can only remove bits; make the mode exactly 0600 whatever it is.
            guard fchmod(descriptor, 0o600) == 0 else {
                throw CommandFailure.failed("cannot set the mode of \(temporary.path): \(String(cString: strerror(errno)))")
            }
            try PrincipalsTool.writeAll(descriptor, contents, what: temporary.path)
            guard fsync(descriptor) == 0 else {
                throw CommandFailure.failed("cannot flush \(temporary.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw CommandFailure.failed("cannot move the credentials file into place at \(url.path): \(reason)")
        }
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { explicit_bzero(base, raw.count) }
        }
    }
}
