public import FoundationEssentials
import Glibc

/// Hashing files and descriptors through one fixed buffer: constant memory whatever the
/// size. The library's file verification and the `sigil` command's inputs (files, pipes,
/// standard input) hash this one way.
public enum FileDigest {
    /// The read size: large enough that system calls cost little next to hashing.
    static let chunkSize = 256 * 1024

    /// The digest of the file at `url`.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` naming the file when it cannot be
    ///   opened or read.
    public static func digest(ofFileAt url: URL, using function: HashFunction) throws -> [UInt8] {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SigilError(.ioFailure, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        return try digest(ofDescriptor: descriptor, named: path, using: function)
    }

    /// The digest of everything left to read from `descriptor` (a file, a pipe), read to
    /// its end; `name` is what an error calls it.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` when reading fails.
    public static func digest(ofDescriptor descriptor: Int32, named name: String, using function: HashFunction) throws -> [UInt8] {
        let hasher = try StreamingHasher(function)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw SigilError(.ioFailure, "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return try hasher.finalize()
    }
}
