internal import FoundationEssentials
import Glibc
internal import SigilCore
internal import SigilCrypto

/// Reading the small files a verb takes (keys, signatures, digests) with limits and
/// errors that name the file and the problem.
package enum InputFiles {
    /// Reads a whole small file, refusing empty files and files over `limit` bytes.
    ///
    /// - Parameters:
    ///   - path: The path, or `-` for standard input.
    ///   - role: What the file is, for messages ("public key file").
    ///   - limit: The largest size that makes sense for this role.
    package static func readSmall(_ path: String, role: String, limit: Int) throws -> [UInt8] {
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            switch FileKind(path) {
            case nil: throw SigilError(.ioFailure, "\(role) \(path) does not exist")
            case .directory?: throw SigilError(.ioFailure, "\(role) \(path) is a directory")
            case .other?: break
            }
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw SigilError(.ioFailure, "\(role) \(path) cannot be read (\(String(cString: strerror(errno))))")
            }
        }
        defer { if path != "-" { close(descriptor) } }
        // Read in chunks, up to one byte past the limit (which tells a file that is too
        // large from one that fits exactly), so memory follows the file, not the limit.
        var data: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        do {
            while data.count <= limit {
                let wanted = min(chunk.count, limit + 1 - data.count)
                let read = try FileIO.read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<wanted]))
                if read == 0 { break }
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<read]))
            }
        } catch let error as SigilError {
            throw SigilError(.ioFailure, "\(role) \(path) cannot be read: \(error.message)")
        }
        let count = data.count
        guard count > 0 else {
            throw SigilError(.ioFailure, "\(role) \(path) is empty")
        }
        guard count <= limit else {
            throw SigilError(.invalidArgument, "\(role) \(path) is larger than \(limit) bytes; is it the right file?")
        }
        return data
    }

    /// Decodes text that is entirely base64 (whitespace aside); `nil` for anything else.
    package static func base64Text(_ bytes: [UInt8]) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        let whitespace = Set(" \t\r\n".utf8)
        guard bytes.allSatisfy({ alphabet.contains($0) || whitespace.contains($0) }) else { return nil }
        let compact = String(decoding: bytes.filter { !whitespace.contains($0) }, as: UTF8.self)
        return Data(base64Encoded: compact).map { [UInt8]($0) }
    }

    /// Decodes text that is entirely hex digits (whitespace aside) of exactly `length`
    /// bytes; `nil` for anything else.
    package static func hexText(_ bytes: [UInt8], length: Int) -> [UInt8]? {
        // ASCII hex only: Character.isHexDigit also takes fullwidth digits (U+FF10…),
        // which no hex decoder reads (a fuzzed signature document crashed here).
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(where: \.isWhitespace)
        let digits = Array(text.utf8)
        guard digits.count == 2 * length else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(length)
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Hex.value(of: digits[pair]), let low = Hex.value(of: digits[pair + 1]) else { return nil }
            output.append(high << 4 | low)
        }
        return output
    }
}

/// What is at a path, as the verbs tell inputs apart (`stat`, following links).
package enum FileKind {
    case directory
    case other

    /// `nil` when nothing is there (or it cannot be seen).
    package init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self = (status.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }
}
