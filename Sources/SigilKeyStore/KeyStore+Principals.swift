public import Foundation
public import SigilCrypto

extension KeyStore {
    /// The largest identity policy stored, in bytes of UTF-8 (as for a key policy).
    public static let maximumIdentityPolicySize = 32_768

    // MARK: - Principals

    /// Adds a principal; the account's root is added with it when the account has none
    /// (an account exists once any principal of it does). No access key is made: see
    /// ``addPrincipalWithAccessKey(account:kind:name:identityPolicy:now:)``.
    ///
    /// - Parameters:
    ///   - account: The 12-digit account.
    ///   - kind: User or role; ``PrincipalKind/root`` adds an account with no user or role.
    ///   - name: 1 to 64 of `A–Z a–z 0–9 + = , . @ _ -`; `root` for a root.
    ///   - identityPolicy: The policy JSON, stored as given (callers validate it with
    ///     SigilPolicy first): a JSON object of at most 32 KiB; `nil` for none. A root
    ///     has none.
    ///   - now: The creation date.
    /// - Returns: The new principal, with no access key.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for a bad account, name or
    ///   policy, `alreadyExists` when the ARN is taken; nothing is stored then.
    public func addPrincipal(
        account: String, kind: PrincipalKind, name: String, identityPolicy: String? = nil, now: Date = Date()
    ) throws -> PrincipalRecord {
        let arn = try Self.validateNewPrincipal(account: account, kind: kind, name: name, identityPolicy: identityPolicy)
        return try write { db in
            try Self.insertPrincipal(db, arn: arn, account: account, kind: kind, name: name, policy: identityPolicy, now: now)
            return try Self.requirePrincipal(db, arn: arn)
        }
    }

    /// Adds a principal and its first access key in one transaction, so that a principal
    /// is never left without the key it was made for.
    ///
    /// - Parameters: As for ``addPrincipal(account:kind:name:identityPolicy:now:)``.
    /// - Returns: The new principal (listing its access key), the access key id, and the
    ///   secret, shown this once to hand to its owner.
    /// - Throws: As ``addPrincipal(account:kind:name:identityPolicy:now:)`` does.
    public func addPrincipalWithAccessKey(
        account: String, kind: PrincipalKind, name: String, identityPolicy: String? = nil, now: Date = Date()
    ) throws -> (principal: PrincipalRecord, accessKeyID: String, secretAccessKey: SecureBytes) {
        let arn = try Self.validateNewPrincipal(account: account, kind: kind, name: name, identityPolicy: identityPolicy)
        let (id, secret, sealed) = try makeAccessKey()
        let record = try write { db in
            try Self.insertPrincipal(db, arn: arn, account: account, kind: kind, name: name, policy: identityPolicy, now: now)
            try Self.insertAccessKey(db, id: id, sealed: sealed, principal: arn, account: account, now: now)
            return try Self.requirePrincipal(db, arn: arn)
        }
        return (record, id, secret)
    }

    /// The principal with this ARN, with its access keys (never their secrets).
    ///
    /// - Parameter arn: A root, user or role ARN.
    /// - Returns: The principal, or `nil` when there is none (or `arn` is not a principal ARN).
    public func principal(arn: String) throws -> PrincipalRecord? {
        try read { db in try Self.fetchPrincipals(db, arn: arn).first }
    }

    /// Every principal, or an account's, ordered by account, then root, users, roles, by name.
    ///
    /// - Parameter account: Only this account's principals; `nil` for all.
    /// - Returns: The principals with their access keys (never their secrets).
    public func principals(account: String? = nil) throws -> [PrincipalRecord] {
        try read { db in try Self.fetchPrincipals(db, account: account) }
    }

    /// The accounts that exist: those with at least one principal.
    public func knownAccounts() throws -> Set<String> {
        try read { db in Set(try db.values(String.self, sql: "SELECT DISTINCT account FROM principals")) }
    }

    /// The key holder's own account: the account of the root that got the data
    /// directory's first access key when it was initialised. Its root cannot be removed.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the store has no access key.
    public func ownAccount() throws -> String {
        try read { db in try Self.ownAccount(db) }
    }

    /// Replaces or removes a user's or role's identity policy.
    ///
    /// - Parameters:
    ///   - arn: The user or role ARN.
    ///   - policy: The policy JSON, stored as given (a JSON object of at most 32 KiB;
    ///     callers validate it with SigilPolicy first), or `nil` to remove it.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown principal,
    ///   `invalidArgument` for a malformed ARN, a policy that is not a JSON object of at
    ///   most 32 KiB, or an account root (which has no identity policy).
    public func setIdentityPolicy(arn: String, _ policy: String?) throws {
        let parts = try Self.parsePrincipalARN(arn)
        if let policy {
            guard parts.kind != .root else {
                throw KeyStoreError(
                    .invalidArgument,
                    "\(arn) is an account root, which has no identity policy: it may do whatever the key policies grant its account")
            }
            try Self.validateIdentityPolicy(policy)
        }
        try write { db in
            let changed = try db.execute(sql: "UPDATE principals SET identity_policy = ? WHERE arn = ?", arguments: [policy, arn])
            guard changed == 1 else { throw Self.noPrincipal(arn) }
        }
    }

    /// Removes a principal and every access key of it, in one transaction: requests signed
    /// with them are refused from then on (a running server may trust a key it looked up
    /// for up to 30 seconds more).
    ///
    /// - Parameter arn: The principal ARN.
    /// - Returns: The ids of the access keys removed.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown principal,
    ///   `invalidArgument` for a malformed ARN, `invalidState` for the key holder's own
    ///   account root (see ``ownAccount()``) or an account root whose account still has
    ///   users or roles.
    @discardableResult
    public func removePrincipal(arn: String) throws -> [String] {
        let parts = try Self.parsePrincipalARN(arn)
        return try write { db in
            let record = try Self.requirePrincipal(db, arn: arn)
            if parts.kind == .root {
                guard try Self.ownAccount(db) != record.account else {
                    throw KeyStoreError(
                        .invalidState,
                        "\(arn) is the root of the key holder's own account, which owns the data directory: "
                            + "it cannot be removed (revoke or rotate its access keys instead)")
                }
                let others = try db.value(Int.self, sql: "SELECT count(*) FROM principals WHERE account = ? AND kind != 'root'",
                    arguments: [record.account]) ?? 0
                guard others == 0 else {
                    throw KeyStoreError(
                        .invalidState,
                        "account \(record.account) still has \(others) user(s) or role(s): remove them before its root")
                }
            }
            try db.execute(sql: "DELETE FROM access_keys WHERE principal = ?", arguments: [arn])
            try db.execute(sql: "DELETE FROM principals WHERE arn = ?", arguments: [arn])
            return record.accessKeys.map(\.id)
        }
    }

    // MARK: - Access keys of principals

    /// Creates another access key for an existing principal (see
    /// ``createAccessKey(principal:account:now:)`` for its form).
    ///
    /// - Parameters:
    ///   - principalARN: The principal's ARN.
    ///   - now: The creation date.
    /// - Returns: The id and the secret; the secret is shown this once, to hand to its owner.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown principal,
    ///   `invalidArgument` for a malformed ARN.
    public func createAccessKey(principalARN: String, now: Date = Date()) throws
        -> (accessKeyID: String, secretAccessKey: SecureBytes)
    {
        let parts = try Self.parsePrincipalARN(principalARN)
        let (id, secret, sealed) = try makeAccessKey()
        try write { db in
            _ = try Self.requirePrincipal(db, arn: principalARN)
            try Self.insertAccessKey(db, id: id, sealed: sealed, principal: principalARN, account: parts.account, now: now)
        }
        return (id, secret)
    }

    /// Replaces a principal's access keys: creates a new one and deactivates every other,
    /// in one transaction. The old keys stay listed, inactive.
    ///
    /// - Parameters:
    ///   - principalARN: The principal's ARN.
    ///   - now: The creation date of the new key.
    /// - Returns: The new id and secret; the secret is shown this once.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown principal,
    ///   `invalidArgument` for a malformed ARN.
    public func rotateAccessKey(principalARN: String, now: Date = Date()) throws
        -> (accessKeyID: String, secretAccessKey: SecureBytes)
    {
        let parts = try Self.parsePrincipalARN(principalARN)
        let (id, secret, sealed) = try makeAccessKey()
        try write { db in
            _ = try Self.requirePrincipal(db, arn: principalARN)
            try db.execute(sql: "UPDATE access_keys SET active = ? WHERE principal = ?", arguments: [false, principalARN])
            try Self.insertAccessKey(db, id: id, sealed: sealed, principal: principalARN, account: parts.account, now: now)
        }
        return (id, secret)
    }

    // MARK: - Internals

    /// Checks everything about a new principal that does not need the database.
    static func validateNewPrincipal(account: String, kind: PrincipalKind, name: String, identityPolicy: String?) throws
        -> String
    {
        try Validation.account(account)
        switch kind {
        case .root:
            guard name == "root" else {
                throw KeyStoreError(.invalidArgument, "an account root is named root, not \(Validation.quoted(name))")
            }
            guard identityPolicy == nil else {
                throw KeyStoreError(
                    .invalidArgument,
                    "an account root has no identity policy: it may do whatever the key policies grant its account")
            }
        case .user, .role:
            guard PrincipalRecord.isValidName(name) else {
                throw KeyStoreError(
                    .invalidArgument,
                    "a \(kind.rawValue) name is 1 to \(PrincipalRecord.maximumNameLength) letters, digits or + = , . @ _ -, "
                        + "not \(Validation.quoted(name))")
            }
        }
        if let identityPolicy { try validateIdentityPolicy(identityPolicy) }
        return PrincipalRecord.arn(account: account, kind: kind, name: name)
    }

    /// The storage limits of an identity policy; its meaning is SigilPolicy's to check.
    static func validateIdentityPolicy(_ policy: String) throws {
        guard policy.utf8.count <= maximumIdentityPolicySize else {
            throw KeyStoreError(
                .invalidArgument,
                "an identity policy is at most \(maximumIdentityPolicySize) bytes, but has \(policy.utf8.count)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(policy.utf8))) is [String: Any] else {
            throw KeyStoreError(.invalidArgument, "the identity policy is not a JSON object")
        }
    }

    static func parsePrincipalARN(_ arn: String) throws -> (account: String, kind: PrincipalKind, name: String) {
        guard let parts = PrincipalRecord.components(ofARN: arn) else {
            throw KeyStoreError(
                .invalidArgument,
                "a principal ARN is arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME or "
                    + "arn:aws:iam::ACCOUNT:role/NAME, not \(Validation.quoted(arn))")
        }
        return parts
    }

    /// Inserts a principal, and its account's root when the account has none.
    static func insertPrincipal(
        _ db: any StoreTransaction, arn: String, account: String, kind: PrincipalKind, name: String, policy: String?, now: Date
    ) throws {
        guard try db.value(Int.self, sql: "SELECT count(*) FROM principals WHERE arn = ?", arguments: [arn]) == 0 else {
            throw KeyStoreError(.alreadyExists, "\(arn) already exists")
        }
        try insertRootIfAbsent(db, account: account, now: now)
        if kind != .root {
            try db.execute(
                sql: """
                    INSERT INTO principals (arn, account, kind, name, identity_policy, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [arn, account, kind.rawValue, name, policy, now.timeIntervalSince1970])
        }
    }

    static func insertRootIfAbsent(_ db: any StoreTransaction, account: String, now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO principals (arn, account, kind, name, identity_policy, created_at)
                VALUES (?, ?, 'root', 'root', NULL, ?) ON CONFLICT (arn) DO NOTHING
                """,
            arguments: [PrincipalRecord.arn(account: account, kind: .root, name: "root"), account, now.timeIntervalSince1970])
    }

    static func ownAccount(_ db: any StoreTransaction) throws -> String {
        // Access keys are never deleted from the own root (it cannot be removed), and
        // their order of making only grows, so the first is the key made at initialisation.
        guard let account = try db.value(String.self, sql: "SELECT account FROM access_keys ORDER BY \(Self.insertionOrder(db)) LIMIT 1") else {
            throw KeyStoreError(.storageFailure, "the key store has no access key, so no account of its own")
        }
        return account
    }

    static func noPrincipal(_ arn: String) -> KeyStoreError {
        KeyStoreError(.notFound, "no principal \(Validation.quoted(arn))")
    }

    static func requirePrincipal(_ db: any StoreTransaction, arn: String) throws -> PrincipalRecord {
        guard let record = try fetchPrincipals(db, arn: arn).first else { throw noPrincipal(arn) }
        return record
    }

    /// One principal by ARN, or every principal (of an account), with their access keys.
    static func fetchPrincipals(_ db: any StoreTransaction, arn: String? = nil, account: String? = nil) throws -> [PrincipalRecord] {
        let order = "ORDER BY account, CASE kind WHEN 'root' THEN 0 WHEN 'user' THEN 1 ELSE 2 END, name"
        let rows: [StoreRow]
        let keyRows: [StoreRow]
        if let arn {
            rows = try db.rows(sql: "SELECT * FROM principals WHERE arn = ?", arguments: [arn])
            keyRows = try db.rows(sql: "SELECT id, principal, active, created_at FROM access_keys WHERE principal = ? ORDER BY \(Self.insertionOrder(db))",
                arguments: [arn])
        } else {
            rows = try db.rows(sql: "SELECT * FROM principals WHERE CAST(? AS TEXT) IS NULL OR account = ? \(order)", arguments: [account, account])
            keyRows = try db.rows(sql: """
                    SELECT a.id, a.principal, a.active, a.created_at FROM access_keys a
                    JOIN principals p ON p.arn = a.principal
                    WHERE CAST(? AS TEXT) IS NULL OR p.account = ? ORDER BY a.\(Self.insertionOrder(db))
                    """,
                arguments: [account, account])
        }
        var keys: [String: [AccessKeySummary]] = [:]
        for row in keyRows {
            let summary = AccessKeySummary(
                id: try row.decode(String.self, forColumn: "id"),
                isActive: try row.decode(Bool.self, forColumn: "active"),
                creationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")))
            keys[try row.decode(String.self, forColumn: "principal"), default: []].append(summary)
        }
        return try rows.map { row in
            let arn = try row.decode(String.self, forColumn: "arn")
            return PrincipalRecord(
                arn: arn,
                account: try row.decode(String.self, forColumn: "account"),
                kind: try principalKind(row, arn: arn),
                name: try row.decode(String.self, forColumn: "name"),
                identityPolicy: try row.decode(String?.self, forColumn: "identity_policy"),
                creationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")),
                accessKeys: keys[arn] ?? [])
        }
    }

    /// The column that orders access keys as they were made: SQLite's implicit `rowid`,
    /// PostgreSQL's `seq`.
    static func insertionOrder(_ db: any StoreTransaction) -> String {
        db.dialect == .sqlite ? "rowid" : "seq"
    }

    static func principalKind(_ row: StoreRow, arn: String) throws -> PrincipalKind {
        let name = try row.decode(String.self, forColumn: "kind")
        guard let kind = PrincipalKind(rawValue: name) else {
            throw KeyStoreError(.storageFailure, "principal \(arn) has an unknown kind \(Validation.quoted(name))")
        }
        return kind
    }
}
