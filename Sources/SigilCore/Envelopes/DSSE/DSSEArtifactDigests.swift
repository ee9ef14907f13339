import FoundationEssentials
import Glibc

/// An artifact's digests under several hash functions, from one read of the artifact.
struct DSSEArtifactDigests {
    private var digests: [HashFunction: [UInt8]] = [:]

    /// Hashes bytes held in memory.
    init(_ bytes: some DataProtocol, functions: [HashFunction]) throws {
        for function in Set(functions) {
            digests[function] = try function.hash(bytes)
        }
    }

    /// Hashes a file, reading it once in fixed-size chunks.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` when the file cannot be read.
    init(contentsOf url: URL, functions: [HashFunction]) throws {
        let hashers = try Set(functions).map { try StreamingHasher($0) }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SigilError(.ioFailure, "cannot open \(url.path) to hash it")
        }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try FileIO.read(descriptor, into: buffer)
            } catch {
                throw SigilError(.ioFailure, "cannot read \(url.path) to hash it")
            }
            guard count > 0 else { break }
            for hasher in hashers {
                try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
        for hasher in hashers {
            digests[hasher.function] = try hasher.finalize()
        }
    }

    subscript(function: HashFunction) -> [UInt8]? { digests[function] }

    /// All digests, by function.
    var all: [HashFunction: [UInt8]] { digests }

    /// The bytes spelled by lowercase hex, or `nil` for anything else (uppercase included:
    /// in-toto digests are lowercase).
    static func bytes(lowercaseHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Hex.value(of: digits[index]), let low = Hex.value(of: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return Hex.lowercase(bytes) == text ? bytes : nil
    }
}
