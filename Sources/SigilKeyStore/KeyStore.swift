public import Foundation
internal import SigilCrypto

/// The key holder's persistent state: keys and their sealed material, aliases, tags,
/// principals, access keys and the audit log, sealed by the root key in the data
/// directory. The tables live in one SQLite database in that directory (WAL,
/// `synchronous=FULL`), or in PostgreSQL, shared by several key holders that hold the
/// same root key (``StoreLocation``).
///
/// Every method is synchronous, throws ``KeyStoreError`` (and ``SigilCrypto/SigilError``
/// for a cryptographic failure, such as sealed material that does not open), and is safe to call from many
/// threads at once: writes follow one another (across nodes too), reads run concurrently.
/// Over PostgreSQL a call waits for the network: never call it on an event loop.
/// Methods that generate keys (``createKey(account:region:spec:usage:description:policy:tags:now:)``)
/// or parse them (``privateKey(id:)``) take CPU time: call them off an event loop.
///
/// Errors carry these codes: `notFound` (no such key, version, alias or access key),
/// `alreadyExists` (alias taken), `invalidState` (the key's state forbids it),
/// `invalidKeyUsage` (the key's spec or usage forbids it), `invalidArgument` (a value
/// KMS would refuse), `authenticationFailure` (sealed data does not open),
/// `storageFailure` (the directory or database).
public final class KeyStore: Sendable {
    /// The data directory.
    public let directory: URL
    let files: DataDirectory
    let database: any StoreDatabase
    let sealer: Sealer
    let resolutions = ResolutionCache()
    let auditLog: AuditLog
    /// Appends the audit events of requests that change nothing, in batches (see
    /// ``recordAudit(_:)``).
    public let auditWriter: AuditWriter
    /// Stores the keys of ``store(_:)`` in groups.
    let keyWriter: KeyCreationWriter

    private init(files: DataDirectory, database: any StoreDatabase, sealer: Sealer, auditLog: AuditLog) {
        self.directory = files.url
        self.files = files
        self.database = database
        self.sealer = sealer
        self.auditLog = auditLog
        self.auditWriter = AuditWriter { events, takeLate in
            try auditLog.appendBatch(events, joining: takeLate, to: database)
        }
        // The writer refers to the store weakly: the store owns it.
        let store = WeakStore()
        self.keyWriter = KeyCreationWriter(contended: { auditLog.anotherNodeWrote }) { keys in
            guard let self = store.value else {
                throw KeyStoreError(.storageFailure, "the key store was closed before the key was stored")
            }
            try self.insert(keys)
        }
        store.value = self
    }

    /// The account id the key holder serves when none is configured.
    public static let defaultAccount = "111122223333"

    /// Opens the store in `directory`, initialising it when it is empty.
    ///
    /// On an empty (or missing) directory this creates `root.key` (32 random bytes, mode
    /// 0600), `keyholder.sqlite`, and an access key for `arn:aws:iam::ACCOUNT:root`,
    /// written to `credentials` (mode 0600) as profile `default` of the AWS
    /// shared-credentials format. The secret is never printed or logged.
    ///
    /// - Parameters:
    ///   - directory: The data directory.
    ///   - account: The 12-digit account whose root principal gets the first access key.
    ///   - now: The clock, for the access key's creation date.
    /// - Returns: The store, whether this call initialised it, and the credentials file.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the root key is missing
    ///   beside an existing database, is readable by others, has the wrong size, or
    ///   the database cannot be opened or migrated; `invalidArgument` for a bad account.
    public static func open(
        directory: URL, account: String = defaultAccount, now: Date = Date(), location: StoreLocation = .dataDirectory
    ) throws -> KeyStoreOpening {
        try Validation.account(account)
        let files = DataDirectory(url: directory.standardizedFileURL)
        try files.ensureExists()

        let database: any StoreDatabase
        let rootKey: SecureBytes
        switch location {
        case .dataDirectory:
            if files.exists(files.rootKeyURL) {
                rootKey = try files.readRootKey()
            } else if files.exists(files.databaseURL) {
                throw KeyStoreError(
                    .storageFailure,
                    "\(files.databaseURL.path) exists but its root key \(files.rootKeyURL.path) does not: "
                        + "without it no key can be opened; restore root.key from a backup (a new one would not help)")
            } else {
                rootKey = try files.createRootKey()
            }
            try files.ensureDatabaseFile()
            database = try SQLiteDatabase(path: files.databaseURL.path)
        case .postgreSQL(let url, let password):
            let shared = try PostgreSQLDatabase(configuration: url.connectionConfiguration(password: password))
            if files.exists(files.rootKeyURL) {
                rootKey = try files.readRootKey()
            } else if try shared.read({ try StoreIdentity.check(in: $0) }) != nil {
                throw KeyStoreError(
                    .storageFailure,
                    "the store at \(url) was sealed with a root key, and \(files.rootKeyURL.path) does not exist: "
                        + "give every node the same root key: copy root.key from a node of this store into this data "
                        + "directory, mode 0600")
            } else {
                rootKey = try files.createRootKey()
            }
            database = shared
        }
        try database.write { db in try StoreIdentity.claim(db, rootKey: rootKey, directory: files.url.path) }

        let store = KeyStore(
            files: files, database: database, sealer: Sealer(rootKey: rootKey), auditLog: try AuditLog(rootKey: rootKey))
        let initialized = try store.createRootAccessKeyIfNone(account: account, now: now)
        return KeyStoreOpening(store: store, initialized: initialized, credentialsFile: files.credentialsURL)
    }

    /// The policy KMS gives a key created without one: the account root may do `kms:*`.
    ///
    /// - Parameter account: The key's account.
    /// - Returns: The policy JSON.
    public static func defaultPolicy(account: String) -> String {
        """
        {"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",\
        "Effect":"Allow","Principal":{"AWS":"arn:aws:iam::\(account):root"},"Action":"kms:*","Resource":"*"}]}
        """
    }

    /// The ARN of a key.
    public static func keyARN(account: String, region: String, keyID: String) -> String {
        "arn:aws:kms:\(region):\(account):key/\(keyID)"
    }

    // MARK: - Keys

    /// Creates a key and its material, sealed, in one transaction.
    ///
    /// - Parameters:
    ///   - account: The owning 12-digit account.
    ///   - region: The region, such as `us-east-1`.
    ///   - spec: The key spec.
    ///   - usage: The key usage; KMS pairs: RSA with either, ECC with `SIGN_VERIFY`,
    ///     `SYMMETRIC_DEFAULT` with `ENCRYPT_DECRYPT`.
    ///   - description: Up to 8192 characters.
    ///   - policy: A JSON object up to 32 KiB; `nil` for ``defaultPolicy(account:)``.
    ///   - tags: Up to 50 tags with distinct keys.
    ///   - now: The creation date.
    ///   - audit: An event to append to the audit log in the same transaction; its
    ///     ``AuditEvent/keyARN``, when `nil`, becomes the new key's ARN.
    /// - Returns: The new key, `Enabled`, material version 1.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for an invalid pair or value.
    public func createKey(
        account: String, region: String, spec: KMSKeySpec, usage: KeyUsage, description: String = "",
        policy: String? = nil, tags: [KeyTag] = [], now: Date = Date(), audit: AuditEvent? = nil
    ) throws -> KeyRecord {
        let key = try makeKey(
            account: account, region: region, spec: spec, usage: usage, description: description, policy: policy,
            tags: tags, now: now, audit: audit)
        try insert([key])
        return key.record
    }

    /// A new key, generated and sealed but not stored: what
    /// ``createKey(account:region:spec:usage:description:policy:tags:now:audit:)`` stores,
    /// for ``store(_:)`` to store together with the keys of other requests. Takes CPU
    /// time (an asymmetric key is generated here) and touches no database.
    ///
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for an invalid pair or value.
    public func makeKey(
        account: String, region: String, spec: KMSKeySpec, usage: KeyUsage, description: String = "",
        policy: String? = nil, tags: [KeyTag] = [], now: Date = Date(), audit: AuditEvent? = nil
    ) throws -> NewKey {
        try Validation.account(account)
        try Validation.region(region)
        guard spec.allowedUsages.contains(usage) else {
            throw KeyStoreError(
                .invalidArgument,
                "KeyUsage \(usage) is not valid for KeySpec \(spec): use "
                    + spec.allowedUsages.map(\.kmsName).joined(separator: " or "))
        }
        try Validation.description(description)
        let policy = policy ?? Self.defaultPolicy(account: account)
        try Validation.policy(policy)
        try Validation.tags(tags)
        guard Set(tags.map(\.key)).count == tags.count else {
            throw KeyStoreError(.invalidArgument, "the tags repeat a tag key")
        }

        let id = UUID().uuidString.lowercased()
        let arn = Self.keyARN(account: account, region: region, keyID: id)
        let sealed: [UInt8]
        let publicKey: [UInt8]?
        if let asymmetric = spec.asymmetric {
            let key = try AsymmetricPrivateKey(generating: asymmetric)
            var der = try key.pkcs8DERRepresentation
            defer { wipe(&der) }
            sealed = try der.withUnsafeBytes { try sealer.seal($0, aad: Sealer.materialAAD(arn: arn, version: 1)) }
            publicKey = key.publicKey.derRepresentation
        } else {
            let material = try SecureBytes(randomCount: AESGCM.keySize)
            sealed = try sealer.seal(material, aad: Sealer.materialAAD(arn: arn, version: 1))
            publicKey = nil
        }
        var audit = audit
        if audit?.keyARN == nil { audit?.keyARN = arn }
        // Stored as a double and read back as one: the record says what every later read says.
        let createdAt = now.timeIntervalSince1970
        let record = KeyRecord(
            id: id, arn: arn, account: account, region: region, spec: spec, usage: usage, state: .enabled,
            description: description, policy: policy, creationDate: Date(timeIntervalSince1970: createdAt),
            deletionDate: nil, rotationEnabled: false, rotationPeriodDays: nil, nextRotationDate: nil, currentVersion: 1,
            publicKeyDER: publicKey)
        return NewKey(record: record, sealed: sealed, tags: tags, audit: audit)
    }

    /// Stores a key from ``makeKey(account:region:spec:usage:description:policy:tags:now:audit:)``
    /// with the keys of other requests that wait at the same time, in one transaction
    /// (``KeyCreationWriter``), and returns once it is stored. The calling task is
    /// suspended meanwhile, never its thread.
    ///
    /// - Returns: The new key's record.
    /// - Throws: What ``createKey(account:region:spec:usage:description:policy:tags:now:audit:)``
    ///   throws once the key is made: the database's errors; then neither the key nor its
    ///   event is stored.
    public func store(_ key: NewKey) async throws -> KeyRecord {
        try await keyWriter.store(key)
        return key.record
    }

    /// Stores new keys and their audit events in one transaction: one insert per table
    /// for them all. Every row is held back and none read back, so over PostgreSQL the
    /// keys' rows go in one statement before the writers' lock is taken (no other write can
    /// touch them), the events in one after it, and no thread of this node's wakes between
    /// the lock and the commit. Not announced: a key that did not exist is cached by no
    /// node (``StoreChange``).
    func insert(_ keys: [NewKey]) throws {
        var keyRows: [StoreValue] = []
        var materialRows: [StoreValue] = []
        var tagRows: [StoreValue] = []
        for key in keys {
            let record = key.record
            let createdAt = StoreValue.real(record.creationDate.timeIntervalSince1970)
            keyRows += [
                .text(record.id), .text(record.arn), .text(record.account), .text(record.region),
                .text(record.spec.kmsName), .text(record.usage.kmsName), .text(KeyState.enabled.kmsName),
                .text(record.description), .text(record.policy), createdAt, .integer(1),
                record.publicKeyDER.map(StoreValue.blob) ?? .null,
            ]
            materialRows += [.text(record.id), .integer(1), .blob(key.sealed), createdAt]
            for tag in key.tags { tagRows += [.text(record.id), .text(tag.key), .text(tag.value)] }
        }
        try write(audit: keys.compactMap(\.audit), change: nil) { db in
            try db.enqueueNewRows(into: "keys", columns: Self.newKeyColumns, rows: keyRows)
            try db.enqueueNewRows(into: "key_material", columns: Self.newMaterialColumns, rows: materialRows)
            if !tagRows.isEmpty {
                try db.enqueueNewRows(into: "key_tags", columns: Self.tagColumns, rows: tagRows)
            }
        }
    }

    /// The columns ``insert(_:)`` fills, in the order it gives their values.
    static let newKeyColumns: [StoreColumn] = [
        StoreColumn("id", .text), StoreColumn("arn", .text), StoreColumn("account", .text), StoreColumn("region", .text),
        StoreColumn("spec", .text), StoreColumn("usage", .text), StoreColumn("state", .text),
        StoreColumn("description", .text), StoreColumn("policy", .text), StoreColumn("created_at", .real),
        StoreColumn("current_version", .integer), StoreColumn("public_key", .blob),
    ]
    static let newMaterialColumns: [StoreColumn] = [
        StoreColumn("key_id", .text), StoreColumn("version", .integer), StoreColumn("sealed", .blob),
        StoreColumn("created_at", .real),
    ]
    static let tagColumns: [StoreColumn] = [
        StoreColumn("key_id", .text), StoreColumn("tag_key", .text), StoreColumn("tag_value", .text),
    ]

    /// The key with this id.
    ///
    /// - Parameter id: A key id (UUID); matched exactly, so lowercase.
    /// - Returns: The key, or `nil` when there is none.
    public func key(id: String) throws -> KeyRecord? {
        try read { db in try Self.fetchKey(db, sql: "SELECT * FROM keys WHERE id = ?", arguments: [id]) }
    }

    /// The key with this ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
    ///
    /// - Returns: The key, or `nil` when there is none.
    public func key(arn: String) throws -> KeyRecord? {
        try read { db in try Self.fetchKey(db, sql: "SELECT * FROM keys WHERE arn = ?", arguments: [arn]) }
    }

    /// Resolves any identifier KMS accepts for a key: a key id, a key ARN, an alias name
    /// (`alias/NAME`) or an alias ARN.
    ///
    /// - Parameters:
    ///   - identifier: The identifier from the request.
    ///   - account: The caller's account, for the forms that do not name one (key id,
    ///     alias name).
    ///   - region: The key holder's region, likewise.
    /// - Returns: The key, or `nil` when the identifier names none.
    public func resolveKey(_ identifier: String, account: String, region: String) throws -> KeyRecord? {
        try resolutions.record("\(account)|\(region)|\(identifier)") {
            try lookUpKey(identifier, account: account, region: region)
        }
    }

    private func lookUpKey(_ identifier: String, account: String, region: String) throws -> KeyRecord? {
        if identifier.hasPrefix("arn:") {
            let parts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[1] == "aws", parts[2] == "kms" else { return nil }
            let resource = String(parts[5])
            if resource.hasPrefix("key/") {
                return try key(arn: identifier)
            }
            if resource.hasPrefix("alias/") {
                guard let alias = try alias(resource, account: String(parts[4]), region: String(parts[3])) else {
                    return nil
                }
                return try key(id: alias.keyID)
            }
            return nil
        }
        if identifier.hasPrefix("alias/") {
            guard let alias = try alias(identifier, account: account, region: region) else { return nil }
            return try key(id: alias.keyID)
        }
        guard let record = try key(id: identifier), record.account == account, record.region == region else {
            return nil
        }
        return record
    }

    /// A page of an account's keys, oldest first; the order is stable, so paging with
    /// ``KeyPage/nextMarker`` visits every key that exists throughout exactly once.
    ///
    /// - Parameters:
    ///   - account: The account.
    ///   - region: Only keys of this region; `nil` for all.
    ///   - limit: The page size, 1 to 1000 (KMS's default is 100).
    ///   - marker: `nil` for the first page, else the previous page's ``KeyPage/nextMarker``.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for a limit out of range or a
    ///   marker this store did not make.
    public func listKeys(account: String, region: String? = nil, limit: Int = 100, after marker: String? = nil) throws
        -> KeyPage
    {
        guard (1...1000).contains(limit) else {
            throw KeyStoreError(.invalidArgument, "Limit must be between 1 and 1000, but is \(limit)")
        }
        var afterSequence: Int64 = 0
        if let marker {
            guard let value = Int64(marker), value > 0 else {
                throw KeyStoreError(.invalidArgument, "the marker \(marker) was not returned by a previous ListKeys")
            }
            afterSequence = value
        }
        return try read { db in
            let rows = try db.rows(sql: """
                    SELECT * FROM keys WHERE account = ? AND (CAST(? AS TEXT) IS NULL OR region = ?) AND seq > ?
                    ORDER BY seq LIMIT ?
                    """,
                arguments: [account, region, region, afterSequence, limit + 1])
            let more = rows.count > limit
            let page = Array(rows.prefix(limit))
            let keys = try page.map(Self.keyRecord)
            let last: Int64? = try page.last?.decode(Int64.self, forColumn: "seq")
            return KeyPage(keys: keys, nextMarker: more ? last.map(String.init) : nil)
        }
    }

    /// Enables or disables a key.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - state: ``KeyState/enabled`` or ``KeyState/disabled``; deletion has its own
    ///     methods.
    ///   - audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`; `invalidState` when the key is
    ///   pending deletion; `invalidArgument` for ``KeyState/pendingDeletion``.
    @discardableResult
    public func setState(id: String, _ state: KeyState, audit: AuditEvent? = nil) throws -> KeyRecord {
        guard state == .enabled || state == .disabled else {
            throw KeyStoreError(.invalidArgument, "use scheduleDeletion(id:at:) to put a key in state \(state)")
        }
        return try write(audit: audit) { db in
            let record = try Self.requireKey(db, id: id)
            guard record.state != .pendingDeletion else {
                throw KeyStoreError(
                    .invalidState, "\(record.arn) is pending deletion: cancel the deletion before enabling or disabling it")
            }
            try db.execute(sql: "UPDATE keys SET state = ? WHERE id = ?", arguments: [state.kmsName, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Replaces a key's description.
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`, or `invalidArgument` when longer
    ///   than 8192 characters.
    @discardableResult
    public func setDescription(id: String, _ description: String, audit: AuditEvent? = nil) throws -> KeyRecord {
        try Validation.description(description)
        return try write(audit: audit) { db in
            _ = try Self.requireKey(db, id: id)
            try db.execute(sql: "UPDATE keys SET description = ? WHERE id = ?", arguments: [description, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Replaces a key's policy.
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`, or `invalidArgument` for a policy
    ///   that is not a JSON object of at most 32 KiB.
    @discardableResult
    public func setPolicy(id: String, _ policy: String, audit: AuditEvent? = nil) throws -> KeyRecord {
        try Validation.policy(policy)
        return try write(audit: audit) { db in
            _ = try Self.requireKey(db, id: id)
            try db.execute(sql: "UPDATE keys SET policy = ? WHERE id = ?", arguments: [policy, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Schedules a key's deletion: state `PendingDeletion` until `date`, when
    /// ``deleteKeysDue(now:)`` removes it.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - date: When to delete it (KMS: 7 to 30 days from now; the caller checks the window).
    ///   - audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`, or `invalidState` when it is
    ///   already pending deletion.
    @discardableResult
    public func scheduleDeletion(id: String, at date: Date, audit: AuditEvent? = nil) throws -> KeyRecord {
        try write(audit: audit) { db in
            let record = try Self.requireKey(db, id: id)
            guard record.state != .pendingDeletion else {
                throw KeyStoreError(.invalidState, "\(record.arn) is already pending deletion")
            }
            try db.execute(
                sql: "UPDATE keys SET state = ?, deletion_date = ? WHERE id = ?",
                arguments: [KeyState.pendingDeletion.kmsName, date.timeIntervalSince1970, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Cancels a scheduled deletion, leaving the key `Disabled` (as KMS does).
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`, or `invalidState` when no deletion
    ///   is scheduled.
    @discardableResult
    public func cancelDeletion(id: String, audit: AuditEvent? = nil) throws -> KeyRecord {
        try write(audit: audit) { db in
            let record = try Self.requireKey(db, id: id)
            guard record.state == .pendingDeletion else {
                throw KeyStoreError(.invalidState, "\(record.arn) is not pending deletion (it is \(record.state))")
            }
            try db.execute(
                sql: "UPDATE keys SET state = ?, deletion_date = NULL WHERE id = ?",
                arguments: [KeyState.disabled.kmsName, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Deletes every key pending deletion whose deletion date is at or before `now`:
    /// the key, every version of its material, its tags and its aliases.
    ///
    /// - Parameters:
    ///   - now: The clock.
    ///   - audit: Makes the event to append to the audit log for each key deleted, in
    ///     the same transaction.
    /// - Returns: The ids of the keys deleted, oldest first.
    @discardableResult
    public func deleteKeysDue(now: Date = Date(), audit: ((KeyRecord) -> AuditEvent)? = nil) throws -> [String] {
        try write { db in
            let records = try db.rows(sql: "SELECT * FROM keys WHERE state = ? AND deletion_date <= ? ORDER BY seq",
                arguments: [KeyState.pendingDeletion.kmsName, now.timeIntervalSince1970]
            ).map(Self.keyRecord)
            let ids = records.map(\.id)
            if let audit { try auditLog.append(records.map(audit), in: db) }
            for id in ids {
                // The foreign keys cascade too; explicit deletes keep this true without them.
                try db.execute(sql: "DELETE FROM key_material WHERE key_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM key_tags WHERE key_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM aliases WHERE key_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM keys WHERE id = ?", arguments: [id])
            }
            return ids
        }
    }

    /// Forgets the key records resolved so far: another node changed the store.
    public func forgetCachedRecords() {
        resolutions.invalidate()
    }

    // MARK: - Database plumbing

    /// The store, for the key writer it owns. Set once, in ``init``, before anything can
    /// use the writer.
    private final class WeakStore: @unchecked Sendable {
        weak var value: KeyStore?
    }

    /// Runs a read transaction.
    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try database.read(body)
    }

    /// Runs a write transaction; `audit`, when
    /// given, is appended to the audit log after `body`, in the same transaction, so the
    /// event exists exactly when the change does. `change` is what the other nodes are
    /// told may have changed; `nil` when nothing they hold can be (a new key).
    func write<T>(
        audit: AuditEvent? = nil, change: StoreChange? = .store, _ body: (any StoreTransaction) throws -> T
    ) throws -> T {
        try write(audit: audit.map { [$0] } ?? [], change: change, body)
    }

    /// ``write(audit:change:_:)`` with any number of events, appended in order.
    func write<T>(
        audit events: [AuditEvent], change: StoreChange? = .store, _ body: (any StoreTransaction) throws -> T
    ) throws -> T {
        defer { resolutions.invalidate() }
        // The events of requests that finished before this one are committed first, so
        // that the log's order is the order in which requests completed.
        if !events.isEmpty { try auditWriter.flush() }
        return try database.write(announcing: change) { db in
            let result = try body(db)
            if !events.isEmpty {
                try db.appendAuditAtCommit { [auditLog] head, lastSeq in
                    try auditLog.batch(events, after: head, lastSeq: lastSeq)
                }
            }
            return result
        }
    }

    static func fetchKey(_ db: any StoreTransaction, sql: String, arguments: StoreArguments) throws -> KeyRecord? {
        guard let row = try db.row(sql: sql, arguments: arguments) else { return nil }
        return try keyRecord(row)
    }

    static func requireKey(_ db: any StoreTransaction, id: String) throws -> KeyRecord {
        guard let record = try fetchKey(db, sql: "SELECT * FROM keys WHERE id = ?", arguments: [id]) else {
            throw KeyStoreError(.notFound, "no key with id \(id)")
        }
        return record
    }

    static func keyRecord(_ row: StoreRow) throws -> KeyRecord {
        let id = try row.decode(String.self, forColumn: "id")
        let specName = try row.decode(String.self, forColumn: "spec")
        let usageName = try row.decode(String.self, forColumn: "usage")
        let stateName = try row.decode(String.self, forColumn: "state")
        guard let spec = KMSKeySpec(kmsName: specName), let usage = KeyUsage(kmsName: usageName),
            let state = KeyState(kmsName: stateName)
        else {
            throw KeyStoreError(
                .storageFailure, "key \(id) has an unknown spec, usage or state (\(specName), \(usageName), \(stateName))")
        }
        let deletion = try row.decode(Double?.self, forColumn: "deletion_date")
        let nextRotation = try row.decode(Double?.self, forColumn: "next_rotation_date")
        let publicKey = try row.decode(Data?.self, forColumn: "public_key")
        return KeyRecord(
            id: id,
            arn: try row.decode(String.self, forColumn: "arn"),
            account: try row.decode(String.self, forColumn: "account"),
            region: try row.decode(String.self, forColumn: "region"),
            spec: spec, usage: usage, state: state,
            description: try row.decode(String.self, forColumn: "description"),
            policy: try row.decode(String.self, forColumn: "policy"),
            creationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")),
            deletionDate: deletion.map(Date.init(timeIntervalSince1970:)),
            rotationEnabled: try row.decode(Bool.self, forColumn: "rotation_enabled"),
            rotationPeriodDays: try row.decode(Int?.self, forColumn: "rotation_period_days"),
            nextRotationDate: nextRotation.map(Date.init(timeIntervalSince1970:)),
            currentVersion: try row.decode(Int.self, forColumn: "current_version"),
            publicKeyDER: publicKey.map { [UInt8]($0) })
    }
}
