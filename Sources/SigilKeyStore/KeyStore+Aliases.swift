public import Foundation
internal import SigilCrypto

extension KeyStore {
    /// The ARN of an alias.
    public static func aliasARN(account: String, region: String, name: String) -> String {
        "arn:aws:kms:\(region):\(account):\(name)"
    }

    /// Creates an alias for a key, in the key's account and region.
    ///
    /// - Parameters:
    ///   - name: `alias/NAME`; names starting `alias/aws/` are refused.
    ///   - keyID: The key id.
    ///   - now: The creation date.
    ///   - audit: An event to append to the audit log in the same transaction.
    /// - Returns: The alias.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for a bad or reserved name;
    ///   `notFound` for an unknown key; `alreadyExists` when the name is taken.
    @discardableResult
    public func createAlias(_ name: String, keyID: String, now: Date = Date(), audit: AuditEvent? = nil) throws
        -> AliasRecord
    {
        try Validation.aliasName(name)
        return try write(audit: audit) { db in
            let key = try Self.requireKey(db, id: keyID)
            if try Self.fetchAlias(db, name: name, account: key.account, region: key.region) != nil {
                throw KeyStoreError(.alreadyExists, "the alias \(name) already exists in account \(key.account)")
            }
            try db.execute(
                sql: "INSERT INTO aliases (account, region, name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.account, key.region, name, keyID, now.timeIntervalSince1970, now.timeIntervalSince1970])
            return try Self.requireAlias(db, name: name, account: key.account, region: key.region)
        }
    }

    /// Points an existing alias at another key of the same account, region, type
    /// (symmetric or asymmetric) and usage, as KMS requires.
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated alias.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown alias or key;
    ///   `invalidArgument` when the new key differs in account, region, type or usage.
    @discardableResult
    public func updateAlias(
        _ name: String, account: String, region: String, keyID: String, now: Date = Date(), audit: AuditEvent? = nil
    ) throws -> AliasRecord {
        try Validation.aliasName(name)
        return try write(audit: audit) { db in
            let alias = try Self.requireAlias(db, name: name, account: account, region: region)
            let current = try Self.requireKey(db, id: alias.keyID)
            let target = try Self.requireKey(db, id: keyID)
            guard target.account == account, target.region == region else {
                throw KeyStoreError(.invalidArgument, "\(target.arn) is not in the alias's account and region")
            }
            guard target.spec.isSymmetric == current.spec.isSymmetric, target.usage == current.usage else {
                throw KeyStoreError(
                    .invalidArgument,
                    "\(name) names a \(current.spec) \(current.usage) key; it cannot move to a \(target.spec) \(target.usage) key")
            }
            try db.execute(
                sql: "UPDATE aliases SET key_id = ?, updated_at = ? WHERE account = ? AND region = ? AND name = ?",
                arguments: [keyID, now.timeIntervalSince1970, account, region, name])
            return try Self.requireAlias(db, name: name, account: account, region: region)
        }
    }

    /// Deletes an alias (never the key).
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown alias.
    public func deleteAlias(_ name: String, account: String, region: String, audit: AuditEvent? = nil) throws {
        try write(audit: audit) { db in
            _ = try Self.requireAlias(db, name: name, account: account, region: region)
            try db.execute(
                sql: "DELETE FROM aliases WHERE account = ? AND region = ? AND name = ?",
                arguments: [account, region, name])
        }
    }

    /// The alias of this name in an account and region.
    ///
    /// - Returns: The alias, or `nil` when there is none.
    public func alias(_ name: String, account: String, region: String) throws -> AliasRecord? {
        try read { db in try Self.fetchAlias(db, name: name, account: account, region: region) }
    }

    /// The aliases of an account and region, by name; only those of one key when
    /// `keyID` is given.
    public func listAliases(account: String, region: String, keyID: String? = nil) throws -> [AliasRecord] {
        try read { db in
            let rows = try db.rows(sql: """
                    SELECT * FROM aliases WHERE account = ? AND region = ? AND (CAST(? AS TEXT) IS NULL OR key_id = ?)
                    ORDER BY name
                    """,
                arguments: [account, region, keyID, keyID])
            return try rows.map(Self.aliasRecord)
        }
    }

    static func fetchAlias(_ db: any StoreTransaction, name: String, account: String, region: String) throws -> AliasRecord? {
        guard
            let row = try db.row(sql: "SELECT * FROM aliases WHERE account = ? AND region = ? AND name = ?",
                arguments: [account, region, name])
        else { return nil }
        return try aliasRecord(row)
    }

    static func requireAlias(_ db: any StoreTransaction, name: String, account: String, region: String) throws -> AliasRecord {
        guard let alias = try fetchAlias(db, name: name, account: account, region: region) else {
            throw KeyStoreError(.notFound, "no alias \(Validation.quoted(name)) in account \(account), region \(region)")
        }
        return alias
    }

    static func aliasRecord(_ row: StoreRow) throws -> AliasRecord {
        let account = try row.decode(String.self, forColumn: "account")
        let region = try row.decode(String.self, forColumn: "region")
        let name = try row.decode(String.self, forColumn: "name")
        return AliasRecord(
            name: name, arn: aliasARN(account: account, region: region, name: name), account: account, region: region,
            keyID: try row.decode(String.self, forColumn: "key_id"),
            creationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")),
            lastUpdatedDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "updated_at")))
    }
}
