// The key holder's SYMMETRIC_DEFAULT ciphertext blob (SigilKeyHolder's
// SymmetricCiphertext, compiled into this harness: the service module itself pulls in
// Hummingbird and NIO).
//
// Input: the blob. Invariants: a blob that parses serializes to the same bytes, and its
// header is the header made from its key id and version; the AAD of a parsed blob exists
// for any context and ends with that context's canonical form.
import Foundation

enum FuzzTarget {
    static let keyARN = "arn:aws:kms:us-east-1:111122223333:key/"

    static func run(_ bytes: [UInt8]) {
        guard let blob = SymmetricCiphertext(parsing: bytes) else { return }
        invariant(blob.bytes == bytes, "the blob does not serialize to the bytes it was parsed from")
        let header = SymmetricCiphertext.header(keyID: blob.keyID, materialVersion: blob.materialVersion)
        invariant(header == Array(bytes[0..<SymmetricCiphertext.headerSize]), "the header is not the one its fields make")
        invariant(SymmetricCiphertext(parsing: blob.bytes) == blob, "parsing is not stable")
        // An encryption context made of the ciphertext's own bytes, split into pairs.
        var context: [String: String] = [:]
        for pair in blob.ciphertext.split(separator: 0, omittingEmptySubsequences: false).prefix(16) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            context[String(decoding: parts[0], as: UTF8.self)] = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
        }
        guard let aad = SymmetricCiphertext.aad(
            keyID: blob.keyID, materialVersion: blob.materialVersion, keyARN: keyARN + blob.keyID, context: context),
            let canonical = SymmetricCiphertext.canonicalContext(context)
        else {
            invariant(false, "no AAD for a parsed blob")
            return
        }
        invariant(aad.starts(with: SymmetricCiphertext.aadLabel + (header ?? [])), "the AAD does not start with label and header")
        invariant(Array(aad.suffix(canonical.count)) == canonical, "the AAD does not end with the canonical context")
        invariant(
            SymmetricCiphertext.canonicalContext(context.isEmpty ? nil : context) == canonical,
            "an absent and an empty context differ")
    }

    /// Blobs laid out as the key holder writes them, with random nonces and ciphertexts.
    static func seeds() throws -> [(String, [UInt8])] {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let examples: [(String, String, Int, Int)] = [
            ("one-byte", "1234abcd-12ab-34cd-56ef-1234567890ab", 1, 1),
            ("rotated", "0f8e7d6c-5b4a-4938-8271-605f4e3d2c1b", 3, 48),
            ("context-pairs", "ffffffff-ffff-4fff-bfff-ffffffffffff", 4_294_967_295, 0),
        ]
        return examples.map { name, keyID, version, length in
            let content = length == 0 ? Array("tenant=blue\0purpose=fuzz\0=".utf8) : random(length)
            let blob = SymmetricCiphertext(
                keyID: keyID, materialVersion: version, nonce: random(SymmetricCiphertext.nonceSize), ciphertext: content,
                tag: random(SymmetricCiphertext.tagSize))
            return (name, blob.bytes)
        }
    }
}
