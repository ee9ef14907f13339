public import Foundation
public import SigilCrypto

extension KeyStore {
    /// The private key of an asymmetric key, unsealed.
    ///
    /// The key's state is not checked here: refusing disabled keys is the caller's rule.
    ///
    /// - Parameter id: The key id.
    /// - Returns: The private key.
    /// - Throws: ``KeyStoreError`` with code `notFound`; `invalidKeyUsage` for a symmetric
    ///   key; `authenticationFailure` when the sealed material does not open.
    public func privateKey(id: String) throws -> AsymmetricPrivateKey {
        let (record, sealed) = try read { db in
            let record = try Self.requireKey(db, id: id)
            return (record, try Self.sealedMaterial(db, record: record, version: 1))
        }
        guard record.spec.asymmetric != nil else {
            throw KeyStoreError(.invalidKeyUsage, "\(record.arn) is a symmetric key: it has no private key")
        }
        let material = try sealer.open(
            sealed, aad: Sealer.materialAAD(arn: record.arn, version: 1), what: "material of \(record.arn) version 1")
        do {
            return try material.withUnsafeBytes { try AsymmetricPrivateKey(pkcs8DERRepresentation: $0) }
        } catch {
            // Sealed data that opens but does not parse: written wrong, never shown.
            throw KeyStoreError(.storageFailure, "the material of \(record.arn) opens but is not a PKCS#8 private key")
        }
    }

    /// One version of a symmetric key's material, unsealed.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - version: The material version, 1 up to ``KeyRecord/currentVersion``.
    /// - Returns: The 32-byte AES key.
    /// - Throws: ``KeyStoreError`` with code `notFound` (no such key or version);
    ///   `invalidKeyUsage` for an asymmetric key; `authenticationFailure`.
    public func symmetricKey(id: String, version: Int) throws -> SecureBytes {
        let (record, sealed) = try read { db in
            let record = try Self.requireKey(db, id: id)
            return (record, try Self.sealedMaterial(db, record: record, version: version))
        }
        return try openSymmetric(record: record, version: version, sealed: sealed)
    }

    /// The current version of a symmetric key's material, unsealed: what new
    /// ciphertexts use.
    ///
    /// - Returns: The version and the 32-byte AES key.
    /// - Throws: As ``symmetricKey(id:version:)``.
    public func currentSymmetricKey(id: String) throws -> (version: Int, key: SecureBytes) {
        let (record, sealed) = try read { db in
            let record = try Self.requireKey(db, id: id)
            return (record, try Self.sealedMaterial(db, record: record, version: record.currentVersion))
        }
        return (record.currentVersion, try openSymmetric(record: record, version: record.currentVersion, sealed: sealed))
    }

    /// Rotates a symmetric key: new random material as the next version, which new
    /// ciphertexts use; every earlier version stays readable.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - date: The rotation date.
    ///   - type: ``RotationType/onDemand`` (RotateKeyOnDemand) or ``RotationType/automatic``.
    ///   - audit: An event to append to the audit log in the same transaction.
    /// - Returns: The new version.
    /// - Throws: ``KeyStoreError`` with code `notFound`, or `invalidKeyUsage` for an
    ///   asymmetric key. The key's state is the caller's to check.
    @discardableResult
    public func rotate(id: String, at date: Date = Date(), type: RotationType = .onDemand, audit: AuditEvent? = nil)
        throws -> Int
    {
        try write(audit: audit) { db in
            let record = try Self.requireKey(db, id: id)
            return try rotate(db, record: record, at: date, type: type)
        }
    }

    /// The rotations of a symmetric key, oldest first (the original material is not one).
    ///
    /// - Throws: ``KeyStoreError`` with code `notFound`.
    public func rotations(id: String) throws -> [KeyRotation] {
        try read { db in
            _ = try Self.requireKey(db, id: id)
            let rows = try db.rows(sql: """
                    SELECT version, created_at, rotation_type FROM key_material
                    WHERE key_id = ? AND rotation_type IS NOT NULL ORDER BY version
                    """,
                arguments: [id])
            return try rows.map { row in
                let name = try row.decode(String.self, forColumn: "rotation_type")
                guard let type = RotationType(kmsName: name) else {
                    throw KeyStoreError(.storageFailure, "key \(id) has a rotation of unknown type \(name)")
                }
                return KeyRotation(
                    keyID: id, version: try row.decode(Int.self, forColumn: "version"),
                    rotationDate: Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at")),
                    type: type)
            }
        }
    }

    /// Turns automatic rotation on or off.
    ///
    /// - Parameters:
    ///   - id: The key id.
    ///   - enabled: Whether to rotate automatically.
    ///   - periodDays: The period, 90 to 2560 days; `nil` keeps the current one (365 at first).
    ///   - now: The clock: the next rotation is `now` + the period.
    ///   - audit: An event to append to the audit log in the same transaction.
    /// - Returns: The updated key.
    /// - Throws: ``KeyStoreError`` with code `notFound`; `invalidKeyUsage` for an asymmetric
    ///   key; `invalidArgument` for a period out of range.
    @discardableResult
    public func setRotation(
        id: String, enabled: Bool, periodDays: Int? = nil, now: Date = Date(), audit: AuditEvent? = nil
    ) throws -> KeyRecord {
        if let periodDays { try Validation.rotationPeriod(periodDays) }
        return try write(audit: audit) { db in
            let record = try Self.requireKey(db, id: id)
            guard record.spec.isSymmetric else {
                throw KeyStoreError(.invalidKeyUsage, "\(record.arn) is asymmetric: only symmetric keys rotate")
            }
            let period = periodDays ?? record.rotationPeriodDays ?? 365
            let next = enabled ? now.addingTimeInterval(Double(period) * 86_400).timeIntervalSince1970 : nil
            try db.execute(
                sql: "UPDATE keys SET rotation_enabled = ?, rotation_period_days = ?, next_rotation_date = ? WHERE id = ?",
                arguments: [enabled, period, next, id])
            return try Self.requireKey(db, id: id)
        }
    }

    /// Rotates every enabled key whose automatic rotation is due, and schedules its next
    /// rotation one period later.
    ///
    /// - Parameters:
    ///   - now: The clock.
    ///   - audit: Makes the event to append to the audit log for each key rotated (given
    ///     the key before rotation), in the same transaction.
    /// - Returns: The keys rotated and their new versions.
    @discardableResult
    public func rotateKeysDue(now: Date = Date(), audit: ((KeyRecord) -> AuditEvent)? = nil) throws
        -> [(keyID: String, version: Int)]
    {
        try write { db in
            let rows = try db.rows(sql: """
                    SELECT * FROM keys WHERE rotation_enabled = ? AND state = ? AND next_rotation_date <= ?
                    ORDER BY seq
                    """,
                arguments: [true, KeyState.enabled.kmsName, now.timeIntervalSince1970])
            var rotated: [(keyID: String, version: Int)] = []
            for row in rows {
                let record = try Self.keyRecord(row)
                let version = try rotate(db, record: record, at: now, type: .automatic)
                let period = Double(record.rotationPeriodDays ?? 365) * 86_400
                var next = record.nextRotationDate ?? now
                while next <= now { next = next.addingTimeInterval(period) }
                try db.execute(
                    sql: "UPDATE keys SET next_rotation_date = ? WHERE id = ?",
                    arguments: [next.timeIntervalSince1970, record.id])
                rotated.append((record.id, version))
                if let audit { try auditLog.append(CollectionOfOne(audit(record)), in: db) }
            }
            return rotated
        }
    }

    // MARK: - Internals

    private func rotate(_ db: any StoreTransaction, record: KeyRecord, at date: Date, type: RotationType) throws -> Int {
        guard record.spec.isSymmetric else {
            throw KeyStoreError(.invalidKeyUsage, "\(record.arn) is asymmetric: only symmetric keys rotate")
        }
        let version = record.currentVersion + 1
        let material = try SecureBytes(randomCount: AESGCM.keySize)
        let sealed = try sealer.seal(material, aad: Sealer.materialAAD(arn: record.arn, version: version))
        try db.execute(
            sql: "INSERT INTO key_material (key_id, version, sealed, created_at, rotation_type) VALUES (?, ?, ?, ?, ?)",
            arguments: [record.id, version, Data(sealed), date.timeIntervalSince1970, type.kmsName])
        try db.execute(sql: "UPDATE keys SET current_version = ? WHERE id = ?", arguments: [version, record.id])
        return version
    }

    private func openSymmetric(record: KeyRecord, version: Int, sealed: [UInt8]) throws -> SecureBytes {
        guard record.spec.isSymmetric else {
            throw KeyStoreError(.invalidKeyUsage, "\(record.arn) is an asymmetric \(record.spec) key, not a symmetric key")
        }
        let key = try sealer.open(
            sealed, aad: Sealer.materialAAD(arn: record.arn, version: version),
            what: "material of \(record.arn) version \(version)")
        guard key.count == AESGCM.keySize else {
            throw KeyStoreError(.storageFailure, "the material of \(record.arn) version \(version) is not a 32-byte key")
        }
        return key
    }

    static func sealedMaterial(_ db: any StoreTransaction, record: KeyRecord, version: Int) throws -> [UInt8] {
        guard
            let data = try db.value(Data.self, sql: "SELECT sealed FROM key_material WHERE key_id = ? AND version = ?",
                arguments: [record.id, version])
        else {
            throw KeyStoreError(.notFound, "\(record.arn) has no material version \(version)")
        }
        return [UInt8](data)
    }
}
