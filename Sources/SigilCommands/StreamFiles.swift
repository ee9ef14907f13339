internal import FoundationEssentials
import Glibc
internal import SigilCore

/// An input stream: a file or standard input.
package struct InputSource {
    package let descriptor: Int32
    package let name: String
    /// The size, when the input is a regular file.
    package let size: Int?
    private let owned: Bool

    package init(path: String) throws {
        if path == "-" {
            descriptor = STDIN_FILENO
            name = "standard input"
            owned = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                throw SigilError(.ioFailure, "cannot open input \(path): \(String(cString: strerror(errno)))")
            }
            descriptor = opened
            name = path
            owned = true
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR {
                if owned { _ = Glibc.close(descriptor) }
                throw SigilError(.ioFailure, "input \(path) is a directory")
            }
            size = (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        } else {
            size = nil
        }
    }

    package func close() {
        if owned { _ = Glibc.close(descriptor) }
    }
}

/// Where a verb's output goes: standard output as it comes, or a file that appears only
/// when the verb succeeds — written to a temporary file beside it, synced, and renamed into
/// place; removed on any failure, so a failed run leaves the target untouched.
package final class OutputFile {
    package let descriptor: Int32
    private let temporaryPath: String?
    private let finalPath: String?
    private var ownsDescriptor = false
    private var done = false

    /// - Parameters:
    ///   - path: The target, or nil or `-` for standard output.
    ///   - private: Whether the file holds plaintext, and so stays readable by its owner only.
    package init(path: String?, private isPrivate: Bool) throws {
        guard let path, path != "-" else {
            descriptor = STDOUT_FILENO
            temporaryPath = nil
            finalPath = nil
            return
        }
        var status = stat()
        if stat(path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                throw SigilError(.ioFailure, "output \(path) is a directory")
            case S_IFREG:
                break
            default:
                // A device, pipe or socket (/dev/null, a FIFO): nothing to replace atomically.
                let opened = open(path, O_WRONLY | O_CLOEXEC)
                guard opened >= 0 else {
                    throw SigilError(.ioFailure, "cannot open output \(path): \(String(cString: strerror(errno)))")
                }
                descriptor = opened
                temporaryPath = nil
                finalPath = nil
                ownsDescriptor = true
                return
            }
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/.\(url.lastPathComponent).sigil-XXXXXX".utf8CString)
        let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard opened >= 0 else {
            throw SigilError(.ioFailure, "cannot create a file in \(folder): \(String(cString: strerror(errno)))")
        }
        if !isPrivate {
            // mkstemp makes 0600; ciphertext may be as readable as any new file.
            let mask = umask(0)
            umask(mask)
            fchmod(opened, 0o666 & ~mask)
        }
        descriptor = opened
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        finalPath = path
    }

    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try FileIO.write(descriptor, bytes)
        } catch let error as SigilError {
            throw SigilError(.ioFailure, "writing \(finalPath ?? "standard output") failed: \(error.message)")
        }
    }

    /// Makes the output final: syncs and renames the temporary file into place.
    package func commit() throws {
        done = true
        guard let temporaryPath, let finalPath else {
            if ownsDescriptor { close(descriptor) }
            return
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            discard(temporaryPath)
            throw SigilError(.ioFailure, "cannot sync \(finalPath): \(reason)")
        }
        close(descriptor)
        guard rename(temporaryPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw SigilError(.ioFailure, "cannot move the output into place at \(finalPath): \(reason)")
        }
    }

    /// Removes the temporary file; the target stays as it was.
    package func abandon() {
        guard !done else { return }
        done = true
        if let temporaryPath {
            discard(temporaryPath)
        } else if ownsDescriptor {
            close(descriptor)
        }
    }

    private func discard(_ path: String) {
        close(descriptor)
        unlink(path)
    }

    deinit { abandon() }
}

/// A progress bar on standard error, shown only when standard error is a terminal and
/// the input size is known; otherwise it prints nothing at all.
package final class ProgressBar {
    private let total: Int?
    private let enabled: Bool
    private var lastDraw: ContinuousClock.Instant?
    private let label: String

    package init(label: String, total: Int?) {
        self.label = label
        self.total = total
        enabled = total != nil && isatty(STDERR_FILENO) == 1
    }

    package func update(_ done: Int) {
        guard enabled, let total, total > 0 else { return }
        let now = ContinuousClock.Instant.now
        if let lastDraw, now - lastDraw <= .milliseconds(100), done < total { return }
        lastDraw = now
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(Self.format(done))/\(Self.format(total))"
        Terminal.writeStandardError(line)
    }

    package func finish() {
        guard enabled else { return }
        Terminal.writeStandardError("\n")
    }

    package static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        // One decimal, rounded, without String(format:) (full Foundation).
        let tenths = Int((value * 10).rounded())
        return unit == 0 ? "\(bytes) B" : "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
