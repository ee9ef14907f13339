import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite("JOSE JWT claims")
struct JOSEJWTTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func options(issuer: String? = nil, audience: String? = nil, leeway: TimeInterval = 60) -> JWTValidationOptions {
        JWTValidationOptions(issuer: issuer, audience: audience, leeway: leeway, clock: { now })
    }

    /// A JWT with `claims` (JSON text), signed with the ES256 test key.
    static func token(_ claims: String, algorithm: JOSEAlgorithm = .es256, type: String? = "JWT") throws -> String {
        let input = try JWSSigningInput(algorithm: algorithm, payload: Array(claims.utf8), keyID: "test-key", type: type)
        return try input.compactSerialization(kmsSignature: JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: algorithm)))
    }

    static func code(_ token: String, _ options: JWTValidationOptions = options()) throws -> SigilError.Code? {
        let store = try JOSETestKeys.store(for: .es256)
        return JOSETestKeys.errorCode { _ = try JWT.verify(token, trustStore: store, options: options) }
    }

    @Test("A valid token yields typed claims, the raw JSON, the key id and algorithm")
    func validToken() throws {
        let claims = #"{"iss":"https://issuer.example","sub":"alice","aud":["billing","audit"],"exp":1800000600,"nbf":1799999990,"iat":1799999999.5,"jti":"j-1","scope":"read"}"#
        let input = try JWT.signingInput(claims: Array(claims.utf8), algorithm: .es256, keyID: "test-key")
        let token = try input.compactSerialization(kmsSignature: JOSETestKeys.kmsSignature(input, with: JOSETestKeys.privateKey(for: .es256)))
        let verified = try JWT.verify(token, trustStore: JOSETestKeys.store(for: .es256),
                                      options: Self.options(issuer: "https://issuer.example", audience: "audit"))
        #expect(verified.keyID == "test-key" && verified.algorithm == .es256 && verified.header.type == "JWT")
        #expect(verified.claims.issuer == "https://issuer.example" && verified.claims.subject == "alice")
        #expect(verified.claims.audience == ["billing", "audit"] && verified.claims.jwtID == "j-1")
        #expect(verified.claims.expiresAt == Date(timeIntervalSince1970: 1_800_000_600))
        #expect(verified.claims.issuedAt == Date(timeIntervalSince1970: 1_799_999_999.5))
        #expect(verified.claims["scope"] == .string("read"))
        #expect(verified.claims.jsonRepresentation == Array(claims.utf8))
    }

    @Test("exp, nbf and iat are checked against the caller's clock with the leeway", arguments: [
        (#"{"exp":1800000000}"#, 0.0, "authenticationFailure"),
        (#"{"exp":1799999999}"#, 0.0, "authenticationFailure"),
        (#"{"exp":1800000001}"#, 0.0, "accepted"),
        (#"{"exp":1799999941}"#, 60.0, "accepted"),
        (#"{"exp":1799999940}"#, 60.0, "authenticationFailure"),
        (#"{"nbf":1800000001}"#, 0.0, "authenticationFailure"),
        (#"{"nbf":1800000060}"#, 60.0, "accepted"),
        (#"{"nbf":1800000061}"#, 60.0, "authenticationFailure"),
        (#"{"iat":1800000061}"#, 60.0, "authenticationFailure"),
        (#"{"iat":1800000060}"#, 60.0, "accepted"),
        (#"{"iat":1}"#, 60.0, "accepted"),
        (#"{"exp":"1800000600"}"#, 60.0, "malformedMessage"),
        (#"{"exp":1e300}"#, 60.0, "malformedMessage"),
        (#"{"nbf":null}"#, 60.0, "malformedMessage"),
    ])
    func timeClaims(claims: String, leeway: TimeInterval, expected: String) throws {
        let code = try Self.code(try Self.token(claims), Self.options(leeway: leeway))
        #expect((code?.name ?? "accepted") == expected, "\(claims)")
    }

    @Test("The default leeway is 60 s and the default clock is the system's")
    func defaults() throws {
        let options = JWTValidationOptions()
        #expect(options.leeway == 60 && options.parsing.maximumSize == 256 * 1024)
        #expect(abs(options.clock().timeIntervalSinceNow) < 5)
        let live = Int(Date().timeIntervalSince1970)
        #expect(try Self.code(try Self.token("{\"exp\":\(live - 30)}"), options) == nil)
        #expect(try Self.code(try Self.token("{\"exp\":\(live - 120)}"), options) == .authenticationFailure)
        var strict = Self.options()
        strict.requiresExpiration = true
        #expect(try Self.code(try Self.token("{}"), strict) == .authenticationFailure)
    }

    @Test("iss and aud are checked when the caller names them", arguments: [
        (#"{"iss":"a","aud":"x"}"#, "a", "x", "accepted"),
        (#"{"iss":"a","aud":["y","x"]}"#, "a", "x", "accepted"),
        (#"{"iss":"b","aud":"x"}"#, "a", "x", "authenticationFailure"),
        (#"{"aud":"x"}"#, "a", "x", "authenticationFailure"),
        (#"{"iss":"a","aud":"y"}"#, "a", "x", "authenticationFailure"),
        (#"{"iss":"a","aud":[]}"#, "a", "x", "authenticationFailure"),
        (#"{"iss":"a"}"#, "a", "x", "authenticationFailure"),
        (#"{"iss":"a","aud":"X"}"#, "a", "x", "authenticationFailure"),
        (#"{"iss":"a","aud":[1]}"#, "a", "x", "malformedMessage"),
        (#"{"iss":1}"#, "", "", "malformedMessage"),
        (#"{"iss":"anyone","aud":"anything"}"#, "", "", "accepted"),
    ])
    func issuerAndAudience(claims: String, issuer: String, audience: String, expected: String) throws {
        let options = Self.options(issuer: issuer.isEmpty ? nil : issuer, audience: audience.isEmpty ? nil : audience)
        let code = try Self.code(try Self.token(claims), options)
        #expect((code?.name ?? "accepted") == expected, "\(claims)")
    }

    @Test("typ must be JWT when present; nested JWTs, non-object claims and duplicate claims are refused")
    func typeAndShape() throws {
        #expect(try Self.code(try Self.token("{}", type: "jwt")) == nil)
        #expect(try Self.code(try Self.token("{}", type: "application/JWT")) == nil)
        #expect(try Self.code(try Self.token("{}", type: nil)) == nil)
        #expect(try Self.code(try Self.token("{}", type: "JOSE")) == .unsupportedMessage)
        #expect(try Self.code(try Self.token("{}", type: "jWt")) == nil)
        for near in ["jw", "jwtt", "application/jwt+json", "application\u{0F}jwt", "JWT "] {
            #expect(try Self.code(try Self.token("{}", type: near)) == .unsupportedMessage, "\(near)")
        }
        #expect(try Self.code(try Self.token("[1]")) == .malformedMessage)
        #expect(try Self.code(try Self.token(#"{"sub":"a","sub":"b"}"#)) == .malformedMessage)
        #expect(try Self.code(try Self.token("not json")) == .malformedMessage)
        let nested = try JWSSigningInput(algorithm: .es256, payload: Array("{}".utf8), keyID: "test-key", contentType: "JWT")
        let nestedToken = try nested.compactSerialization(kmsSignature: JOSETestKeys.kmsSignature(nested, with: JOSETestKeys.privateKey(for: .es256)))
        #expect(try Self.code(nestedToken) == .unsupportedMessage)
        #expect(JOSETestKeys.errorCode { _ = try JWT.signingInput(claims: Array("[]".utf8), algorithm: .es256, keyID: nil) } == .malformedMessage)
    }

    @Test("Repeated claims are refused among many, and every claim is kept in order")
    func manyClaims() throws {
        let names = (0..<40).map { "c\($0)" }
        let claims = "{" + names.map { "\"\($0)\":\"v-\($0)\"" }.joined(separator: ",") + "}"
        let verified = try JWT.verify(try Self.token(claims), trustStore: JOSETestKeys.store(for: .es256), options: Self.options())
        #expect(verified.claims.memberList.map(\.name) == names)
        #expect(verified.claims.members.count == 40 && verified.claims["c39"] == .string("v-c39"))
        // Early (names compared) and late (names in a set, past 16 members).
        for repeated in [3, 30] {
            let text = String(claims.dropLast()) + ",\"c\(repeated)\":1}"
            let message = JOSETestKeys.errorMessage {
                _ = try JWT.verify(try Self.token(text), trustStore: JOSETestKeys.store(for: .es256), options: Self.options())
            }
            #expect(message?.contains("'c\(repeated)' twice") == true, "\(message ?? "accepted")")
        }
    }

    @Test("Claims beyond the registered ones are held to the same JSON rules, and read on request", arguments: [
        (#"{"sub":"a","x":"\u00e9\ud83d\ude00","n":-1.5e+3,"o":{"k":[true,null]}}"#, "accepted"),
        (#"{"x":"bad \ud800 surrogate"}"#, "malformedMessage"),
        ("{\"x\":\"tab\tinside\"}", "malformedMessage"),
        (#"{"x":01}"#, "malformedMessage"),
        (#"{"x":-}"#, "malformedMessage"),
        (#"{"x":1.}"#, "malformedMessage"),
        (#"{"x":1e}"#, "malformedMessage"),
        (#"{"x":"unterminated}"#, "malformedMessage"),
        (#"{"x":tru}"#, "malformedMessage"),
        (#"{"x":{"k":1,"k":2}}"#, "malformedMessage"),
        (#"{"x":1,"x":2}"#, "malformedMessage"),
        (#"{"x":1,"sub":"a","x":"b"}"#, "malformedMessage"),
        (#"{"sub":"a","x":1,"sub":"b"}"#, "malformedMessage"),
        (#"{"x":1,"\u0078":2}"#, "malformedMessage"),
        (#"{"x":1 "y":2}"#, "malformedMessage"),
    ])
    func unregisteredClaims(claims: String, expected: String) throws {
        let code = try Self.code(try Self.token(claims))
        #expect((code?.name ?? "accepted") == expected, "\(claims)")
        guard code == nil else { return }
        let verified = try JWT.verify(try Self.token(claims), trustStore: JOSETestKeys.store(for: .es256), options: Self.options())
        #expect(verified.claims.memberList.map(\.name) == ["sub", "x", "n", "o"])
        #expect(verified.claims["x"] == .string("é😀") && verified.claims["n"] == .number("-1.5e+3"))
        #expect(verified.claims["o"] == .object(["k": .array([.bool(true), .null])]) && verified.claims["absent"] == nil)
        #expect(verified.claims.subject == "a")
    }

    @Test("A claim name written with escapes is the same claim: read as such, and a duplicate of its plain spelling")
    func escapedClaimNames() throws {
        let store = try JOSETestKeys.store(for: .es256)
        let verified = try JWT.verify(try Self.token(#"{"\u0069ss":"me","s\u0075b":"you"}"#), trustStore: store, options: Self.options(issuer: "me"))
        #expect(verified.claims.issuer == "me" && verified.claims.subject == "you")
        #expect(verified.claims.memberList.map(\.name) == ["iss", "sub"])
        let message = JOSETestKeys.errorMessage {
            _ = try JWT.verify(try Self.token(#"{"iss":"me","\u0069ss":"other"}"#), trustStore: store, options: Self.options())
        }
        #expect(message?.contains("'iss' twice") == true, "\(message ?? "accepted")")
    }

    @Test("A header read before is not let past a nesting limit that refuses it")
    func headerCacheHonoursTheLimits() throws {
        let token = try Self.token("{}")
        _ = try JWS(compactSerialization: token)
        _ = try JWS(compactSerialization: token)
        let strict = JWS.Options(maximumJSONDepth: 0)
        #expect(JOSETestKeys.errorCode { _ = try JWS(compactSerialization: token, options: strict) } == .unsupportedMessage)
        // Headers that alternate, and one as long as the last but different, each read as written.
        let headers = ["k-1", "k-2", "k-3"].map { keyID in
            (keyID, Base64URL.encode(Array(#"{"alg":"ES256","kid":"\#(keyID)"}"#.utf8)))
        }
        for round in 0..<6 {
            let (keyID, header) = headers[round % 3]
            let parsed = try JWS(compactSerialization: header + ".e30.AAAA")
            #expect(parsed.signatures[0].header.keyID == keyID)
            #expect(parsed.signatures[0].encodedProtectedHeader == header)
        }
    }

    @Test("Claims are never read before the signature verifies")
    func claimsOnlyAfterSignature() throws {
        // An expired token with a bad signature reports the signature, not the expiry.
        let token = try Self.token(#"{"exp":1}"#)
        var parts = token.split(separator: ".").map(String.init)
        var signature = try Base64URL.decode(parts[2], what: "s")
        signature[0] ^= 1
        parts[2] = Base64URL.encode(signature)
        #expect(try Self.code(parts.joined(separator: ".")) == .authenticationFailure)
        let message = JOSETestKeys.errorMessage { _ = try JWT.verify(parts.joined(separator: "."), trustStore: JOSETestKeys.store(for: .es256), options: Self.options()) }
        #expect(message?.contains("does not verify") == true)
        // A token signed by an untrusted key, whatever its claims, is refused.
        let other = try AsymmetricPrivateKey(generating: .eccNistP256)
        let input = try JWSSigningInput(algorithm: .es256, payload: Array("{}".utf8), keyID: "test-key", type: "JWT")
        let forged = try input.compactSerialization(kmsSignature: JOSETestKeys.kmsSignature(input, with: other))
        #expect(try Self.code(forged) == .authenticationFailure)
        // Bytes from a file verify the same way, final newline and all; a JSON serialization is no JWT.
        let store = try JOSETestKeys.store(for: .es256)
        let good = try Self.token("{}")
        #expect(try JWT.verify(data: Array((good + "\n").utf8), trustStore: store, options: Self.options()).keyID == "test-key")
        let input2 = try JWSSigningInput(algorithm: .es256, payload: Array("{}".utf8), keyID: "test-key")
        let json = try input2.jsonSerialization(kmsSignature: JOSETestKeys.kmsSignature(input2, with: JOSETestKeys.privateKey(for: .es256)))
        #expect(JOSETestKeys.errorCode { _ = try JWT.verify(data: json, trustStore: store, options: Self.options()) } == .malformedMessage)
        // A detached JWS is not a JWT.
        let detached = try JOSETestKeys.compactToken(.es256, detached: true)
        #expect(try Self.code(detached) == .malformedMessage)
    }

    @Test("A JWT verified from its text answers as one read through a JWS, for every truncation and bit flip",
          arguments: [JOSEAlgorithm.es256, .rs256])
    func textPathMatchesTheJWSPath(algorithm: JOSEAlgorithm) throws {
        // `JWT.verify(_:)` reads a token where its text lies; `JWT.verify(data:)` parses a
        // `JWS` first. Their verdicts, codes and messages must never differ.
        let store = try JOSETestKeys.store(for: algorithm)
        let claims = #"{"iss":"https://issuer.example","sub":"alice","aud":["billing"],"exp":1800000600,"iat":1799999999,"x":{"y":[1,2.5e3,"z"]}}"#
        let token = Array(try Self.token(claims, algorithm: algorithm).utf8)
        func outcome(_ verify: () throws -> VerifiedJWT) -> String {
            do {
                let verified = try verify()
                return "verified \(verified.keyID) \(verified.claims.jsonRepresentation)"
            } catch let error as SigilError {
                return "\(error.code): \(error.message)"
            } catch {
                return "\(error)"
            }
        }
        var variants: [[UInt8]] = (0...token.count).map { Array(token[..<$0]) }
        for index in token.indices {
            for bit in 0..<8 {
                var flipped = token
                flipped[index] ^= 1 << bit
                variants.append(flipped)
            }
        }
        var compared = 0, verified = 0
        for bytes in variants {
            // Only what both entry points take the same way: text that is UTF-8 and not a
            // JSON serialization (which the bytes entry point reads as such).
            guard let text = String(validating: bytes, as: UTF8.self),
                  bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) != UInt8(ascii: "{") else { continue }
            let fromText = outcome { try JWT.verify(text, trustStore: store, options: Self.options(issuer: "https://issuer.example")) }
            let fromBytes = outcome { try JWT.verify(data: bytes, trustStore: store, options: Self.options(issuer: "https://issuer.example")) }
            #expect(fromText == fromBytes, "\(text)")
            compared += 1
            if fromText.hasPrefix("verified") { verified += 1 }
        }
        print("JWT text and JWS paths (\(algorithm)): \(compared) variants compared, \(verified) verified, \(variants.count - compared) skipped (not UTF-8 or a JSON serialization)")
        #expect(verified >= 1 && compared > token.count * 4)
    }
}
