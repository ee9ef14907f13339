// sigil-vectorgen: writes signature test vectors made with GnuTLS, for Sigil to replay on
// any machine (Tests/VectorReplayTests) without GnuTLS installed.
//
// Usage: sigil-vectorgen [OUTPUT-DIRECTORY]   (default: vectors)
//
// Every case is checked with GnuTLS before it is written: a "valid" case must verify and
// an "invalid" one must not, so a file never claims what GnuTLS itself disputes.

import Foundation
import GnuTLSCheck
import SigilTestSupport

/// How many valid cases each file gets, and the largest RAW message.
let validRawCount = 12
let validDigestCount = 8
let maximumMessageLength = 2048

struct GenerationFailure: Error, CustomStringConvertible {
    let description: String
}

func randomBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: .min ... .max) }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}

func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

func flippingBit(_ bytes: [UInt8], at bit: Int) -> [UInt8] {
    var copy = bytes
    copy[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
    return copy
}

func randomBit(in bytes: [UInt8]) -> Int { Int.random(in: 0..<(bytes.count * 8)) }

/// A case before it is encoded, with what GnuTLS needs to check it.
struct PendingCase {
    enum Input {
        case raw([UInt8])
        case digest([UInt8])
    }
    let input: Input
    let signature: [UInt8]
    let isValid: Bool
    let comment: String
}

func makeCases(
    key: GnuTLSPrivateKey, otherKey: GnuTLSPrivateKey, algorithm: GnuTLSSignatureAlgorithm
) throws -> [PendingCase] {
    var cases = [PendingCase]()
    // Valid RAW cases: the edges (empty, one byte, the largest) and random lengths.
    var rawLengths = [0, 1, maximumMessageLength]
    while rawLengths.count < validRawCount {
        rawLengths.append(Int.random(in: 2..<maximumMessageLength))
    }
    var rawSamples = [([UInt8], [UInt8])]()
    for length in rawLengths {
        let message = randomBytes(length)
        let signature = try key.signature(for: message, algorithm: algorithm)
        rawSamples.append((message, signature))
        cases.append(.init(input: .raw(message), signature: signature, isValid: true,
                           comment: "\(length)-byte message, signed with sign_data2"))
    }
    // Valid DIGEST cases: the digest of a random message, signed with sign_hash2.
    var digestSamples = [([UInt8], [UInt8])]()
    for _ in 0..<validDigestCount {
        let length = Int.random(in: 0...maximumMessageLength)
        let digest = try algorithm.digest.hash(randomBytes(length))
        let signature = try key.signature(forDigest: digest, algorithm: algorithm)
        digestSamples.append((digest, signature))
        cases.append(.init(input: .digest(digest), signature: signature, isValid: true,
                           comment: "\(algorithm.digest.kmsName) digest of a \(length)-byte message, signed with sign_hash2"))
    }

    // Tampered cases, each derived from a valid one above.
    let (message, rawSignature) = rawSamples[Int.random(in: 3..<rawSamples.count)]
    let (digest, digestSignature) = digestSamples[0]
    cases.append(.init(input: .raw(message), signature: flippingBit(rawSignature, at: randomBit(in: rawSignature)),
                       isValid: false, comment: "flipped bit in signature"))
    cases.append(.init(input: .digest(digest), signature: flippingBit(digestSignature, at: randomBit(in: digestSignature)),
                       isValid: false, comment: "flipped bit in signature over a digest"))
    cases.append(.init(input: .raw(flippingBit(message, at: randomBit(in: message))), signature: rawSignature,
                       isValid: false, comment: "flipped bit in message"))
    cases.append(.init(input: .digest(flippingBit(digest, at: randomBit(in: digest))), signature: digestSignature,
                       isValid: false, comment: "flipped bit in digest"))
    cases.append(.init(input: .raw(message), signature: Array(rawSignature.dropLast()),
                       isValid: false, comment: "truncated signature (last byte removed)"))
    cases.append(.init(input: .raw(message), signature: Array(rawSignature.prefix(rawSignature.count / 2)),
                       isValid: false, comment: "truncated signature (half)"))
    cases.append(.init(input: .raw(message), signature: rawSignature + [0],
                       isValid: false, comment: "signature with a trailing zero byte"))
    cases.append(.init(input: .raw(message), signature: [],
                       isValid: false, comment: "empty signature"))
    cases.append(.init(input: .digest(digestSamples[1].0), signature: digestSignature,
                       isValid: false, comment: "wrong digest (the digest of another message)"))
    let signedAsRaw = try key.signature(for: digest, algorithm: algorithm)
    cases.append(.init(input: .digest(digest), signature: signedAsRaw,
                       isValid: false, comment: "digest that was signed as a RAW message (hashed twice)"))
    cases.append(.init(input: .digest(Array(digest.dropLast())), signature: digestSignature,
                       isValid: false, comment: "digest one byte shorter than the hash (wrong length)"))
    cases.append(.init(input: .raw(message), signature: try otherKey.signature(for: message, algorithm: algorithm),
                       isValid: false, comment: "signature by another key of the same spec"))
    return cases
}

/// Checks every case with GnuTLS; a thrown GnuTLS error counts as "not valid".
func confirm(_ cases: [PendingCase], publicKey: GnuTLSPublicKey, algorithm: GnuTLSSignatureAlgorithm) throws {
    for (index, pending) in cases.enumerated() {
        let verified: Bool
        do {
            switch pending.input {
            case .raw(let message):
                verified = try publicKey.isValidSignature(pending.signature, for: message, algorithm: algorithm)
            case .digest(let digest):
                verified = try publicKey.isValidSignature(pending.signature, forDigest: digest, algorithm: algorithm)
            }
        } catch let error as GnuTLSError {
            guard !pending.isValid else { throw error }
            verified = false
        }
        guard verified == pending.isValid else {
            throw GenerationFailure(description:
                "\(algorithm.kmsName) case \(index + 1) (\(pending.comment)): GnuTLS says \(verified), expected \(pending.isValid)")
        }
    }
}

func encode(_ cases: [PendingCase]) -> [SignatureVectorCase] {
    cases.enumerated().map { index, pending in
        var encoded = SignatureVectorCase(
            id: index + 1, messageType: "RAW", message: nil, digest: nil,
            signature: base64(pending.signature), expected: pending.isValid ? "valid" : "invalid",
            comment: pending.comment
        )
        switch pending.input {
        case .raw(let message):
            encoded.message = hex(message)
        case .digest(let digest):
            encoded.messageType = "DIGEST"
            encoded.digest = hex(digest)
        }
        return encoded
    }
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") || arguments.count > 1 {
    print("usage: sigil-vectorgen [OUTPUT-DIRECTORY]   (default: vectors)")
    exit(arguments.count > 1 ? 64 : 0)
}
let outputDirectory = URL(fileURLWithPath: arguments.first ?? "vectors", isDirectory: true)

do {
    try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var keys = [GnuTLSKeySpec: (GnuTLSPrivateKey, GnuTLSPrivateKey)]()
    for algorithm in GnuTLSSignatureAlgorithm.all {
        let spec = algorithm.defaultKeySpec
        let (key, otherKey): (GnuTLSPrivateKey, GnuTLSPrivateKey)
        if let existing = keys[spec] {
            (key, otherKey) = existing
        } else {
            (key, otherKey) = (try GnuTLSPrivateKey(generating: spec), try GnuTLSPrivateKey(generating: spec))
            keys[spec] = (key, otherKey)
        }
        let publicKeyDER = try key.publicKeyDERRepresentation()
        let cases = try makeCases(key: key, otherKey: otherKey, algorithm: algorithm)
        try confirm(cases, publicKey: try GnuTLSPublicKey(derRepresentation: publicKeyDER), algorithm: algorithm)
        let file = SignatureVectorFile(
            generator: GnuTLSLibrary.generatorName, algorithm: algorithm.kmsName, keySpec: spec.kmsName,
            publicKey: base64(publicKeyDER), signatureFormat: algorithm.isECDSA ? "DER" : "RAW",
            cases: encode(cases)
        )
        let url = outputDirectory.appendingPathComponent("gnutls-signatures-\(algorithm.kmsName).json")
        var data = try encoder.encode(file)
        data.append(0x0a)
        try data.write(to: url, options: .atomic)
        let valid = cases.filter(\.isValid).count
        print("\(url.path): \(cases.count) cases (\(valid) valid, \(cases.count - valid) invalid)")
    }
} catch {
    FileHandle.standardError.write(Data("sigil-vectorgen: \(error)\n".utf8))
    exit(1)
}
