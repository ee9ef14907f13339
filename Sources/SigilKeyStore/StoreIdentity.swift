internal import Foundation
internal import SigilCrypto

/// Where a key store's tables live.
public enum StoreLocation: Sendable {
    /// SQLite, in the data directory (`keyholder.sqlite` beside `root.key`).
    case dataDirectory
    /// PostgreSQL, shared by every key holder given the same URL and root key. The
    /// password, if the server wants one, comes from ``PostgreSQLURL/password(environment:)``.
    case postgreSQL(PostgreSQLURL, password: String?)
}

/// Which root key a store's secrets are sealed with, recorded in the store itself: a
/// node opening the store with another root key is refused before it serves anything,
/// rather than failing on every key it cannot open (or, worse, sealing new secrets under
/// a second root key).
///
/// The `store_identity` table holds one row: a check value
/// `HMAC-SHA256(HKDF-SHA256(root key, info: "sigil store identity v1"), "sigil-store")`,
/// which says nothing about the key, and the data directory that first claimed the store.
enum StoreIdentity {
    static let info = "sigil store identity v1"

    /// The check value the store holds, if any node has claimed it.
    static func check(in db: any StoreTransaction) throws -> [UInt8]? {
        try db.value(Data.self, sql: "SELECT root_key_check FROM store_identity WHERE id = 1").map { [UInt8]($0) }
    }

    /// Records `rootKey`'s check value in a store that has none, or confirms it matches.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the store was sealed with
    ///   another root key.
    static func claim(_ db: any StoreTransaction, rootKey: SecureBytes, directory: String) throws {
        let expected = try checkValue(rootKey)
        guard let stored = try check(in: db) else {
            try db.execute(
                sql: "INSERT INTO store_identity (id, root_key_check, first_data_directory, created_at) VALUES (1, ?, ?, ?)",
                arguments: [Data(expected), directory, Date().timeIntervalSince1970])
            return
        }
        guard ConstantTime.equals(stored, expected) else {
            let first = try db.value(String.self, sql: "SELECT first_data_directory FROM store_identity WHERE id = 1")
            throw KeyStoreError(
                .storageFailure,
                "this node's root key (\(directory)/root.key) is not the one the store was sealed with"
                    + (first.map { " (first opened from \($0))" } ?? "")
                    + ": no key in it would open; give this node the same root.key as the store's other nodes")
        }
    }

    static func checkValue(_ rootKey: SecureBytes) throws -> [UInt8] {
        let pseudoRandomKey = try HKDF.extract(hash: .sha256, salt: [UInt8](), inputKeyMaterial: rootKey)
        let key = try HKDF.expand(hash: .sha256, pseudoRandomKey: pseudoRandomKey, info: Array(info.utf8), outputByteCount: 32)
        return try Array("sigil-store".utf8).withUnsafeBytes { try HMACKey(key, hash: .sha256).authenticationCode(for: $0) }
    }
}
