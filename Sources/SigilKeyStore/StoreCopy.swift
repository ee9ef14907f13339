public import Foundation
internal import SigilCrypto

/// What ``KeyStore/copy(from:to:password:)`` moved.
public struct StoreCopyReport: Sendable {
    /// Rows copied, by table, in the order copied.
    public let rows: [(table: String, count: Int)]
    /// The audit chain as the copy holds it, verified after the copy committed.
    public let audit: AuditVerification
}

extension KeyStore {
    /// The tables a copy moves, parents first, with their columns and the ones that hold
    /// Booleans (SQLite's 0 and 1, PostgreSQL's `boolean`). Every column is copied as it
    /// is, so sealed material, the audit chain's hashes and its signed head stay valid.
    private static let copiedTables: [(name: String, columns: [String], booleans: Set<String>, order: String)] = [
        ("store_identity", ["id", "root_key_check", "first_data_directory", "created_at"], [], "id"),
        ("principals", ["arn", "account", "kind", "name", "identity_policy", "created_at"], [], "arn"),
        ("keys", [
            "seq", "id", "arn", "account", "region", "spec", "usage", "state", "description", "policy", "created_at",
            "deletion_date", "rotation_enabled", "rotation_period_days", "next_rotation_date", "current_version", "public_key",
        ], ["rotation_enabled"], "seq"),
        ("key_material", ["key_id", "version", "sealed", "created_at", "rotation_type"], [], "key_id, version"),
        ("key_tags", ["key_id", "tag_key", "tag_value"], [], "key_id, tag_key"),
        ("aliases", ["account", "region", "name", "key_id", "created_at", "updated_at"], [], "account, region, name"),
        ("access_keys", ["id", "sealed_secret", "principal", "account", "active", "created_at"], ["active"], "rowid"),
        ("audit_events", AuditLog.storedColumns.map(\.name), [], "seq"),
        ("audit_head", ["id", "seq", "hash", "mac"], [], "id"),
    ]

    /// Copies the SQLite store of the data directory `directory` into an empty PostgreSQL
    /// store, in one transaction: every key, version of material, tag, alias, principal,
    /// access key and audit event, unchanged. Key-list markers and the audit chain stay
    /// valid; the chain is verified on the copy before this returns.
    ///
    /// The data directory keeps working as it was; the nodes that serve the copy need its
    /// `root.key`.
    ///
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` when `directory` holds no
    ///   store, `alreadyExists` when the target holds anything (a store is never merged),
    ///   `storageFailure` for either database; nothing is written then.
    public static func copy(from directory: URL, to url: PostgreSQLURL, password: String?) throws -> StoreCopyReport {
        let files = DataDirectory(url: directory.standardizedFileURL)
        guard files.exists(files.rootKeyURL), files.exists(files.databaseURL) else {
            throw KeyStoreError(
                .invalidArgument, "\(files.url.path) holds no key holder store (no root.key and keyholder.sqlite)")
        }
        let rootKey = try files.readRootKey()
        let source = try SQLiteDatabase(path: files.databaseURL.path)
        try source.write { try StoreIdentity.claim($0, rootKey: rootKey, directory: files.url.path) }
        let target = try PostgreSQLDatabase(configuration: url.connectionConfiguration(password: password))

        let counts = try source.read { from in
            try target.write { to in
                for table in copiedTables {
                    guard try to.value(Int.self, sql: "SELECT count(*) FROM \(table.name)") == 0 else {
                        throw KeyStoreError(
                            .alreadyExists,
                            "the store at \(url) is not empty (its \(table.name) has rows): a copy goes into an empty store only")
                    }
                }
                var counts: [(table: String, count: Int)] = []
                for table in copiedTables {
                    counts.append((table.name, try copy(table, from: from, to: to)))
                }
                // The identity columns continue after the rows copied.
                for table in ["keys", "access_keys"] {
                    try to.execute(
                        sql: "SELECT setval(pg_get_serial_sequence('\(table)', 'seq'), (SELECT coalesce(max(seq), 0) + 1 FROM \(table)), false)")
                }
                return counts
            }
        }
        let audit = try target.read { try AuditLog(rootKey: rootKey).verify($0) }
        return StoreCopyReport(rows: counts, audit: audit)
    }

    private static func copy(
        _ table: (name: String, columns: [String], booleans: Set<String>, order: String),
        from: any StoreTransaction, to: any StoreTransaction
    ) throws -> Int {
        // access_keys has no column of its own for the order keys were made in SQLite:
        // its rowid becomes PostgreSQL's `seq`.
        let ordersByRowID = table.order == "rowid"
        let selected = table.columns.joined(separator: ", ") + (ordersByRowID ? ", rowid" : "")
        let targetColumns = table.columns + (ordersByRowID ? ["seq"] : [])
        // The generated identity columns (keys.seq, access_keys.seq) take the copied values.
        let overriding = table.name == "keys" || ordersByRowID ? " OVERRIDING SYSTEM VALUE" : ""
        let statement = "INSERT INTO \(table.name) (\(targetColumns.joined(separator: ", ")))\(overriding) VALUES ("
            + Array(repeating: "?", count: targetColumns.count).joined(separator: ", ") + ")"
        var count = 0
        try from.forEachRow(sql: "SELECT \(selected) FROM \(table.name) ORDER BY \(table.order)") { row in
            let values = targetColumns.indices.map { index -> StoreValue in
                let value = row.values[index]
                guard index < table.columns.count, table.booleans.contains(table.columns[index]) else { return value }
                return Bool.fromStoreValue(value).map(StoreValue.boolean) ?? value
            }
            try to.execute(sql: statement, arguments: StoreArguments(values))
            count += 1
        }
        return count
    }
}
