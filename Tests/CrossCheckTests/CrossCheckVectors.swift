import Foundation
import GnuTLSCheck
import SigilTestSupport
import Testing

/// Where the shared vectors live: `SIGIL_VECTORS_DIR`, or `../shared/vectors` beside the
/// package root. They are read in place, never copied into the repository.
enum CrossCheckVectors {
    static var wycheproof: URL { SharedVectors.folder("wycheproof") }

    /// The Wycheproof file `name`, or `nil` (with a note) when the corpus is absent; on CI
    /// (`CI=true`) an absent corpus is a failure.
    static func wycheproofFile(_ name: String) -> URL? {
        let url = wycheproof.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            let message = "Wycheproof file \(url.path) not found (set SIGIL_VECTORS_DIR)"
            if SharedVectors.isCI {
                Issue.record(Comment(rawValue: message))
            } else {
                print("skipped: \(message)")
            }
            return nil
        }
        return url
    }

    /// Every Wycheproof file whose name starts with `prefix`, sorted.
    static func wycheproofFiles(prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: wycheproof.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }
}

/// Lowercase or uppercase hex to bytes; `nil` for odd lengths or other characters.
func decodeHex(_ hex: String) -> [UInt8]? {
    TestSupport.bytes(hex: hex)
}

/// A hex string in a vector file, decoded when read.
struct Hex: Decodable, Sendable {
    let bytes: [UInt8]

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let decoded = decodeHex(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not hex: \(text.prefix(40))"))
        }
        bytes = decoded
    }
}

extension GnuTLSDigest {
    /// The digest Wycheproof names `SHA-1`, `SHA-224`, `SHA-256`, `SHA-384` or `SHA-512`.
    init?(wycheproofName name: String) {
        switch name {
        case "SHA-1": self = .sha1
        case "SHA-224": self = .sha224
        case "SHA-256": self = .sha256
        case "SHA-384": self = .sha384
        case "SHA-512": self = .sha512
        default: return nil
        }
    }
}

/// Counts of a vector run: what ran, by outcome, and what was skipped, by reason.
struct VectorTally: CustomStringConvertible {
    var passed = 0
    var failed = 0
    var skipped: [String: Int] = [:]

    var total: Int { passed + failed + skipped.values.reduce(0, +) }

    mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

    mutating func record(_ ok: Bool) {
        if ok { passed += 1 } else { failed += 1 }
    }

    var description: String {
        let skips = skipped.sorted { $0.key < $1.key }.map { "\($0.value) skipped (\($0.key))" }
        return (["\(passed) passed", "\(failed) failed"] + skips).joined(separator: ", ")
    }
}
