import Foundation
import GRDB
import PostgresNIO
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh data directory with an open store, for one test.
struct StoreFixture {
    let directory: URL
    let opening: KeyStoreOpening
    var store: KeyStore { opening.store }

    static let account = "111122223333"
    static let otherAccount = "444455556666"
    static let region = "us-east-1"

    /// Where the store's tables are.
    let location: StoreLocation

    init() throws {
        directory = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        location = .dataDirectory
        opening = try KeyStore.open(directory: directory)
    }

    /// A fixture on `backend`; `nil` when PostgreSQL is not installed and this is not CI
    /// (the test has been marked skipped).
    init?(_ backend: StoreBackend) async throws {
        directory = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        switch backend {
        case .sqlite:
            location = .dataDirectory
        case .postgreSQL:
            guard let database = try await SharedPostgreSQL.shared.newDatabase() else { return nil }
            location = .postgreSQL(try PostgreSQLURL(database.url), password: database.password)
        }
        opening = try KeyStore.open(directory: directory, location: location)
    }

    /// A connection of its own to the store's tables, on either backend, as someone with
    /// access to the database would have: it bypasses the store and its caches.
    func rawStore() throws -> any StoreDatabase {
        switch location {
        case .dataDirectory: try SQLiteDatabase(path: databaseURL.path)
        case .postgreSQL(let url, let password):
            try PostgreSQLDatabase(configuration: url.connectionConfiguration(password: password))
        }
    }

    var databaseURL: URL { directory.appendingPathComponent("keyholder.sqlite") }
    var rootKeyURL: URL { directory.appendingPathComponent("root.key") }

    /// A second, independent store instance over the same directory and tables.
    func reopen() throws -> KeyStore {
        try KeyStore.open(directory: directory, location: location).store
    }

    func createSymmetricKey(account: String = StoreFixture.account) throws -> KeyRecord {
        try store.createKey(account: account, region: Self.region, spec: .symmetricDefault, usage: .encryptDecrypt)
    }

    /// A raw connection of its own, as someone with write access to the file would have:
    /// it bypasses the store entirely.
    func rawDatabase() throws -> DatabaseQueue {
        try DatabaseQueue(path: databaseURL.path)
    }

    /// Every byte of the database, its WAL and its shared-memory index.
    func databaseFileContents() throws -> [(name: String, bytes: Data)] {
        try ["keyholder.sqlite", "keyholder.sqlite-wal", "keyholder.sqlite-shm"].compactMap { name in
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return (name, try Data(contentsOf: url))
        }
    }

    func mode(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

/// The KMS pairing of curve and hash for ECDSA, and PSS for RSA.
func signatureScheme(for spec: KMSKeySpec) -> SignatureScheme {
    switch spec {
    case .eccNistP384: return .ecdsa(hash: .sha384)
    case .eccNistP521: return .ecdsa(hash: .sha512)
    case .eccNistP256, .eccSecgP256k1: return .ecdsa(hash: .sha256)
    default: return .rsaPSS(hash: .sha256)
    }
}

/// Proves the store's material for `record` is intact by using it: sign and verify,
/// RSA-OAEP encrypt and decrypt, or AES-GCM seal and open.
func exercise(_ record: KeyRecord, in store: KeyStore) throws {
    let message = Array("material check for \(record.id)".utf8)
    if record.spec.isSymmetric {
        let (version, key) = try store.currentSymmetricKey(id: record.id)
        precondition(version == record.currentVersion)
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceSize)
        let sealed = try AESGCM.seal(message, key: key, nonce: nonce, authenticating: Array(record.arn.utf8))
        let opened = try AESGCM.open(
            sealed.ciphertext, tag: sealed.tag, key: try store.symmetricKey(id: record.id, version: version),
            nonce: nonce, authenticating: Array(record.arn.utf8))
        guard opened == message else { throw TestFailure("AES-GCM round trip failed for \(record.arn)") }
        return
    }
    let privateKey = try store.privateKey(id: record.id)
    guard let publicDER = record.publicKeyDER, privateKey.publicKey.derRepresentation == publicDER else {
        throw TestFailure("the stored public key of \(record.arn) does not match its private key")
    }
    let publicKey = try AsymmetricPublicKey(derRepresentation: publicDER)
    if record.usage == .signVerify {
        let scheme = signatureScheme(for: record.spec)
        let digest = try scheme.hash.hash(message)
        let signature = try privateKey.signature(forDigest: digest, scheme: scheme)
        guard try publicKey.isValidSignature(signature, forDigest: digest, scheme: scheme) else {
            throw TestFailure("a signature by \(record.arn) does not verify")
        }
    } else {
        let secret = try SecureRandom.bytes(count: 32)
        let ciphertext = try publicKey.encrypt(secret, padding: .oaepSHA256)
        guard try privateKey.decrypt(ciphertext, padding: .oaepSHA256).unsafeBytes == secret else {
            throw TestFailure("RSA-OAEP round trip failed for \(record.arn)")
        }
    }
}

/// Bytes of a PKCS#8 private key that only the private key holds: an EC key's scalar
/// (the OCTET STRING after ECPrivateKey's version 1), or 24 bytes from the middle of an
/// RSA key, which fall in its private exponent or primes (the modulus comes first).
func privatePart(of der: [UInt8], spec: KMSKeySpec) throws -> [UInt8] {
    guard spec.asymmetric?.family == .ec else {
        return Array(der[(der.count / 2)..<(der.count / 2 + 24)])
    }
    let marker: [UInt8] = [0x02, 0x01, 0x01, 0x04]
    guard let start = (0..<(der.count - marker.count)).first(where: { Array(der[$0..<($0 + marker.count)]) == marker })
    else { throw TestFailure("no ECPrivateKey scalar in the \(spec) PKCS#8") }
    let length = Int(der[start + marker.count])
    let scalar = start + marker.count + 1
    return Array(der[scalar..<(scalar + length)])
}

/// Every valid KMS key spec × key usage pair.
let validPairs: [(KMSKeySpec, KeyUsage)] = KMSKeySpec.all.flatMap { spec in spec.allowedUsages.map { (spec, $0) } }

/// Every invalid pair.
let invalidPairs: [(KMSKeySpec, KeyUsage)] = KMSKeySpec.all.flatMap { spec in
    KeyUsage.all.filter { !spec.allowedUsages.contains($0) }.map { (spec, $0) }
}
