import Foundation
import Sigil
import SigilTestSupport

/// Throwaway signing keys made by the openssl CLI, and signatures made with it: what the
/// DSSE and Sigstore tests verify is produced outside Sigil.
final class DSSETestKey: Sendable {
    /// The kinds of key the tests sign with, and the openssl options for each.
    struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        let generate: [String]
        let sign: [String]
        let algorithm: SigningAlgorithm

        static let p256 = Kind(
            name: "P-256", generate: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            sign: ["-sha256"], algorithm: .ecdsaSHA256)
        static let p384 = Kind(
            name: "P-384", generate: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            sign: ["-sha384"], algorithm: .ecdsaSHA384)
        static let rsaPSS = Kind(
            name: "RSA-2048 PSS", generate: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            sign: ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"],
            algorithm: .rsassaPSSSHA256)
        static let rsaPKCS1 = Kind(
            name: "RSA-2048 PKCS#1 v1.5", generate: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            sign: ["-sha256"], algorithm: .rsassaPKCS1V1_5SHA256)

        static let all: [Kind] = [.p256, .p384, .rsaPSS, .rsaPKCS1]

        var description: String { name }
    }

    let kind: Kind
    let folder: URL
    let privateKeyFile: URL
    let publicKeyFile: URL
    let publicKey: PublicKey

    private init(kind: Kind) async throws {
        self.kind = kind
        folder = try TestSupport.temporaryDirectory()
        privateKeyFile = folder.appendingPathComponent("key.pem")
        publicKeyFile = folder.appendingPathComponent("public.pem")
        try await TestSupport.openssl(["genpkey"] + kind.generate).write(to: privateKeyFile)
        let publicPEM = try await TestSupport.openssl(["pkey", "-pubout", "-in", privateKeyFile.path])
        try publicPEM.write(to: publicKeyFile)
        publicKey = try PublicKey(pemRepresentation: String(decoding: publicPEM, as: UTF8.self))
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A key of `kind`; `index` tells apart several keys of one kind, each made once per
    /// test process.
    static func key(_ kind: Kind, index: Int = 0) async throws -> DSSETestKey {
        try await cache.key(kind, index: index)
    }

    private static let cache = Cache()

    /// The key trusted under `id`, allowed only its own algorithm unless told otherwise.
    func trusted(as id: String, algorithms: [SigningAlgorithm]? = nil) throws -> TrustedKey {
        try TrustedKey(id: id, publicKey: publicKey, algorithms: algorithms ?? [kind.algorithm])
    }

    /// openssl's signature over `message` (DER for ECDSA).
    func sign(_ message: some DataProtocol) async throws -> [UInt8] {
        let messageFile = folder.appendingPathComponent("message-\(UUID().uuidString)")
        try Data(message).write(to: messageFile)
        defer { try? FileManager.default.removeItem(at: messageFile) }
        return Array(try await TestSupport.openssl(["dgst"] + kind.sign + ["-sign", privateKeyFile.path, messageFile.path]))
    }

    /// Whether openssl finds `signature` valid over `message`.
    func opensslVerifies(_ signature: [UInt8], over message: some DataProtocol) async throws -> Bool {
        let messageFile = folder.appendingPathComponent("message-\(UUID().uuidString)")
        let signatureFile = folder.appendingPathComponent("signature-\(UUID().uuidString)")
        try Data(message).write(to: messageFile)
        try Data(signature).write(to: signatureFile)
        defer {
            try? FileManager.default.removeItem(at: messageFile)
            try? FileManager.default.removeItem(at: signatureFile)
        }
        let result = try await TestSupport.run(
            "openssl",
            ["dgst"] + kind.sign + ["-verify", publicKeyFile.path, "-signature", signatureFile.path, messageFile.path])
        return result.status == 0
    }

    private actor Cache {
        private var keys: [String: DSSETestKey] = [:]

        func key(_ kind: Kind, index: Int) async throws -> DSSETestKey {
            let name = "\(kind.name)#\(index)"
            if let key = keys[name] { return key }
            let key = try await DSSETestKey(kind: kind)
            // Another test may have made one while this one waited for openssl: keep the first.
            if let first = keys[name] { return first }
            keys[name] = key
            return key
        }
    }
}

/// Envelopes signed by openssl, for the tests.
enum DSSETestEnvelopes {
    static let payloadType = "application/vnd.example+json"
    static let payload = Array(#"{"hello":"world"}"#.utf8)

    /// An envelope over `payload` signed by each of `signers` (key and the keyid it writes).
    static func envelope(
        payloadType: String = payloadType, payload: [UInt8] = payload, signers: [(DSSETestKey, String)]
    ) async throws -> DSSEEnvelope {
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: payloadType, payload: payload)
        var signatures: [DSSEEnvelope.Signature] = []
        for (key, keyID) in signers {
            signatures.append(DSSEEnvelope.Signature(keyID: keyID, signature: try await key.sign(pae)))
        }
        return try DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }

    /// The error `body` throws, if it is a ``SigilError``.
    static func error(_ body: () async throws -> Void) async -> SigilError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? SigilError
        }
    }

    /// The error `body` throws, if it is a ``SigilError``.
    static func error(_ body: () throws -> Void) -> SigilError? {
        do {
            try body()
            return nil
        } catch {
            return error as? SigilError
        }
    }
}
