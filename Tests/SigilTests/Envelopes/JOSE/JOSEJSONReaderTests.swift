import Foundation
import Sigil
import Testing

@Suite("JOSE strict JSON and base64url")
struct JOSEJSONReaderTests {
    let reader = JOSEJSONReader()

    func read(_ text: String) throws -> JOSEJSON {
        try reader.read(Array(text.utf8))
    }

    @Test("Reads every JSON value type")
    func readsEveryType() throws {
        let value = try read(#" { "a" : [1, -2.5e3, 0, true, false, null, "x"], "b": {"c": "\u00e9\ud83d\ude00\n\/"} } "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .number("0"), .bool(true), .bool(false), .null, .string("x")]))
        #expect(value["b"]?["c"]?.stringValue == "é😀\n/")
        #expect(value["a"]?.arrayValue?[1].doubleValue == -2500)
    }

    @Test("Refuses duplicate member names, even when spelled with escapes")
    func refusesDuplicateMembers() {
        for text in [#"{"alg":"RS256","alg":"none"}"#, #"{"alg":"RS256","\u0061lg":"none"}"#, #"{"a":{"b":1,"b":2}}"#] {
            let message = JOSETestKeys.errorMessage { _ = try read(text) }
            #expect(message?.contains("twice") == true, "\(text): \(message ?? "accepted")")
        }
    }

    @Test("Refuses malformed JSON", arguments: [
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", "1e", "-", "+1", ".5",
        "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"a\u{01}b\"", "{} {}", "{}x", "[\"\\", "{'a':1}", "NaN", "Infinity",
    ])
    func refusesMalformedJSON(text: String) {
        let code = JOSETestKeys.errorCode { _ = try read(text) }
        #expect(code == .malformedMessage, "\(text.debugDescription)")
    }

    @Test("Refuses invalid UTF-8 inside strings")
    func refusesInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(JOSETestKeys.errorCode { _ = try reader.read(bytes) } == .malformedMessage)
        }
    }

    @Test("Refuses nesting deeper than the limit, without exhausting the stack")
    func refusesDeepNesting() throws {
        let limited = JOSEJSONReader(maximumDepth: 32)
        #expect(throws: Never.self) { _ = try limited.read(Array((String(repeating: "[", count: 32) + String(repeating: "]", count: 32)).utf8)) }
        for depth in [33, 10_000, 100_000] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(JOSETestKeys.errorCode { _ = try JOSEJSONReader(maximumSize: 1 << 20).read(Array(deep.utf8)) } == .unsupportedMessage)
            let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            #expect(JOSETestKeys.errorCode { _ = try JOSEJSONReader(maximumSize: 1 << 20).read(Array(objects.utf8)) } == .unsupportedMessage)
        }
    }

    @Test("Refuses input over the size limit before parsing it")
    func refusesOversizedInput() {
        let small = JOSEJSONReader(maximumSize: 16)
        #expect(JOSETestKeys.errorCode { _ = try small.read(Array("\"0123456789abcdefgh\"".utf8)) } == .unsupportedMessage)
    }

    @Test("The writer sorts members and escapes what JSON requires; the reader reads it back")
    func writerRoundTrips() throws {
        let value = JOSEJSON.object(["b": .string("q\"\\\n\u{01}é"), "a": .array([.integer(7), .null, .bool(true)])])
        let text = JOSEJSONWriter.string(value)
        #expect(text == #"{"a":[7,null,true],"b":"q\"\\\n\u0001é"}"#)
        #expect(try read(text) == value)
    }

    @Test("Base64url encodes without padding and decodes strictly")
    func base64url() throws {
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(try Base64URL.decode(encoded, what: "x") == bytes)
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        for bad in ["QQ==", "QQ=", "Q", "QUJD+", "QUJD/", "QU JD", "QUJ\n", "QR", "QUF", "é"] {
            #expect(JOSETestKeys.errorCode { _ = try Base64URL.decode(bad, what: "x") } == .malformedMessage, "\(bad.debugDescription)")
        }
    }
}
