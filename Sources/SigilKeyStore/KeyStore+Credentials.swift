public import Foundation
public import SigilCrypto

extension KeyStore {
    /// Creates an access key for a principal: a 20-character id (`AKIA` and 16 of
    /// `A–Z 2–7`) and a 40-character secret (of `A–Z a–z 0–9 + /`), the secret stored
    /// sealed under the root key with the id as AAD. The principal, and its account's
    /// root, are added first when they do not exist yet.
    ///
    /// ``createAccessKey(principalARN:now:)`` is the form for principals that exist.
    ///
    /// - Parameters:
    ///   - principal: A root, user or role ARN in `account`: `arn:aws:iam::ACCOUNT:root`,
    ///     `…:user/NAME` or `…:role/NAME`.
    ///   - account: The 12-digit account.
    ///   - now: The creation date.
    /// - Returns: The id and the secret; the secret is shown this once, to hand to its owner.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for a bad account or principal.
    public func createAccessKey(principal: String, account: String, now: Date = Date()) throws
        -> (accessKeyID: String, secretAccessKey: SecureBytes)
    {
        try Validation.account(account)
        guard let parts = PrincipalRecord.components(ofARN: principal), parts.account == account else {
            throw KeyStoreError(
                .invalidArgument,
                "a principal is a root, user or role ARN in account \(account) (arn:aws:iam::\(account):root, "
                    + "…:user/NAME or …:role/NAME), not \(Validation.quoted(principal))")
        }
        let (id, secret, sealed) = try makeAccessKey()
        try write { db in
            if try db.value(Int.self, sql: "SELECT count(*) FROM principals WHERE arn = ?", arguments: [principal]) == 0 {
                try Self.insertPrincipal(
                    db, arn: principal, account: account, kind: parts.kind, name: parts.name, policy: nil, now: now)
            }
            try Self.insertAccessKey(db, id: id, sealed: sealed, principal: principal, account: account, now: now)
        }
        return (id, secret)
    }

    /// The access key with this id, its secret unsealed, for checking a SigV4 signature.
    ///
    /// - Parameter accessKeyID: The id from the request's credential scope.
    /// - Returns: The credential (revoked ones too: check ``Credential/isActive``), or
    ///   `nil` when there is no such access key.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the sealed secret
    ///   does not open.
    public func credential(accessKeyID: String) throws -> Credential? {
        let row = try read { db in
            try db.row(sql: """
                    SELECT a.sealed_secret, a.principal, a.account, a.active, a.created_at, p.kind, p.identity_policy,
                        p.created_at AS principal_created_at
                    FROM access_keys a JOIN principals p ON p.arn = a.principal WHERE a.id = ?
                    """,
                arguments: [accessKeyID])
        }
        guard let row else { return nil }
        let sealed = [UInt8](try row.decode(Data.self, forColumn: "sealed_secret"))
        let secret = try sealer.open(
            sealed, aad: Sealer.credentialAAD(accessKeyID: accessKeyID), what: "secret of access key \(accessKeyID)")
        let principal = try row.decode(String.self, forColumn: "principal")
        return Credential(
            accessKeyID: accessKeyID, secretAccessKey: secret,
            principal: principal,
            account: try row.decode(String.self, forColumn: "account"),
            principalKind: try Self.principalKind(row, arn: principal),
            identityPolicy: try row.decode(String?.self, forColumn: "identity_policy"),
            isActive: try row.decode(Bool.self, forColumn: "active"),
            creationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")),
            principalCreationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "principal_created_at")))
    }

    /// Revokes an access key: it stays on record but ``Credential/isActive`` is `false`.
    ///
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown access key.
    public func revokeAccessKey(_ accessKeyID: String) throws {
        try write { db in
            let changed = try db.execute(sql: "UPDATE access_keys SET active = ? WHERE id = ?", arguments: [false, accessKeyID])
            guard changed == 1 else {
                throw KeyStoreError(.notFound, "no access key \(Validation.quoted(accessKeyID))")
            }
        }
    }

    // MARK: - Internals

    /// On a store with no access key at all, adds the account root as a principal, creates
    /// an access key for it and writes it to `DIR/credentials`, in the same transaction: a
    /// crash between the two leaves no access key, so the next start does it again. (A
    /// directory initialised before principals existed got its root principal from the
    /// "v2: principals" migration.)
    func createRootAccessKeyIfNone(account: String, now: Date) throws -> Bool {
        let principal = "arn:aws:iam::\(account):root"
        let (id, secret, sealed) = try makeAccessKey()
        return try write { db in
            guard try db.value(Int.self, sql: "SELECT count(*) FROM access_keys") == 0 else { return false }
            try Self.insertRootIfAbsent(db, account: account, now: now)
            try Self.insertAccessKey(db, id: id, sealed: sealed, principal: principal, account: account, now: now)
            var contents = Array("[default]\naws_access_key_id = \(id)\naws_secret_access_key = ".utf8)
            secret.withUnsafeBytes { contents.append(contentsOf: $0) }
            contents.append(0x0a)
            defer { wipe(&contents) }
            try contents.withUnsafeBytes { bytes in
                try files.replaceFile(files.credentialsURL, bytes, what: "the credentials file")
            }
            return true
        }
    }

    func makeAccessKey() throws -> (id: String, secret: SecureBytes, sealed: [UInt8]) {
        let idAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        // 32 and 64 symbols: masking a random byte picks each with equal probability.
        let idBytes = try SecureRandom.bytes(count: 16).map { idAlphabet[Int($0 & 31)] }
        let id = "AKIA" + String(decoding: idBytes, as: UTF8.self)
        var random = try SecureRandom.bytes(count: 40)
        defer { wipe(&random) }
        var secretBytes = random.map { secretAlphabet[Int($0 & 63)] }
        defer { wipe(&secretBytes) }
        let secret = SecureBytes(secretBytes)
        let sealed = try sealer.seal(secret, aad: Sealer.credentialAAD(accessKeyID: id))
        return (id, secret, sealed)
    }

    static func insertAccessKey(
        _ db: any StoreTransaction, id: String, sealed: [UInt8], principal: String, account: String, now: Date
    ) throws {
        try db.execute(
            sql: "INSERT INTO access_keys (id, sealed_secret, principal, account, active, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, Data(sealed), principal, account, true, now.timeIntervalSince1970])
    }
}
