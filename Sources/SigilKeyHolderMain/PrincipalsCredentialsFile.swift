import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

/// An AWS shared-credentials file (INI) to put one profile's access key in: the other
/// profiles and the profile's other settings (such as `region`) are kept, any older key
/// or session token of the profile is dropped. The file is replaced atomically by a new
/// one of mode 0600 (temporary file, fsync, rename, fsync of the directory).
struct PrincipalsCredentialsFile {
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
        Zeroize.bytes(&bytes)
    }
}
