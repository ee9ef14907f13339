import Foundation
@testable import SigilKMS
import SigilTestSupport
import Testing

/// The hand-written JSON of the hot responses (KMSJSONWriter.swift) against Foundation's
/// JSONEncoder configured as `KMSJSON`'s is: the bytes must be identical for every value.
@Suite struct KMSJSONWriterTests {
    /// The shapes that write their own JSON.
    enum HotResponse: String, CaseIterable, Sendable {
        case sign, verify, encrypt, decrypt, generateDataKey, generateDataKeyWithoutPlaintext, getPublicKey
    }

    @Test(arguments: HotResponse.allCases)
    func handWrittenJSONIsByteForByteJSONEncoders(_ shape: HotResponse) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let values = Self.values(of: shape)
        var mismatches = 0
        for value in values {
            let expected = try encoder.encode(value)
            let written = value.jsonData()
            let viaKMSJSON = try KMSJSON.encode(value)
            if written != expected || viaKMSJSON != expected {
                mismatches += 1
                if mismatches <= 3 {
                    let message = "\(shape): wrote \(String(decoding: written, as: UTF8.self)), "
                        + "JSONEncoder wrote \(String(decoding: expected, as: UTF8.self))"
                    Issue.record(Comment(rawValue: message))
                }
            }
        }
        print("\(shape): \(values.count) values compared, \(mismatches) mismatches")
        #expect(mismatches == 0)
        // Five rounds over the largest pool, plus the all-absent value.
        #expect(values.count == 5 * Pick.roundLength + 1)
    }

    @Test func everyHotResponseTakesTheHandWrittenPath() {
        for shape in HotResponse.allCases {
            let value: Any = Self.values(of: shape)[0]
            #expect(value is any KMSJSONWritable, "\(shape)")
        }
        // A shape that is not hot still goes through JSONEncoder.
        let other: Any = KMS.DescribeKeyResponse()
        #expect(!(other is any KMSJSONWritable))
    }

    @Test func blobsOfEveryLengthUpTo70MatchFoundationsBase64() throws {
        for blob in Self.blobs {
            let written = KMS.EncryptResponse(ciphertextBlob: blob).jsonData()
            #expect(written == Data(#"{"CiphertextBlob":"\#(blob.data.base64EncodedString())"}"#.utf8))
        }
    }

    // MARK: Values

    static func values(of shape: HotResponse) -> [any KMSJSONWritable] {
        switch shape {
        case .sign:
            return cases { pick in
                KMS.SignResponse(
                    keyId: pick.value(strings, member: 0), signature: pick.value(blobs, member: 1),
                    signingAlgorithm: pick.value(enumerations(KMS.SigningAlgorithm.self), member: 2))
            }
        case .verify:
            return cases { pick in
                KMS.VerifyResponse(
                    keyId: pick.value(strings, member: 0), signatureValid: pick.value([true, false], member: 1),
                    signingAlgorithm: pick.value(enumerations(KMS.SigningAlgorithm.self), member: 2))
            }
        case .encrypt:
            return cases { pick in
                KMS.EncryptResponse(
                    ciphertextBlob: pick.value(blobs, member: 0), keyId: pick.value(strings, member: 1),
                    encryptionAlgorithm: pick.value(enumerations(KMS.EncryptionAlgorithm.self), member: 2))
            }
        case .decrypt:
            return cases { pick in
                KMS.DecryptResponse(
                    keyId: pick.value(strings, member: 0), plaintext: pick.value(blobs, member: 1),
                    encryptionAlgorithm: pick.value(enumerations(KMS.EncryptionAlgorithm.self), member: 2),
                    ciphertextForRecipient: pick.value(blobs, member: 3), keyMaterialId: pick.value(strings, member: 4))
            }
        case .generateDataKey:
            return cases { pick in
                KMS.GenerateDataKeyResponse(
                    ciphertextBlob: pick.value(blobs, member: 0), plaintext: pick.value(blobs, member: 1),
                    keyId: pick.value(strings, member: 2), ciphertextForRecipient: pick.value(blobs, member: 3),
                    keyMaterialId: pick.value(strings, member: 4))
            }
        case .generateDataKeyWithoutPlaintext:
            return cases { pick in
                KMS.GenerateDataKeyWithoutPlaintextResponse(
                    ciphertextBlob: pick.value(blobs, member: 0), keyId: pick.value(strings, member: 1),
                    keyMaterialId: pick.value(strings, member: 2))
            }
        case .getPublicKey:
            return cases { pick in
                KMS.GetPublicKeyResponse(
                    keyId: pick.value(strings, member: 0), publicKey: pick.value(blobs, member: 1),
                    customerMasterKeySpec: pick.value(enumerations(KMS.KeySpec.self), member: 2),
                    keySpec: pick.value(enumerations(KMS.KeySpec.self), member: 3),
                    keyUsage: pick.value(enumerations(KMS.KeyUsage.self), member: 4),
                    encryptionAlgorithms: pick.value(enumerationLists(KMS.EncryptionAlgorithm.self), member: 5),
                    signingAlgorithms: pick.value(enumerationLists(KMS.SigningAlgorithm.self), member: 6),
                    keyAgreementAlgorithms: pick.value(stringLists, member: 7),
                    encapsulationAlgorithms: pick.value(stringLists, member: 8))
            }
        }
    }

    /// Which value each member takes in one generated case.
    ///
    /// Rounds 0–3 leave out a different quarter of the members each (member `m` is absent
    /// when `(round + m) % 4 == 0`); round 4 has every member present. Within a round the
    /// index walks every value of every pool. Round -1 is the value with nothing present.
    struct Pick {
        static var roundLength: Int { max(KMSJSONWriterTests.strings.count, KMSJSONWriterTests.blobs.count) }
        let round: Int
        let index: Int

        func value<Value>(_ pool: [Value], member: Int) -> Value? {
            if round < 0 || (round < 4 && (round + member) % 4 == 0) { return nil }
            return pool[(index + member * 17) % pool.count]
        }
    }

    static func cases(_ make: (Pick) -> any KMSJSONWritable) -> [any KMSJSONWritable] {
        var values = [make(Pick(round: -1, index: 0))]
        for round in 0..<5 {
            for index in 0..<Pick.roundLength {
                values.append(make(Pick(round: round, index: index)))
            }
        }
        return values
    }

    /// Strings for every escape JSONEncoder writes and everything it leaves alone: each
    /// ASCII character alone between two letters, quotes, backslashes, slashes, control
    /// characters, non-ASCII and astral characters, and realistic key ARNs.
    static let strings: [String] = {
        var strings = [
            "",
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/with/slashes//",
            #""quoted""#,
            #"back\slash\\"#,
            #"\"\\"\"#,
            String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self),
            "\r\n\t\u{8}\u{C}\u{0}\u{1F}",
            "\u{7F} DEL",
            "ünïcödé",
            "日本語のキー",
            "emoji 🔐 👩‍👩‍👧",
            "\u{2028}\u{2029}\u{FEFF}\u{85}",
            "</script>",
            "mixed \"/\\\u{1}\u{1F}é/\u{10FFFF}",
            String(repeating: "long/\"", count: 300),
        ]
        for scalar in 0..<0x80 {
            strings.append("a\(Character(Unicode.Scalar(UInt8(scalar))))z")
        }
        return strings
    }()

    /// Blobs of every length 0…70 (every base64 padding case, several times), random
    /// bytes from a fixed seed, plus all-zero, all-0xFF, every byte value, and one large
    /// enough to grow the writer's buffer.
    static let blobs: [Base64Blob] = {
        var generator = SplitMix64(seed: 0x5161_4A53_4F4E)
        var blobs = (0...70).map { length in
            Base64Blob((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        for length in 1...6 {
            blobs.append(Base64Blob(repeatElement(0x00, count: length)))
            blobs.append(Base64Blob(repeatElement(0xFF, count: length)))
        }
        blobs.append(Base64Blob(0...255))
        blobs.append(Base64Blob((0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        return blobs
    }()

    /// Every value the model knows, and unknown values that need escaping.
    static func enumerations<Value: KMSEnumeration>(_: Value.Type) -> [Value] {
        let unknown = ["", #"NOT/"KNOWN"\"#, "\u{0}\u{1F}", "ÉCDSA"]
        return (Value.knownValues + unknown).map { (rawValue: String) -> Value in Value(rawValue: rawValue) }
    }

    static func enumerationLists<Value: KMSEnumeration>(_: Value.Type) -> [[Value]] {
        let all = enumerations(Value.self)
        return [[], all, Array(all.prefix(1)), Array(all.suffix(3))] + all.map { [$0] }
    }

    static let stringLists: [[String]] = [[], ["ECDH"], ["ML_KEM_768", "a/b", #""q""#, "\u{1}"]]
        + strings.indices.map { Array(strings[$0..<min($0 + 3, strings.count)]) }
}
