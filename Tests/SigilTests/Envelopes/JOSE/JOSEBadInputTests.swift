import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite("JOSE bad input")
struct JOSEBadInputTests {
    static let payload = Array("{\"sub\":\"alice\"}".utf8)

    /// Verifies `bytes` as a JWS; returns the payload only if it verified.
    static func outcome(_ bytes: [UInt8], store: TrustStore) -> (payload: [UInt8]?, code: SigilError.Code?) {
        do {
            return (try JWS(serialization: bytes).verify(using: store).payload, nil)
        } catch let error as SigilError {
            return (nil, error.code)
        } catch {
            return (nil, .cryptoFailure)
        }
    }

    static func token(header: String, algorithm: JOSEAlgorithm = .es256) throws -> [UInt8] {
        Array(try JOSETestKeys.compactToken(rawHeader: header, payload: payload, signedWith: algorithm).utf8)
    }

    @Test("Every truncation and every bit flip of a compact and a JSON JWS is refused or invalid, never a payload",
          arguments: [JOSEAlgorithm.es256, .rs256, .ps256])
    func truncationsAndBitFlips(algorithm: JOSEAlgorithm) throws {
        let store = try JOSETestKeys.store(for: algorithm)
        let input = try JWSSigningInput(algorithm: algorithm, payload: Self.payload, keyID: "test-key")
        let signature = try JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: algorithm))
        let forms: [(String, [UInt8])] = [
            ("compact", Array(try input.compactSerialization(kmsSignature: signature).utf8)),
            ("json", try input.jsonSerialization(kmsSignature: signature)),
            ("flattened", try input.jsonSerialization(kmsSignature: signature, flattened: true, unprotectedHeader: ["x": .integer(1)])),
        ]
        for (name, good) in forms {
            #expect(Self.outcome(good, store: store).payload == Self.payload, "\(name)")
            var codes: [String: Int] = [:]
            var released = 0
            for length in 0..<good.count {
                let result = Self.outcome(Array(good.prefix(length)), store: store)
                if result.payload != nil { released += 1 }
                codes[result.code?.name ?? "accepted", default: 0] += 1
            }
            for bit in 0..<(good.count * 8) {
                let flipped = TestSupport.flippingBit(bit, of: good)
                let result = Self.outcome(flipped, store: store)
                // A flip that leaves the JSON meaning unchanged (whitespace, an ignored member's
                // name) may still verify, with the very same payload; nothing else may.
                if result.payload != nil, !(name != "compact" && result.payload == Self.payload) {
                    released += 1
                }
                codes[result.code?.name ?? "accepted", default: 0] += 1
            }
            print("JOSE bad input \(algorithm) \(name): \(good.count) truncations, \(good.count * 8) bit flips: \(codes.sorted { $0.key < $1.key })")
            #expect(released == 0, "\(name)")
            if name == "compact" {
                #expect(codes["accepted"] == nil, "\(name)")
            }
            #expect((codes["authenticationFailure"] ?? 0) > 0, "\(name)")
        }
    }

    @Test("Duplicate header members are refused, protected or unprotected")
    func duplicateHeaderMembers() throws {
        let store = try JOSETestKeys.store(for: .es256)
        for header in [#"{"alg":"ES256","kid":"test-key","kid":"x"}"#, #"{"alg":"RS256","alg":"ES256"}"#, #"{"alg":"ES256","\u0061lg":"ES256"}"#] {
            let result = Self.outcome(try Self.token(header: header), store: store)
            #expect(result.payload == nil && result.code == .malformedMessage, "\(header)")
        }
        let input = try JWSSigningInput(algorithm: .es256, payload: Self.payload)
        let signature = Base64URL.encode(try input.joseSignature(fromKMSSignature: JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: .es256))))
        let json = #"{"payload":"\#(input.encodedPayload)","protected":"\#(input.encodedProtectedHeader)","header":{"kid":"test-key","kid":"test-key"},"signature":"\#(signature)"}"#
        #expect(Self.outcome(Array(json.utf8), store: store).code == .malformedMessage)
        let overlap = #"{"payload":"\#(input.encodedPayload)","protected":"\#(input.encodedProtectedHeader)","header":{"alg":"ES256"},"signature":"\#(signature)"}"#
        let message = JOSETestKeys.errorMessage { _ = try JWS(serialization: Array(overlap.utf8)) }
        #expect(message?.contains("both protected and unprotected") == true)
        let good = #"{"payload":"\#(input.encodedPayload)","protected":"\#(input.encodedProtectedHeader)","header":{"kid":"test-key"},"signature":"\#(signature)"}"#
        #expect(Self.outcome(Array(good.utf8), store: store).payload == Self.payload)
        let mixed = #"{"payload":"\#(input.encodedPayload)","signatures":[],"protected":"\#(input.encodedProtectedHeader)","signature":"\#(signature)"}"#
        #expect(Self.outcome(Array(mixed.utf8), store: store).code == .malformedMessage)
    }

    @Test("crit: unknown members refused; empty, unprotected, registered or absent names malformed; b64 refused",
          arguments: [
            (#"{"alg":"ES256","crit":["exp"],"exp":1}"#, "unsupportedMessage"),
            (#"{"alg":"ES256","crit":["b64"],"b64":false}"#, "unsupportedMessage"),
            (#"{"alg":"ES256","b64":true}"#, "unsupportedMessage"),
            (#"{"alg":"ES256","crit":[]}"#, "malformedMessage"),
            (#"{"alg":"ES256","crit":["exp"]}"#, "malformedMessage"),
            (#"{"alg":"ES256","crit":["alg"]}"#, "malformedMessage"),
            (#"{"alg":"ES256","crit":["exp","exp"],"exp":1}"#, "malformedMessage"),
            (#"{"alg":"ES256","crit":"exp","exp":1}"#, "malformedMessage"),
            (#"{"alg":"ES256","crit":[1]}"#, "malformedMessage"),
            (#"{"alg":"ES256","kid":7}"#, "malformedMessage"),
            (#"{"alg":["ES256"]}"#, "malformedMessage"),
            (#"{"kid":"test-key"}"#, "malformedMessage"),
            (#"["alg","ES256"]"#, "malformedMessage"),
            (#"{"alg":"ES256"} "#, "accepted"),
          ])
    func criticalHeaders(header: String, expected: String) throws {
        let store = try JOSETestKeys.store(for: .es256)
        let result = Self.outcome(try Self.token(header: header), store: store)
        #expect((result.code?.name ?? "accepted") == expected, "\(header)")
    }

    @Test("crit must be protected")
    func unprotectedCrit() throws {
        let input = try JWSSigningInput(algorithm: .es256, payload: Self.payload)
        let signature = try JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: .es256))
        let json = try input.jsonSerialization(kmsSignature: signature, flattened: true, unprotectedHeader: ["crit": .array([.string("x")]), "x": .integer(1)])
        let message = JOSETestKeys.errorMessage { _ = try JWS(serialization: json) }
        #expect(message?.contains("must be protected") == true)
    }

    @Test("Tokens over the size limit are refused before parsing; the limit is configurable")
    func oversizedTokens() throws {
        let store = try JOSETestKeys.store(for: .es256)
        let big = try JOSETestKeys.compactToken(.es256, payload: [UInt8](repeating: 0x41, count: 150 * 1024))
        #expect(try JWS(compactSerialization: big).verify(using: store).payload.count == 150 * 1024)
        let huge = try JOSETestKeys.compactToken(.es256, payload: [UInt8](repeating: 0x41, count: 256 * 1024))
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: huge) } == .unsupportedMessage)
        #expect(JOSETestKeys.errorCode { _ = try JWS(serialization: Array(huge.utf8)) } == .unsupportedMessage)
        let small = try JOSETestKeys.compactToken(.es256)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: small, options: .init(maximumSize: 64)) } == .unsupportedMessage)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: huge, options: .init(maximumSize: 1 << 20)) } == nil)
    }

    @Test("Deeply nested JSON in a JWS or a header is refused")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let document = #"{"payload":"","signature":"AAAA","header":{"alg":"ES256","x":\#(deep)}}"#
        #expect(JOSETestKeys.errorCode { _ = try JWS(serialization: Array(document.utf8)) } == .unsupportedMessage)
        let store = try JOSETestKeys.store(for: .es256)
        let header = #"{"alg":"ES256","x":\#(String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100))}"#
        #expect(Self.outcome(try Self.token(header: header), store: store).code == .unsupportedMessage)
    }

    @Test("Malformed compact serializations are refused", arguments: [
        "", ".", "..", "...", "a.b", "a.b.c.d", "a.b.c.d.e", "eyJhbGciOiJFUzI1NiJ9..", "eyJhbGciOiJFUzI1NiJ9.e30=.AAAA",
        "eyJhbGciOiJFUzI1NiJ9.e30.AA+A", "eyJhbGciOiJFUzI1NiJ9.e30.AA/A", "eyJhbGciOiJFUzI1NiJ9.e3 0.AAAA", ".e30.AAAA",
        "eyJhbGciOiJFUzI1NiJ9=.e30.AAAA", "e30.e30.AAAA",
    ])
    func malformedCompact(token: String) throws {
        let store = try JOSETestKeys.store(for: .es256)
        let result = Self.outcome(Array(token.utf8), store: store)
        #expect(result.payload == nil && result.code != nil && result.code != .authenticationFailure, "\(token)")
    }

    @Test("An ECDSA signature that is DER, or not exactly r‖s, is refused as malformed")
    func ecdsaSignatureLength() throws {
        let store = try JOSETestKeys.store(for: .es256)
        let input = try JWSSigningInput(algorithm: .es256, payload: Self.payload, keyID: "test-key")
        let der = try JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: .es256))
        let raw = try input.joseSignature(fromKMSSignature: der)
        for bad in [der, raw + [0], Array(raw.dropLast()), [0] + raw] {
            let token = "\(input.encodedProtectedHeader).\(input.encodedPayload).\(Base64URL.encode(bad))"
            #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: token).verify(using: store) } == .malformedSignature)
        }
    }
}
