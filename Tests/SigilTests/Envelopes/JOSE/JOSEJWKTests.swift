import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite("JOSE JWK import, export and thumbprints")
struct JOSEJWKTests {
    static let rfc7638Modulus = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"

    static func jwk(_ members: [String: JOSEJSON]) throws -> JWK {
        try JWK(jsonRepresentation: JOSEJSONWriter.data(.object(members)))
    }

    /// The members of the exported JWK of a throwaway key of `spec`.
    static func members(_ spec: KeySpec) throws -> [String: JOSEJSON] {
        let key = try PublicKey(TestSupport.privateKey(spec).publicKey)
        return try #require(JWK(publicKey: key).jsonValue.objectValue)
    }

    @Test("The RFC 7638 example key has the RFC's thumbprint, whatever optional members it carries")
    func rfc7638Thumbprint() throws {
        let key = try Self.jwk(["kty": .string("RSA"), "n": .string(Self.rfc7638Modulus), "e": .string("AQAB"),
                                "alg": .string("RS256"), "kid": .string("2011-04-29")])
        #expect(key.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(try JWK.thumbprint(of: key.publicKey) == key.thumbprint)
        #expect(key.algorithm == .rs256 && key.keyID == "2011-04-29")
    }

    @Test("A JWK built from an openssl key imports to the DER openssl writes, byte for byte",
          arguments: ["RSA:rsa_keygen_bits:2048", "RSA:rsa_keygen_bits:3072", "EC:ec_paramgen_curve:P-256",
                      "EC:ec_paramgen_curve:P-384", "EC:ec_paramgen_curve:P-521", "EC:ec_paramgen_curve:secp256k1"])
    func importMatchesOpenSSL(generation: String) async throws {
        let parts = generation.split(separator: ":", maxSplits: 1).map(String.init)
        let pem = try await TestSupport.openssl(["genpkey", "-algorithm", parts[0], "-pkeyopt", parts[1]])
        let der = try await TestSupport.openssl(["pkey", "-pubout", "-outform", "DER"], input: pem)
        let key = try PublicKey(derRepresentation: der)
        let exported = try JWK(publicKey: key, keyID: "k1")
        let imported = try JWK(jsonRepresentation: exported.jsonRepresentation)
        #expect(imported.publicKey.derRepresentation == Array(der))
        #expect(imported.thumbprint == exported.thumbprint)
        #expect(imported.keyID == "k1" && imported.use == "sig")
        // The key's parameters as openssl prints them are the ones the JWK carries.
        let members = try #require(exported.jsonValue.objectValue)
        if parts[0] == "EC" {
            let text = String(decoding: try await TestSupport.openssl(["pkey", "-pubin", "-inform", "DER", "-noout", "-text"], input: der), as: UTF8.self)
            let hex = text.components(separatedBy: "pub:").last!.components(separatedBy: "ASN1").first!
                .filter { $0.isHexDigit }
            let x = try Base64URL.decode(try #require(members["x"]?.stringValue), what: "x")
            let y = try Base64URL.decode(try #require(members["y"]?.stringValue), what: "y")
            #expect(hex.lowercased() == "04" + TestSupport.hex(x + y))
        }
    }

    @Test("Export writes kid, alg and use, and refuses an alg the key cannot use")
    func exportWritesOptionalMembers() throws {
        let key = try PublicKey(TestSupport.privateKey(.eccNistP256).publicKey)
        let jwk = try JWK(publicKey: key, keyID: "release", algorithm: .es256)
        let members = try #require(jwk.jsonValue.objectValue)
        #expect(members["kid"] == .string("release") && members["alg"] == .string("ES256") && members["use"] == .string("sig"))
        #expect(members["crv"] == .string("P-256") && members["kty"] == .string("EC"))
        #expect(JWK.privateMembers.allSatisfy { members[$0] == nil })
        #expect(JOSETestKeys.errorCode { _ = try JWK(publicKey: key, algorithm: .es384) } == .algorithmKeyMismatch)
        #expect(JOSETestKeys.errorCode { _ = try JWK(publicKey: key, algorithm: .es256K) } == .algorithmKeyMismatch)
        #expect(JOSETestKeys.errorCode { _ = try JWK(publicKey: key, algorithm: .rs256) } == .algorithmKeyMismatch)
    }

    @Test("Every private member is refused, by name", arguments: JWK.privateMembers)
    func refusesPrivateMembers(name: String) throws {
        var members = try Self.members(.rsa2048)
        members[name] = .string("AQAB")
        let message = JOSETestKeys.errorMessage { _ = try Self.jwk(members) }
        #expect(message?.contains("'\(name)'") == true, "\(message ?? "accepted")")
    }

    @Test("Symmetric, unknown-type and unknown-curve keys are refused")
    func refusesUnsupportedKeys() throws {
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(["kty": .string("oct")]) } == .unsupportedKey)
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(["kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string("AA")]) } == .unsupportedKey)
        var members = try Self.members(.eccNistP256)
        members["crv"] = .string("P-192")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(members) } == .unsupportedKey)
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(["crv": .string("P-256")]) } == .malformedKey)
    }

    @Test("EC coordinates must have their curve's exact length and lie on the curve")
    func refusesBadCoordinates() throws {
        let good = try Self.members(.eccNistP256)
        let x = try Base64URL.decode(try #require(good["x"]?.stringValue), what: "x")
        for bad in [Array(x.dropFirst()), [0] + x, x + [0]] {
            var members = good
            members["x"] = .string(Base64URL.encode(bad))
            #expect(JOSETestKeys.errorCode { _ = try Self.jwk(members) } == .malformedKey)
        }
        var offCurve = good
        offCurve["x"] = .string(Base64URL.encode(x.dropLast() + [x.last! ^ 1]))
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(offCurve) } == .malformedKey)
        // A P-256 key's coordinates under the secp256k1 name are not a secp256k1 point.
        var otherCurve = good
        otherCurve["crv"] = .string("secp256k1")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(otherCurve) } == .malformedKey)
        var padded = good
        padded["y"] = .string((good["y"]?.stringValue ?? "") + "=")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(padded) } == .malformedKey)
    }

    @Test("RSA integers must be minimal and the modulus at least 2048 bits")
    func refusesBadRSAParameters() throws {
        let good = try Self.members(.rsa2048)
        let n = try Base64URL.decode(try #require(good["n"]?.stringValue), what: "n")
        var leadingZero = good
        leadingZero["n"] = .string(Base64URL.encode([0] + n))
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(leadingZero) } == .malformedKey)
        var short = good
        short["n"] = .string(Base64URL.encode(n.prefix(128)))
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(short) } == .keyTooSmall)
        var noExponent = good
        noExponent["e"] = nil
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(noExponent) } == .malformedKey)
        var numberExponent = good
        numberExponent["e"] = .integer(65537)
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(numberExponent) } == .malformedKey)
    }

    @Test("alg restricts the key; none, HS256 and mismatched algorithms are refused")
    func algRestrictsTheKey() throws {
        var members = try Self.members(.eccSecgP256k1)
        members["alg"] = .string("ES256K")
        #expect(try Self.jwk(members).allowedAlgorithms == [.es256K])
        members["alg"] = .string("ES256")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(members) } == .algorithmKeyMismatch)
        members["alg"] = .string("HS256")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(members) } == .unknownAlgorithm)
        members["alg"] = .string("none")
        #expect(JOSETestKeys.errorCode { _ = try Self.jwk(members) } == .unknownAlgorithm)
        members["alg"] = nil
        #expect(try Self.jwk(members).allowedAlgorithms == [.es256K])
        #expect(try Self.jwk(try Self.members(.rsa2048)).allowedAlgorithms.count == 6)
    }

    @Test("A JWK with a duplicate member is refused")
    func refusesDuplicateMembers() throws {
        let text = String(decoding: try JWK(publicKey: PublicKey(TestSupport.privateKey(.eccNistP256).publicKey)).jsonRepresentation, as: UTF8.self)
        let doubled = text.replacingOccurrences(of: "{", with: #"{"kty":"RSA","#)
        #expect(JOSETestKeys.errorCode { _ = try JWK(jsonRepresentation: Data(doubled.utf8)) } == .malformedMessage)
    }
}
