public import Foundation
internal import SigilCrypto

extension KeyStore {
    /// Queues the event of a request that changes nothing (Sign, Decrypt,
    /// GenerateDataKey, a refusal, a failure) for the audit log's next batch, and
    /// returns at once; see ``AuditWriter``. A batch that fails keeps the event and
    /// retries it; use ``recordAuditDurably(_:)`` to wait for the commit instead.
    ///
    /// A request that changes the store passes its event to the mutating method instead
    /// (`audit:`), which appends it in the same transaction as the change — or not at all
    /// when the change fails, in which case the failure is recorded here.
    ///
    /// - Parameter event: The event; it must hold no secret (see ``AuditEvent``).
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when ``AuditWriter/maximumPending``
    ///   events already wait because appending keeps failing.
    public func recordAudit(_ event: AuditEvent) throws {
        try auditWriter.record(event)
    }

    /// Appends the event of a request that changes nothing to the audit log's next batch
    /// and returns once that batch has committed; see ``AuditWriter/recordDurably(_:)``.
    ///
    /// A server calls this before it answers, and answers with a failure when it throws,
    /// so that nothing (a signature, a plaintext, a data key) is released by a request
    /// the log does not hold.
    ///
    /// - Parameter event: The event; it must hold no secret (see ``AuditEvent``).
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the batch failed to commit
    ///   (the event is not in the log) or ``AuditWriter/maximumPending`` events already wait.
    public func recordAuditDurably(_ event: AuditEvent) async throws {
        try await auditWriter.recordDurably(event)
    }

    /// Returns once every event recorded with ``recordAudit(_:)`` before the call is
    /// durable.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when a batch fails after the
    ///   call began; its events stay queued and are retried.
    public func flushAudit() throws {
        try auditWriter.flush()
    }

    /// Walks the whole audit log and checks that nothing was altered, removed, reordered
    /// or added outside the key holder: every event's hash, every link, the sequence
    /// from 1 without gaps, and the signed head (its MAC under the root key, and that it
    /// names the last event).
    ///
    /// It reads one snapshot, with a cursor, in constant memory; it can run while a
    /// server appends to the same database. Events still queued in this store's
    /// ``auditWriter`` are not yet in the log.
    ///
    /// - Returns: The number of events and the first problem, if any.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the database cannot be read.
    public func verifyAuditLog() throws -> AuditVerification {
        try read { db in try auditLog.verify(db) }
    }

    /// Writes the audit log as JSON Lines, one CloudTrail record (event version 1.08) per
    /// event, oldest first, with Sigil's `sigilSequence` and `sigilHash` added.
    ///
    /// It reads one snapshot with a cursor and writes as it goes, in constant memory. It
    /// does not verify the chain: run ``verifyAuditLog()`` for that.
    ///
    /// - Parameters:
    ///   - handle: Where to write.
    ///   - after: Only events with a greater sequence number; `nil` for all.
    /// - Returns: The number of events written.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the database cannot be read
    ///   or an event's row is malformed, `ioFailure` when writing fails.
    public func exportAuditLog(to handle: FileHandle, after: Int64? = nil) throws -> Int {
        try read { db in
            var buffer = Data()
            buffer.reserveCapacity(1 << 16)
            var count = 0
            func drain() throws {
                do {
                    try handle.write(contentsOf: buffer)
                } catch {
                    throw SigilError(.ioFailure, "writing the audit log export failed: \(error.localizedDescription)")
                }
                buffer.removeAll(keepingCapacity: true)
            }
            try db.forEachRow(
                sql: "SELECT \(AuditLog.columns) FROM audit_events WHERE seq > ? ORDER BY seq", arguments: [after ?? 0]
            ) { row in
                let stored: AuditLog.StoredRow
                do {
                    stored = try AuditLog.decodeRow(row)
                } catch let error as KeyStoreError {
                    let seq = (try? row.decode(Int64.self, at: 0)).map(String.init) ?? "?"
                    throw KeyStoreError(
                        .storageFailure, "audit event \(seq) cannot be exported: \(error.message) (run audit verify)")
                }
                buffer.append(contentsOf: AuditLog.cloudTrailLine(stored).utf8)
                buffer.append(0x0a)
                count += 1
                if buffer.count >= 1 << 16 { try drain() }
            }
            if !buffer.isEmpty { try drain() }
            return count
        }
    }

    /// Events of the audit log, oldest first, as stored (see ``AuditEvent/normalized``).
    ///
    /// - Parameters:
    ///   - after: Only events with a greater sequence number (0 for the first page).
    ///   - limit: The most events returned, 1 to 10,000.
    /// - Returns: The events and their places in the chain.
    /// - Throws: ``KeyStoreError`` with code `invalidArgument` for a limit out of range,
    ///   `storageFailure` when a row is malformed.
    public func auditEvents(after: Int64 = 0, limit: Int = 1000) throws -> [AuditRecord] {
        guard (1...10_000).contains(limit) else {
            throw KeyStoreError(.invalidArgument, "limit must be between 1 and 10000, but is \(limit)")
        }
        return try read { db in
            let rows = try db.rows(sql: "SELECT \(AuditLog.columns) FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [after, limit])
            return try rows.map { row in
                let stored = try AuditLog.decodeRow(row)
                return AuditRecord(seq: stored.seq, event: stored.stored.event, hash: stored.hash)
            }
        }
    }
}
