import Foundation
import SigilCrypto

/// The ciphertext blob of a `SYMMETRIC_DEFAULT` key: self-describing, so that Decrypt
/// finds the key and the material version without being told, as KMS does.
///
/// Format version 1, all integers big-endian:
///
/// ```
/// offset  size  field
/// 0       1     format version, 0x01
/// 1       16    key id: the key's UUID as its 16 raw bytes
/// 17      4     material version: 1, plus one per rotation (UInt32)
/// 21      12    nonce: random, fresh for every encryption
/// 33      n     AES-256-GCM ciphertext of the n-byte plaintext
/// 33+n    16    AES-GCM tag
/// ```
///
/// The AES-GCM key is the named material version of the named key. The AAD binds
/// everything a ciphertext must not be moved away from:
///
/// ```
/// "sigil-kms-symmetric-v1" 0x00
/// header (bytes 0..<21: format version, key id, material version)
/// UInt16 length of the key ARN, the key ARN (UTF-8)
/// the canonical encryption context
/// ```
///
/// The canonical encryption context is a UInt32 pair count, then the pairs sorted by
/// the UTF-8 bytes of their keys, each as UInt32 length + UTF-8 key, UInt32 length +
/// UTF-8 value. An absent and an empty context serialize alike (KMS treats them alike);
/// any other difference of key, value or pair count changes the AAD, so the tag fails
/// and Decrypt answers `InvalidCiphertextException`.
///
/// Nothing in the blob is secret; the key id in clear is what KMS also reveals (its
/// blobs name the key too).
struct SymmetricCiphertext: Equatable, Sendable {
    static let formatVersion: UInt8 = 1
    static let headerSize = 1 + 16 + 4
    static let nonceSize = 12
    static let tagSize = 16
    /// The smallest blob: a header, a nonce, one byte of ciphertext and a tag.
    static let minimumSize = headerSize + nonceSize + 1 + tagSize
    static let aadLabel = Array("sigil-kms-symmetric-v1".utf8) + [0]

    /// The key id, a lowercase UUID as the store names keys.
    var keyID: String
    /// The material version the plaintext was sealed with.
    var materialVersion: Int
    var nonce: [UInt8]
    var ciphertext: [UInt8]
    var tag: [UInt8]

    init(keyID: String, materialVersion: Int, nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.keyID = keyID
        self.materialVersion = materialVersion
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// Parses a blob.
    ///
    /// - Returns: `nil` for anything that is not a format-1 blob (the caller answers
    ///   `InvalidCiphertextException`; whether it is authentic is decided by AES-GCM).
    init?(parsing blob: [UInt8]) {
        guard blob.count >= Self.minimumSize, blob[0] == Self.formatVersion else { return nil }
        let version = blob[17..<21].reduce(0) { $0 << 8 | Int($1) }
        guard version >= 1 else { return nil }
        keyID = Self.uuidText(blob[1..<17])
        materialVersion = version
        nonce = Array(blob[21..<33])
        ciphertext = Array(blob[33..<(blob.count - Self.tagSize)])
        tag = Array(blob[(blob.count - Self.tagSize)...])
    }

    /// The header: format version, key id, material version.
    ///
    /// - Returns: `nil` when the key id is not a UUID or the version does not fit.
    static func header(keyID: String, materialVersion: Int) -> [UInt8]? {
        guard let id = uuidBytes(keyID), (1...Int(UInt32.max)).contains(materialVersion) else { return nil }
        return [formatVersion] + id + bigEndian(UInt32(materialVersion))
    }

    /// The offsets of a UUID's 16 bytes that its text writes a dash before: `8-4-4-4-12`
    /// hex digits.
    private static let dashBeforeByte = [4, 6, 8, 10]

    /// The 16 bytes of a UUID written as `8-4-4-4-12` hex digits of either case, as
    /// Foundation's `UUID(uuidString:)` reads it (which parses with `sscanf`, and showed in
    /// the key holder's profile of GenerateDataKey); `nil` for any other text.
    static func uuidBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 36 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var index = 0
        for offset in 0..<16 {
            if dashBeforeByte.contains(offset) {
                guard digits[index] == UInt8(ascii: "-") else { return nil }
                index += 1
            }
            guard let high = Hex.value(of: digits[index]), let low = Hex.value(of: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// A UUID's 16 bytes as lowercase `8-4-4-4-12` text, as the store names keys.
    static func uuidText(_ bytes: ArraySlice<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (offset, byte) in bytes.enumerated() {
            if dashBeforeByte.contains(offset) { text.append(UInt8(ascii: "-")) }
            Hex.appendLowercase(CollectionOfOne(byte), to: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The serialized blob.
    var bytes: [UInt8] {
        // The key id and version were checked when the header was first made.
        (Self.header(keyID: keyID, materialVersion: materialVersion) ?? []) + nonce + ciphertext + tag
    }

    /// The AAD for this blob's key, material version and encryption context.
    ///
    /// - Returns: `nil` when a field does not fit its length prefix (never for what fits
    ///   in a request): refused rather than truncated.
    static func aad(keyID: String, materialVersion: Int, keyARN: String, context: [String: String]?) -> [UInt8]? {
        guard let header = header(keyID: keyID, materialVersion: materialVersion) else { return nil }
        let arn = Array(keyARN.utf8)
        guard arn.count <= Int(UInt16.max) else { return nil }
        var aad = aadLabel + header
        aad += bigEndian(UInt16(arn.count)) + arn
        guard let canonical = canonicalContext(context) else { return nil }
        aad += canonical
        return aad
    }

    /// The canonical serialization of an encryption context (see the type's documentation).
    static func canonicalContext(_ context: [String: String]?) -> [UInt8]? {
        let pairs = (context ?? [:]).map { (Array($0.key.utf8), Array($0.value.utf8)) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
        guard pairs.count <= Int(UInt32.max) else { return nil }
        var bytes = bigEndian(UInt32(pairs.count))
        for (key, value) in pairs {
            guard key.count <= Int(UInt32.max), value.count <= Int(UInt32.max) else { return nil }
            bytes += bigEndian(UInt32(key.count)) + key
            bytes += bigEndian(UInt32(value.count)) + value
        }
        return bytes
    }

    private static func bigEndian<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
