import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Hand-made COSE_Sign1 messages with chosen headers, signed or not.
enum COSESign1TestMessages {
    static func encode(
        protected: [CBOR.MapEntry], unprotected: [CBOR.MapEntry] = [], payload: CBOR, signature: [UInt8], tag: UInt64? = 18
    ) throws -> [UInt8] {
        let protectedBytes = protected.isEmpty ? [] : try CBOR.map(protected).deterministicEncoding()
        let body = CBOR.array([.byteString(protectedBytes), .map(unprotected), payload, .byteString(signature)])
        return try (tag.map { CBOR.tagged($0, body) } ?? body).deterministicEncoding()
    }

    /// A message signed with ES256 by `privateKey` over whatever headers are given.
    static func signed(
        protected: [CBOR.MapEntry], unprotected: [CBOR.MapEntry] = [], payload: [UInt8] = Array("payload".utf8),
        with privateKey: AsymmetricPrivateKey
    ) throws -> [UInt8] {
        let protectedBytes = protected.isEmpty ? [] : try CBOR.map(protected).deterministicEncoding()
        let toBeSigned = COSESign1.signatureStructure(protectedHeader: protectedBytes, externalAAD: [], payload: payload)
        let der = try privateKey.signature(forDigest: HashFunction.sha256.hash(toBeSigned), scheme: .ecdsa(hash: .sha256))
        return try encode(
            protected: protected, unprotected: unprotected, payload: .byteString(payload),
            signature: ECDSASignature.raw(fromDER: der, curve: .p256))
    }
}

/// Malformed, hostile and rule-breaking COSE_Sign1 input: each is an error or `invalid`,
/// never a crash, never a payload.
@Suite struct COSEBadInputTests {
    static let kid = CBOR.MapEntry(key: 4, value: .byteString(Array("device-1".utf8)))
    static let es256 = CBOR.MapEntry(key: 1, value: -7)

    /// The outcome of parsing and verifying `message`: "valid", "invalid" or the error code.
    static func outcome(_ message: [UInt8], _ store: TrustStore) -> String {
        do {
            _ = try COSESign1(cborRepresentation: message).verify(using: store)
            return "valid"
        } catch let error as SigilError where error.code == .authenticationFailure {
            return "invalid"
        } catch let error as SigilError {
            return error.code.name
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test(arguments: [COSEAlgorithm.es256, .ps256, .es512])
    func everyTruncationAndBitFlipIsAnErrorOrInvalid(algorithm: COSEAlgorithm) throws {
        let (privateKey, store) = try COSETestKeys.signer(for: algorithm)
        let builder = try COSESign1Builder(algorithm: algorithm, keyID: "device-1", contentType: .coapContentFormat(0), payload: Array("hello".utf8))
        let message = try COSETestKeys.signedMessage(builder, with: privateKey)
        #expect(Self.outcome(message, store) == "valid")
        var outcomes: [String: Int] = [:]
        for length in 0..<message.count {
            let result = Self.outcome(Array(message.prefix(length)), store)
            #expect(result != "valid" && !result.hasPrefix("unexpected"), "truncated to \(length): \(result)")
            outcomes["truncated: \(result)", default: 0] += 1
        }
        for bit in 0..<(message.count * 8) {
            let result = Self.outcome(TestSupport.flippingBit(bit, of: message), store)
            #expect(result != "valid" && !result.hasPrefix("unexpected"), "bit \(bit) flipped: \(result)")
            outcomes["flipped: \(result)", default: 0] += 1
        }
        print("cose \(algorithm.name) bad-input sweep over \(message.count) bytes: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) == message.count * 9)
    }

    @Test(arguments: [
        ("alg in the unprotected header", [CBOR.MapEntry](), [es256, kid], "must be in the protected header"),
        ("no alg", [kid], [], "has no alg"),
        ("kid in both buckets", [es256, kid], [kid], "in both"),
        ("crit in the unprotected header", [es256], [.init(key: 2, value: .array([4])), kid], "must be in the protected header"),
        ("crit naming an absent label", [es256, .init(key: 2, value: .array([3]))], [kid], "not in the protected header"),
        ("empty crit", [es256, .init(key: 2, value: .array([]))], [kid], "non-empty"),
        ("kid as text", [es256], [.init(key: 4, value: "device-1")], "byte string"),
        ("a float label", [es256, .init(key: .float(1.5), value: 0)], [kid], "labels are integers or text"),
        ("content type too large", [es256, .init(key: 3, value: 70000)], [kid], "content type"),
    ] as [(String, [CBOR.MapEntry], [CBOR.MapEntry], String)])
    func refusesHeadersThatBreakTheRules(name: String, protected: [CBOR.MapEntry], unprotected: [CBOR.MapEntry], reason: String) throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .es256)
        let message = try COSESign1TestMessages.signed(protected: protected, unprotected: unprotected, with: privateKey)
        let error = #expect(throws: SigilError.self, "\(name)") { try COSESign1(cborRepresentation: message).verify(using: store) }
        #expect(error?.code == .malformedMessage, "\(name)")
        #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "")")
    }

    @Test func refusesUnknownCriticalHeadersAndHonoursKnownOnes() throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .es256)
        for label: CBOR in [99, "exp"] {
            let message = try COSESign1TestMessages.signed(
                protected: [Self.es256, .init(key: 2, value: .array([label])), .init(key: label, value: 1)],
                unprotected: [Self.kid], with: privateKey)
            let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: message) }
            #expect(error?.code == .unsupportedMessage)
            #expect(error?.message.contains("critical") == true)
        }
        let known = try COSESign1TestMessages.signed(
            protected: [Self.es256, .init(key: 2, value: .array([4])), Self.kid], with: privateKey)
        #expect(Self.outcome(known, store) == "valid")
    }

    @Test(arguments: [
        ("alg as text", CBOR.MapEntry(key: 1, value: "ES256")), ("EdDSA", .init(key: 1, value: -8)),
        ("HMAC 256/256", .init(key: 1, value: 5)), ("alg -999", .init(key: 1, value: -999)),
        ("alg below Int.min", .init(key: 1, value: .negative(UInt64.max))),
    ])
    func refusesAlgorithmsOutsideTheTable(name: String, alg: CBOR.MapEntry) throws {
        let (privateKey, _) = try COSETestKeys.signer(for: .es256)
        let message = try COSESign1TestMessages.signed(protected: [alg], unprotected: [Self.kid], with: privateKey)
        let error = #expect(throws: SigilError.self, "\(name)") { try COSESign1(cborRepresentation: message) }
        #expect(error?.code == .unknownAlgorithm, "\(name)")
    }

    @Test func refusesMessagesThatAreNotCOSESign1() throws {
        let protected = [Self.es256]
        let signature = [UInt8](repeating: 1, count: 64)
        let cases: [(String, [UInt8], String)] = [
            ("tag 98 (COSE_Sign)", try COSESign1TestMessages.encode(protected: protected, payload: .byteString([]), signature: signature, tag: 98), "tag 98"),
            ("three elements", try CBOR.tagged(18, .array([.byteString([]), .map([]), .null])).deterministicEncoding(), "4 elements"),
            ("a map", try CBOR.map([]).deterministicEncoding(), "is an array"),
            ("payload as text", try COSESign1TestMessages.encode(protected: protected, payload: "x", signature: signature), "payload"),
            ("protected as a map", try CBOR.array([.map([Self.es256]), .map([]), .null, .byteString(signature)]).deterministicEncoding(), "protected header must be a byte string"),
            ("protected holding an array", try CBOR.array([.byteString([0x80]), .map([]), .null, .byteString(signature)]).deterministicEncoding(), "hold a map"),
            ("protected with trailing bytes", try CBOR.array([.byteString([0xa1, 0x01, 0x26, 0x00]), .map([]), .null, .byteString(signature)]).deterministicEncoding(), "unexpected bytes"),
            ("protected indefinite map", try CBOR.array([.byteString([0xbf, 0x01, 0x26, 0xff]), .map([]), .null, .byteString(signature)]).deterministicEncoding(), "indefinite"),
            ("protected duplicate alg", try CBOR.array([.byteString([0xa2, 0x01, 0x26, 0x01, 0x26]), .map([]), .null, .byteString(signature)]).deterministicEncoding(), "twice"),
            ("empty protected", try COSESign1TestMessages.encode(protected: [], unprotected: [Self.kid], payload: .null, signature: signature), "no alg"),
            ("signature as text", try CBOR.array([.byteString([0xa1, 0x01, 0x26]), .map([]), .null, "sig"]).deterministicEncoding(), "signature must be"),
        ]
        for (name, message, reason) in cases {
            let error = #expect(throws: SigilError.self, "\(name)") { try COSESign1(cborRepresentation: message) }
            #expect(error?.code == .malformedMessage, "\(name)")
            #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "")")
        }
    }

    @Test func refusesHostileCBORWithClearErrors() throws {
        let nested = [UInt8](repeating: 0x81, count: 50_000) + [0x00]
        let hugeByteString: [UInt8] = [0xd2, 0x84, 0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0]  // bstr of 2^63 bytes
        let hugeArray: [UInt8] = [0xd2, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        let indefinite: [UInt8] = [0xd2, 0x9f, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0xf6, 0x40, 0xff]
        let duplicateUnprotected = try CBOR.array([.byteString([0xa1, 0x01, 0x26]), .map([]), .null, .byteString([])])
            .deterministicEncoding().replacing([0xa0], with: [0xa2, 0x04, 0x40, 0x04, 0x41, 0x00], maxReplacements: 1)
        let cases: [(String, [UInt8], SigilError.Code, String)] = [
            ("50 000 nested arrays", nested, .unsupportedMessage, "nesting deeper"),
            ("a byte string of 2^63 bytes", hugeByteString, .malformedMessage, "declares 9223372036854775808"),
            ("an array of 2^64-1 items", hugeArray, .malformedMessage, "declares"),
            ("an indefinite-length array", indefinite, .malformedMessage, "indefinite"),
            ("a duplicate unprotected label", duplicateUnprotected, .malformedMessage, "twice"),
        ]
        for (name, message, code, reason) in cases {
            let error = #expect(throws: SigilError.self, "\(name)") { try COSESign1(cborRepresentation: message) }
            #expect(error?.code == code, "\(name)")
            #expect(error?.message.contains(reason) == true, "\(name): \(error?.message ?? "")")
        }
    }
}
