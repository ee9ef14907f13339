import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Sigil's CBOR codec against RFC 8949 Appendix A, its deterministic encoding (§4.2.1),
/// and the input its strict reader refuses.
@Suite struct COSECBORTests {
    /// Appendix A examples in preferred serialization: each decodes to the value given and
    /// re-encodes to the same bytes.
    static let appendixA: [(hex: String, value: CBOR)] = [
        ("00", 0), ("01", 1), ("0a", 10), ("17", 23), ("1818", 24), ("1819", 25), ("1864", 100),
        ("1903e8", 1000), ("1a000f4240", 1_000_000), ("1b000000e8d4a51000", 1_000_000_000_000),
        ("1bffffffffffffffff", .unsigned(UInt64.max)),
        ("c249010000000000000000", .tagged(2, .byteString([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("3bffffffffffffffff", .negative(UInt64.max)),
        ("c349010000000000000000", .tagged(3, .byteString([1, 0, 0, 0, 0, 0, 0, 0, 0]))),
        ("20", -1), ("29", -10), ("3863", -100), ("3903e7", -1000),
        ("f90000", .float(0.0)), ("f98000", .float(-0.0)), ("f93c00", .float(1.0)),
        ("fb3ff199999999999a", .float(1.1)), ("f93e00", .float(1.5)), ("f97bff", .float(65504.0)),
        ("fa47c35000", .float(100000.0)), ("fa7f7fffff", .float(3.4028234663852886e+38)),
        ("fb7e37e43c8800759c", .float(1.0e+300)), ("f90001", .float(5.960464477539063e-8)),
        ("f90400", .float(0.00006103515625)), ("f9c400", .float(-4.0)), ("fbc010666666666666", .float(-4.1)),
        ("f97c00", .float(.infinity)), ("f9fc00", .float(-.infinity)),
        ("f4", .boolean(false)), ("f5", .boolean(true)), ("f6", .null), ("f7", .undefined),
        ("f0", .simple(16)), ("f8ff", .simple(255)),
        ("c074323031332d30332d32315432303a30343a30305a", .tagged(0, "2013-03-21T20:04:00Z")),
        ("c11a514b67b0", .tagged(1, 1_363_896_240)), ("c1fb41d452d9ec200000", .tagged(1, .float(1363896240.5))),
        ("d74401020304", .tagged(23, .byteString([1, 2, 3, 4]))),
        ("d818456449455446", .tagged(24, .byteString([0x64, 0x49, 0x45, 0x54, 0x46]))),
        ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", .tagged(32, "http://www.example.com")),
        ("40", .byteString([])), ("4401020304", .byteString([1, 2, 3, 4])),
        ("60", ""), ("6161", "a"), ("6449455446", "IETF"), ("62225c", "\"\\"), ("62c3bc", "\u{fc}"),
        ("63e6b0b4", "\u{6c34}"), ("64f0908591", "\u{10151}"),
        ("80", .array([])), ("83010203", .array([1, 2, 3])),
        ("8301820203820405", .array([1, .array([2, 3]), .array([4, 5])])),
        ("98190102030405060708090a0b0c0d0e0f101112131415161718181819", .array((1...25).map { CBOR($0) })),
        ("a0", .map([])), ("a201020304", .map([.init(key: 1, value: 2), .init(key: 3, value: 4)])),
        ("a26161016162820203", .map([.init(key: "a", value: 1), .init(key: "b", value: .array([2, 3]))])),
        ("826161a161626163", .array(["a", .map([.init(key: "b", value: "c")])])),
        ("a56161614161626142616361436164614461656145",
         .map(["a", "b", "c", "d", "e"].map { CBOR.MapEntry(key: .textString($0), value: .textString($0.uppercased())) })),
    ]

    @Test func decodesAndReencodesAppendixAExamples() throws {
        for (hex, value) in Self.appendixA {
            let bytes = try COSETestKeys.hex(hex)
            let decoded = try CBOR(decoding: bytes)
            #expect(decoded == value, "\(hex)")
            #expect(try decoded.deterministicEncoding() == bytes, "\(hex)")
            #expect(try value.deterministicEncoding() == bytes, "\(hex)")
        }
        print("cbor: \(Self.appendixA.count) RFC 8949 Appendix A examples decoded and re-encoded")
        #expect(Self.appendixA.count == 63)
    }

    @Test func decodesNaNAndReencodesItAsHalfPrecision() throws {
        for hex in ["f97e00", "fa7fc00000", "fb7ff8000000000000"] {
            let decoded = try CBOR(decoding: COSETestKeys.hex(hex))
            guard case .float(let value) = decoded else { Issue.record("\(hex): \(decoded)"); continue }
            #expect(value.isNaN, "\(hex)")
            #expect(try decoded.deterministicEncoding() == [0xf9, 0x7e, 0x00], "\(hex)")
        }
    }

    /// Appendix A floats in wider forms than needed are read, and written in the shortest.
    @Test(arguments: [
        ("fa7f800000", "f97c00"), ("faff800000", "f9fc00"),
        ("fb7ff0000000000000", "f97c00"), ("fbfff0000000000000", "f9fc00"), ("fb3ff8000000000000", "f93e00"),
    ])
    func reencodesWideFloatsInTheirShortestForm(wide: String, shortest: String) throws {
        #expect(try CBOR(decoding: COSETestKeys.hex(wide)).deterministicEncoding() == (try COSETestKeys.hex(shortest)))
    }

    @Test func sortsMapKeysByTheirEncodedBytes() throws {
        // RFC 8949 §4.2.1: 10, 100, -1, "z", "aa", [100], [-1], false.
        let keys: [CBOR] = [.boolean(false), .array([-1]), "aa", .array([100]), 100, "z", -1, 10]
        let map = CBOR.map(keys.enumerated().map { CBOR.MapEntry(key: $0.element, value: CBOR($0.offset)) })
        let encoded = try map.deterministicEncoding()
        let sorted = try #require(try CBOR(decoding: encoded).mapValue).map(\.key)
        #expect(sorted == [10, 100, -1, "z", "aa", .array([100]), .array([-1]), .boolean(false)])
    }

    @Test func refusesToEncodeAMapWithTwoEqualKeys() {
        let map = CBOR.map([.init(key: 1, value: 2), .init(key: 1, value: 3)])
        let error = #expect(throws: SigilError.self) { try map.deterministicEncoding() }
        #expect(error?.code == .invalidArgument)
    }

    /// Indefinite lengths from Appendix A, refused everywhere.
    @Test(arguments: [
        "5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff", "9f01820203820405ff",
        "83018202039f0405ff", "83019f0203ff820405", "bf61610161629f0203ffff", "826161bf61626163ff",
        "bf6346756ef563416d7421ff",
    ])
    func refusesIndefiniteLengths(hex: String) throws {
        let error = #expect(throws: SigilError.self) { try CBOR(decoding: COSETestKeys.hex(hex)) }
        #expect(error?.code == .malformedMessage)
        #expect(error?.message.contains("indefinite") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        ("1801", "shortest form"), ("190017", "shortest form"), ("1a0000ffff", "shortest form"),
        ("1b00000000ffffffff", "shortest form"), ("3800", "shortest form"), ("580100", "shortest form"),
        ("d81261", "shortest form"), ("1c", "reserved"), ("5d", "reserved"), ("fc", "reserved"),
        ("f818", "one byte"), ("ff", "break"), ("0000", "unexpected bytes"), ("", "ends inside"),
        ("1901", "only 1 remain"), ("440102", "only 2 bytes remain"), ("a201020103", "twice"),
        ("a2616101616102", "twice"), ("62c328", "UTF-8"), ("828100", "ends inside"), ("8201", "declares 2"),
    ])
    func refusesMalformedInputWithAClearReason(hex: String, reason: String) throws {
        let error = #expect(throws: SigilError.self) { try CBOR(decoding: COSETestKeys.hex(hex)) }
        #expect(error?.code == .malformedMessage, "\(hex)")
        #expect(error?.message.contains(reason) == true, "\(hex): \(error?.message ?? "")")
    }

    @Test(arguments: [
        "5b8000000000000000", "5bffffffffffffffff", "7b8000000000000000", "9b8000000000000000",
        "bbffffffffffffffff", "5affffffff",
    ])
    func refusesHugeDeclaredLengthsBeforeAllocating(hex: String) throws {
        let error = #expect(throws: SigilError.self) { try CBOR(decoding: COSETestKeys.hex(hex)) }
        #expect(error?.code == .malformedMessage)
        #expect(error?.message.contains("declares") == true, "\(error?.message ?? "")")
    }

    @Test func refusesDeepNestingWithoutExhaustingTheStack() {
        for opener: UInt8 in [0x81, 0xa1, 0xd8] {
            var bytes: [UInt8] = []
            for _ in 0..<100_000 {
                bytes.append(opener)
                if opener == 0xa1 { bytes.append(0x00) }  // a map whose value is the next level
                if opener == 0xd8 { bytes.append(0x20) }  // tag 32 around the next level
            }
            bytes.append(0x00)
            let error = #expect(throws: SigilError.self) { try CBOR(decoding: bytes) }
            #expect(error?.code == .unsupportedMessage)
            #expect(error?.message.contains("nesting deeper than 16") == true, "\(error?.message ?? "")")
        }
        let atLimit = [UInt8](repeating: 0x81, count: 15) + [0x00]
        #expect((try? CBOR(decoding: atLimit)) != nil)
    }

    @Test func refusesMoreItemsOrBytesThanTheLimitsAllow() throws {
        let manyItems: [UInt8] = [0x99, 0x13, 0x88] + [UInt8](repeating: 0, count: 5000)
        let error = #expect(throws: SigilError.self) { try CBOR(decoding: manyItems) }
        #expect(error?.code == .unsupportedMessage)
        let tight = CBOR.DecodingLimits(maximumDepth: 4, maximumItems: 10, maximumSize: 8)
        let tooLarge = #expect(throws: SigilError.self) { try CBOR(decoding: [0x48] + [UInt8](repeating: 1, count: 8), limits: tight) }
        #expect(tooLarge?.code == .unsupportedMessage)
        #expect(try CBOR(decoding: [0x47] + [UInt8](repeating: 1, count: 7), limits: tight) == .byteString([UInt8](repeating: 1, count: 7)))
    }

    @Test func roundTripsIntegersAtEveryWidthBoundary() throws {
        let boundaries: [UInt64] = [0, 23, 24, 255, 256, 65535, 65536, 0xffff_ffff, 0x1_0000_0000, UInt64.max]
        for value in boundaries {
            for item in [CBOR.unsigned(value), .negative(value), .tagged(value, 0)] {
                #expect(try CBOR(decoding: item.deterministicEncoding()) == item, "\(item)")
            }
        }
        #expect(CBOR(Int.min).intValue == Int.min)
        #expect(CBOR.negative(UInt64.max).intValue == nil)
    }
}
