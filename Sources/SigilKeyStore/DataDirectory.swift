internal import Foundation
internal import Glibc
internal import SigilCrypto

/// The files of a key holder's data directory, and the careful POSIX I/O they need:
/// exclusive creation with mode 0600, permission checks before a secret is read, and
/// fsync of the file and the directory so that an acknowledged initialisation survives
/// a crash.
struct DataDirectory {
    /// The size of the root key in bytes (AES-256).
    static let rootKeySize = 32

    let url: URL

    var rootKeyURL: URL { url.appendingPathComponent("root.key") }
    var databaseURL: URL { url.appendingPathComponent("keyholder.sqlite") }
    var credentialsURL: URL { url.appendingPathComponent("credentials") }

    /// Creates the directory (mode 0700) when it does not exist; refuses a path that is
    /// something else, or a directory that is not private (see ``ensurePrivate(_:)``).
    func ensureExists() throws {
        var info = stat()
        if stat(url.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw KeyStoreError(.storageFailure, "the data directory \(url.path) exists but is not a directory")
            }
            try ensurePrivate(info)
            return
        }
        guard errno == ENOENT else {
            throw Self.posixError("cannot inspect the data directory \(url.path)")
        }
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyStoreError(.storageFailure, "cannot create the data directory \(url.path): \(error.localizedDescription)")
        }
    }

    /// Requires the existing directory to belong to this process's user and to be closed
    /// to group and others, as ssh requires of a private key: the database holds policies,
    /// principals and the audit trail, and whoever may write the directory may swap its
    /// files. A directory that holds nothing yet (made ready by an administrator or a test)
    /// is made 0700 instead, as `initdb` does; one that already holds files is refused
    /// with the command that fixes it.
    private func ensurePrivate(_ info: stat) throws {
        let path = url.path
        guard info.st_uid == geteuid() else {
            throw KeyStoreError(
                .storageFailure,
                "the data directory \(path) belongs to user \(info.st_uid), not to this process's user \(geteuid()): "
                    + "run the key holder as its owner, or chown -R \(geteuid()) \(path) — refusing to start")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 != 0 else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [""]
        if entries.isEmpty {
            guard chmod(path, 0o700) == 0 else {
                throw Self.posixError("cannot make the data directory \(path) private (mode 700)")
            }
            return
        }
        throw KeyStoreError(
            .storageFailure,
            "the data directory \(path) has mode \(String(permissions, radix: 8)), which lets other users "
                + "\(Self.exposure(permissions)) it: it must be 700 (chmod 700 \(path)) — refusing to start")
    }

    /// Creates the database file empty with mode 0600 when it does not exist, so that
    /// SQLite, which gives its WAL and shared-memory files the database's mode, makes
    /// every store file private whatever the process's umask.
    func ensureDatabaseFile() throws {
        let descriptor = open(databaseURL.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            guard errno == EEXIST else { throw Self.posixError("cannot create the database \(databaseURL.path)") }
            return
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw Self.posixError("cannot set the mode of the database \(databaseURL.path)")
        }
    }

    func exists(_ file: URL) -> Bool {
        var info = stat()
        return lstat(file.path, &info) == 0
    }

    /// Creates `root.key` with 32 fresh random bytes; fails if it already exists.
    func createRootKey() throws -> SecureBytes {
        let key = try SecureBytes(randomCount: Self.rootKeySize)
        try key.withUnsafeBytes { bytes in
            try writeNewFile(rootKeyURL, bytes, what: "the root key")
        }
        return key
    }

    /// Reads `root.key`, refusing a file that is not a regular file of 32 bytes readable
    /// by its owner alone.
    func readRootKey() throws -> SecureBytes {
        let path = rootKeyURL.path
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Self.posixError("cannot open the root key \(path)")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw Self.posixError("cannot inspect the root key \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeyStoreError(.storageFailure, "the root key \(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw KeyStoreError(
                .storageFailure,
                "the root key \(path) has mode \(String(permissions, radix: 8)), which lets other users "
                    + "\(Self.exposure(permissions)) it: it must be 600 (chmod 600 \(path)) — refusing to start")
        }
        guard info.st_uid == geteuid() else {
            throw KeyStoreError(
                .storageFailure, "the root key \(path) belongs to user \(info.st_uid), not to this process's user \(geteuid())")
        }
        guard info.st_size == Self.rootKeySize else {
            throw KeyStoreError(
                .storageFailure,
                "the root key \(path) is \(info.st_size) bytes, but a root key is exactly \(Self.rootKeySize) bytes")
        }
        var buffer = [UInt8](repeating: 0, count: Self.rootKeySize)
        defer { wipe(&buffer) }
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw Self.posixError("cannot read the root key \(path)")
            }
            filled += count
        }
        return SecureBytes(buffer)
    }

    /// Writes `contents` to a new file with mode 0600 (O_CREAT | O_EXCL), then fsyncs the
    /// file and the directory.
    func writeNewFile(_ file: URL, _ contents: UnsafeRawBufferPointer, what: String) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Self.posixError("cannot create \(what) \(file.path)")
        }
        do {
            // The umask can only remove bits; make the mode exactly 0600 whatever it is.
            guard fchmod(descriptor, 0o600) == 0 else {
                throw Self.posixError("cannot set the mode of \(what) \(file.path)")
            }
            var written = 0
            while written < contents.count {
                let count = write(descriptor, contents.baseAddress! + written, contents.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw Self.posixError("cannot write \(what) \(file.path)")
                }
                written += count
            }
            guard fsync(descriptor) == 0 else {
                throw Self.posixError("cannot flush \(what) \(file.path) to disk")
            }
        } catch {
            close(descriptor)
            unlink(file.path)
            throw error
        }
        close(descriptor)
        try syncDirectory()
    }

    /// Replaces `file` atomically with a new 0600 file holding `contents`.
    func replaceFile(_ file: URL, _ contents: UnsafeRawBufferPointer, what: String) throws {
        let temporary = url.appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString.lowercased()).tmp")
        try writeNewFile(temporary, contents, what: what)
        guard rename(temporary.path, file.path) == 0 else {
            let error = Self.posixError("cannot move \(what) into place at \(file.path)")
            unlink(temporary.path)
            throw error
        }
        try syncDirectory()
    }

    /// fsyncs the directory, so that a file created or renamed in it survives a crash.
    func syncDirectory() throws {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Self.posixError("cannot open the data directory \(url.path)")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw Self.posixError("cannot flush the data directory \(url.path) to disk")
        }
    }

    /// What group and others may do under `permissions`, in words: "read", "change" or
    /// "read and change".
    static func exposure(_ permissions: mode_t) -> String {
        switch (permissions & 0o055 != 0, permissions & 0o022 != 0) {
        case (true, true): "read and change"
        case (false, true): "change"
        default: "read"
        }
    }

    static func posixError(_ message: String) -> KeyStoreError {
        let code = errno
        return KeyStoreError(.storageFailure, "\(message): \(String(cString: strerror(code)))")
    }
}

/// Overwrites a temporary copy of a secret with zeros (``SigilCrypto/Zeroize``).
func wipe(_ bytes: inout [UInt8]) {
    Zeroize.bytes(&bytes)
}
