import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite("JOSE trust store loading")
struct JOSETrustStoreTests {
    static func key(_ spec: KeySpec) throws -> PublicKey {
        try PublicKey(TestSupport.privateKey(spec).publicKey)
    }

    static func jwks(_ keys: [JOSEJSON]) -> [UInt8] {
        JOSEJSONWriter.data(.object(["keys": .array(keys)]))
    }

    @Test("A JWKS loads each key under its kid, or its thumbprint when it has none, allowed its alg or every suitable one")
    func loadsJWKS() throws {
        let ec = try Self.key(.eccNistP384)
        let rsa = try Self.key(.rsa2048)
        let data = Self.jwks([
            try JWK(publicKey: ec, keyID: "signer-1").jsonValue,
            try JWK(publicKey: rsa, algorithm: .ps256, use: nil).jsonValue,
        ])
        let store = try TrustStore(jwksData: data)
        #expect(store.keys.map(\.id) == ["signer-1", try JWK.thumbprint(of: rsa)])
        #expect(store[id: "signer-1"]?.algorithms == [.ecdsaSHA384])
        #expect(store.keys[1].algorithms == [.rsassaPSSSHA256])
        #expect(store.keys[1].publicKey.derRepresentation == rsa.derRepresentation)
    }

    @Test("A JWKS file loads; a set with a duplicate kid, a symmetric key or an encryption key is refused")
    func refusesBadSets() throws {
        let ec = try JWK(publicKey: Self.key(.eccNistP256), keyID: "same").jsonValue
        let other = try JWK(publicKey: Self.key(.eccNistP521), keyID: "same").jsonValue
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksData: Self.jwks([ec, other])) } == .invalidArgument)
        let symmetric = JOSEJSON.object(["kty": .string("oct"), "k": .string("AAAA")])
        let message = JOSETestKeys.errorMessage { _ = try TrustStore(jwksData: Self.jwks([ec, symmetric])) }
        #expect(message?.contains("key 1 of the JWKS") == true && message?.contains("'k'") == true)
        let encryption = try JWK(publicKey: Self.key(.rsa2048), keyID: "enc", use: "enc").jsonValue
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksData: Self.jwks([encryption])) } == .invalidArgument)
        let wrapOnly = try JWK(publicKey: Self.key(.rsa2048), keyID: "wrap", keyOperations: ["wrapKey"]).jsonValue
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksData: Self.jwks([wrapOnly])) } == .invalidArgument)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksData: Data(#"{"keys":{}}"#.utf8)) } == .malformedKey)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksData: Data(#"{"keys":[],"keys":[]}"#.utf8)) } == .malformedMessage)

        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keys.jwks")
        try Data(Self.jwks([ec])).write(to: file)
        #expect(try TrustStore(jwksFileAt: file).keys.map(\.id) == ["same"])
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(jwksFileAt: folder.appendingPathComponent("missing")) } == .ioFailure)
    }

    @Test("A PEM file loads every PUBLIC KEY block under its thumbprint; other blocks are refused")
    func loadsPEMFile() throws {
        let keys = try [Self.key(.eccNistP256), Self.key(.rsa3072), Self.key(.eccSecgP256k1)]
        let text = "comment\n" + keys.map(\.pemRepresentation).joined(separator: "\n")
        let store = try TrustStore(pemText: text)
        #expect(store.keys.map(\.id) == (try keys.map(JWK.thumbprint(of:))))
        #expect(store.keys[2].algorithms == [.ecdsaSHA256])
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemText: text + keys[0].pemRepresentation) } == .invalidArgument)
        let private_ = try TestSupport.privateKey(.eccNistP256).pemRepresentation
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemText: private_) } == .malformedKey)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemText: "no keys here") } == .malformedKey)
        let truncated = String(keys[0].pemRepresentation.dropLast(10))
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemText: truncated) } == .malformedKey)
    }

    @Test("A directory loads its *.pem files in name order, not recursing; duplicates across files are refused")
    func loadsPEMDirectory() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Self.key(.eccNistP384)
        let b = try Self.key(.rsa2048)
        try b.pemRepresentation.write(to: folder.appendingPathComponent("b.pem"), atomically: true, encoding: .utf8)
        try a.pemRepresentation.write(to: folder.appendingPathComponent("a.pem"), atomically: true, encoding: .utf8)
        try "not a key".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let nested = folder.appendingPathComponent("nested")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: false)
        try Self.key(.eccNistP521).pemRepresentation.write(to: nested.appendingPathComponent("c.pem"), atomically: true, encoding: .utf8)
        let store = try TrustStore(pemDirectoryAt: folder)
        #expect(store.keys.map(\.id) == [try JWK.thumbprint(of: a), try JWK.thumbprint(of: b)])
        try a.pemRepresentation.write(to: folder.appendingPathComponent("c.pem"), atomically: true, encoding: .utf8)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemDirectoryAt: folder) } == .invalidArgument)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemDirectoryAt: nested.appendingPathComponent("none")) } == .ioFailure)
        #expect(JOSETestKeys.errorCode { _ = try TrustStore(pemFileAt: folder.appendingPathComponent("a.pem")) } == nil)
    }

    @Test("A trust file that cannot be read is named with the system's reason, never a raw error value")
    func unreadableTrustFilesAreNamed() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.jwks")
        #expect(JOSETestKeys.errorMessage { _ = try TrustStore(jwksFileAt: missing) }
            == "cannot read \(missing.path): No such file or directory")
        // A directory named like a key file, inside a directory of keys.
        let keys = folder.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: keys.appendingPathComponent("a.pem"), withIntermediateDirectories: true)
        let message = JOSETestKeys.errorMessage { _ = try TrustStore(pemDirectoryAt: keys) }
        #expect(message == "cannot read \(keys.appendingPathComponent("a.pem").path): Is a directory", "\(message ?? "no error")")
        #expect(JOSETestKeys.errorMessage { _ = try TrustStore(pemDirectoryAt: missing) }
            == "cannot list \(missing.path): it does not exist or is not a readable directory")
    }

    @Test("A store exports as a JWKS that loads back to the same ids, keys and algorithms")
    func exportsJWKS() throws {
        let store = try TrustStore([
            TrustedKey(id: "ec", publicKey: Self.key(.eccNistP256)),
            TrustedKey(id: "rsa-pss", publicKey: Self.key(.rsa2048), algorithms: [.rsassaPSSSHA512]),
            TrustedKey(id: "rsa", publicKey: Self.key(.rsa2048)),
        ])
        let exported = try JWKSet(trustStore: store)
        #expect(exported.keys.map { $0.algorithm?.name } == ["ES256", "PS512", nil])
        let again = try TrustStore(jwksData: exported.jsonRepresentation)
        #expect(again.keys.map(\.id) == store.keys.map(\.id))
        #expect(again.keys.map { Set($0.algorithms) } == store.keys.map { Set($0.algorithms) })
        #expect(again.keys.map(\.publicKey.derRepresentation) == store.keys.map(\.publicKey.derRepresentation))
        #expect(try TrustStore(publicKeys: [Self.key(.eccNistP256)]).keys[0].id == JWK.thumbprint(of: Self.key(.eccNistP256)))
    }
}
