import Foundation
import Sigil
import SigilCrypto

/// Reading the small files a verb takes (keys, signatures, digests) with limits and
/// errors that name the file and the problem.
enum InputFiles {
    /// Reads a whole small file, refusing empty files and files over `limit` bytes.
    ///
    /// - Parameters:
    ///   - path: The path, or `-` for standard input.
    ///   - role: What the file is, for messages ("public key file").
    ///   - limit: The largest size that makes sense for this role.
    static func readSmall(_ path: String, role: String, limit: Int) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SigilError(.ioFailure, "\(role) \(path) does not exist")
            }
            guard !isDirectory.boolValue else {
                throw SigilError(.ioFailure, "\(role) \(path) is a directory")
            }
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw SigilError(.ioFailure, "\(role) \(path) cannot be read (permission denied?)")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw SigilError(.ioFailure, "\(role) \(path) cannot be read: \(error.localizedDescription)")
        }
        guard !data.isEmpty else {
            throw SigilError(.ioFailure, "\(role) \(path) is empty")
        }
        guard data.count <= limit else {
            throw SigilError(.invalidArgument, "\(role) \(path) is larger than \(limit) bytes; is it the right file?")
        }
        return [UInt8](data)
    }

    /// Decodes text that is entirely base64 (whitespace aside); `nil` for anything else.
    static func base64Text(_ bytes: [UInt8]) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        let whitespace = Set(" \t\r\n".utf8)
        guard bytes.allSatisfy({ alphabet.contains($0) || whitespace.contains($0) }) else { return nil }
        let compact = String(decoding: bytes.filter { !whitespace.contains($0) }, as: UTF8.self)
        return Data(base64Encoded: compact).map { [UInt8]($0) }
    }

    /// Decodes text that is entirely hex digits (whitespace aside) of exactly `length`
    /// bytes; `nil` for anything else.
    static func hexText(_ bytes: [UInt8], length: Int) -> [UInt8]? {
        // ASCII hex only: Character.isHexDigit also takes fullwidth digits (U+FF10…),
        // which no hex decoder reads (a fuzzed signature document crashed here).
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
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
