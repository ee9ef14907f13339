internal import Foundation
internal import SigilCrypto

/// The limits KMS puts on what a caller names and stores, checked before anything is written.
enum Validation {
    static func account(_ account: String) throws {
        guard account.utf8.count == 12, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw KeyStoreError(.invalidArgument, "an account id is 12 digits, not \(quoted(account))")
        }
    }

    static func region(_ region: String) throws {
        guard (1...32).contains(region.utf8.count),
            region.utf8.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2d })
        else {
            throw KeyStoreError(.invalidArgument, "a region is lowercase letters, digits and dashes, not \(quoted(region))")
        }
    }

    static func description(_ description: String) throws {
        guard description.count <= 8192 else {
            throw KeyStoreError(.invalidArgument, "Description is at most 8192 characters, but has \(description.count)")
        }
    }

    static func policy(_ policy: String) throws {
        guard policy.utf8.count <= 32768 else {
            throw KeyStoreError(.invalidArgument, "a key policy is at most 32768 bytes, but has \(policy.utf8.count)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(policy.utf8))) is [String: Any] else {
            throw KeyStoreError(.invalidArgument, "the key policy is not a JSON object")
        }
    }

    static let maximumTags = 50

    static func tags(_ tags: [KeyTag]) throws {
        guard tags.count <= maximumTags else {
            throw KeyStoreError(.invalidArgument, "a key has at most \(maximumTags) tags, but \(tags.count) were given")
        }
        for tag in tags {
            guard (1...128).contains(tag.key.count) else {
                throw KeyStoreError(.invalidArgument, "a TagKey is 1 to 128 characters, not \(tag.key.count)")
            }
            guard tag.value.count <= 256 else {
                throw KeyStoreError(.invalidArgument, "a TagValue is at most 256 characters, not \(tag.value.count)")
            }
            guard !tag.key.lowercased().hasPrefix("aws:") else {
                throw KeyStoreError(.invalidArgument, "tag keys starting with aws: are reserved: \(quoted(tag.key))")
            }
        }
    }

    /// `alias/` then 1 to 250 of letters, digits, `/`, `_` and `-`; `alias/aws/` is AWS's.
    static func aliasName(_ name: String) throws {
        guard name.hasPrefix("alias/") else {
            throw KeyStoreError(.invalidArgument, "an alias name starts with alias/: \(quoted(name))")
        }
        let rest = name.utf8.dropFirst("alias/".utf8.count)
        guard (1...250).contains(rest.count),
            rest.allSatisfy({ byte in
                (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == 0x2f || byte == 0x5f || byte == 0x2d
            })
        else {
            throw KeyStoreError(
                .invalidArgument,
                "an alias name is alias/ then 1 to 250 letters, digits, slashes, underscores or dashes: \(quoted(name))")
        }
        guard !name.hasPrefix("alias/aws/") else {
            throw KeyStoreError(.invalidArgument, "alias names starting with alias/aws/ are reserved for AWS: \(quoted(name))")
        }
    }

    static let rotationPeriodDays = 90...2560

    static func rotationPeriod(_ days: Int) throws {
        guard rotationPeriodDays.contains(days) else {
            throw KeyStoreError(
                .invalidArgument,
                "RotationPeriodInDays is between \(rotationPeriodDays.lowerBound) and \(rotationPeriodDays.upperBound), not \(days)")
        }
    }

    /// Quotes a caller's string for an error message, cut short so a huge input cannot
    /// flood a log.
    static func quoted(_ value: String) -> String {
        let short = value.count > 80 ? String(value.prefix(80)) + "…" : value
        return "\"\(short)\""
    }
}
