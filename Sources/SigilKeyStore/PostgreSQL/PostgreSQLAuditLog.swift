internal import Foundation
internal import PostgresNIO
internal import SigilCrypto

/// The audit chain in PostgreSQL (issue 11, item 4): one chain for every node, in the
/// `audit_events` and `audit_head` tables of ``PostgreSQLSchema``, hashed and signed as
/// the SQLite log is, so that the same verification reads either.
extension AuditLog {
    /// Taken by every append for the length of its transaction: appends from all nodes
    /// follow one another in commit order, each extending the head the previous one
    /// committed (the key spells "SigilAud"). A row lock on the head would not do: before
    /// the first event there is no head row to lock.
    static let postgreSQLAppendLock: Int64 = 0x5369_6769_6C41_7564

    /// Appends `events` to the chain in one transaction; several in one call share it
    /// (the writer's group commit).
    ///
    /// - Returns: The sequence number of the last event in the chain.
    /// - Throws: ``SigilError`` with code `storageFailure` when the signed head does not
    ///   verify or is missing under events (the log was altered outside the key holder),
    ///   and what PostgreSQL answers otherwise; then nothing is appended.
    @discardableResult
    func append(_ events: [AuditEvent], to client: PostgresClient, logger: Logger) async throws -> Int64 {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await append(events, on: connection, logger: logger)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    private func append(_ events: [AuditEvent], on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.postgreSQLAppendLock))", logger: logger)
        var seq: Int64
        var previous: [UInt8]
        if let head = try await Self.readHead(connection, logger: logger) {
            guard try isAuthentic(head) else { throw Self.unverifiedHead }
            seq = head.seq
            previous = head.hash
        } else {
            let rows = try await connection.query("SELECT max(seq) FROM audit_events", logger: logger)
            for try await last in rows.decode(Int64?.self) {
                if let last { throw Self.missingHead(after: last) }
            }
            seq = 0
            previous = Self.genesisHash
        }
        guard !events.isEmpty else { return seq }
        for event in events {
            seq += 1
            let stored = StoredEvent(event.normalized, time: Self.storedTime(event.time))
            let hash = try Self.chainHash(previous: previous, seq: seq, event: stored)
            let recorded = stored.event
            let query: PostgresQuery = """
                INSERT INTO audit_events (\(unescaped: Self.columns)) VALUES (\(seq), \(stored.time), \(recorded.requestID), \
                \(recorded.region), \(recorded.account), \(recorded.principalARN), \(recorded.accessKeyID), \
                \(recorded.sourceAddress), \(recorded.userAgent), \(recorded.operation), \(recorded.keyARN), \
                \(recorded.algorithm), \(JSONText.array(recorded.encryptionContextKeys)), \(recorded.outcome.rawValue), \
                \(recorded.errorCode), \(recorded.errorMessage), \(ByteBuffer(bytes: previous)), \(ByteBuffer(bytes: hash)))
                """
            _ = try await connection.query(query, logger: logger)
            previous = hash
        }
        let mac = try headMAC(seq: seq, hash: previous)
        _ = try await connection.query(
            """
            INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, \(seq), \(ByteBuffer(bytes: previous)), \(ByteBuffer(bytes: mac)))
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac
            """, logger: logger)
        return seq
    }

    private static func readHead(_ connection: PostgresConnection, logger: Logger) async throws -> Head? {
        let rows = try await connection.query("SELECT seq, hash, mac FROM audit_head WHERE id = 1", logger: logger)
        var head: Head? = nil
        for try await (seq, hash, mac) in rows.decode((Int64, Data, Data).self) {
            head = Head(seq: seq, hash: [UInt8](hash), mac: [UInt8](mac))
        }
        return head
    }

    /// Walks the chain in PostgreSQL as ``verify(_:)`` walks SQLite's, in one
    /// repeatable-read snapshot, so that appends committing meanwhile do not show as a
    /// broken head.
    func verify(_ client: PostgresClient, logger: Logger) async throws -> AuditVerification {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                var walk = ChainWalk()
                let rows = try await connection.query(
                    "SELECT \(unescaped: Self.columns) FROM audit_events ORDER BY seq", logger: logger)
                for try await row in rows {
                    let cells = row.makeRandomAccess()
                    let seq = try? cells[0].decode(Int64.self)
                    let requestID = (try? cells[2].decode(String?.self)) ?? nil
                    try walk.add(seq: seq, requestID: requestID) { try Self.decodeRow(cells) }
                }
                let head: Result<Head?, any Error>
                do {
                    head = .success(try await Self.readHead(connection, logger: logger))
                } catch {
                    head = .failure(error)
                }
                return try walk.finish(head: head, log: self)
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// One `audit_events` row as PostgreSQL holds it. Its column types are enforced by the
    /// table, so a row altered there still decodes; the chain's hashes catch the change.
    private static func decodeRow(_ cells: PostgresRandomAccessRow) throws -> StoredRow {
        func text(_ index: Int) throws -> String { try cells[index].decode(String.self) }
        func optionalText(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
        let time = try cells[1].decode(Double.self)
        let keysText = try text(12)
        guard let keys = JSONText.parseArray(keysText) else {
            throw SigilError(.storageFailure, "its encryption_context_keys is not a JSON array of strings")
        }
        let outcomeName = try text(13)
        guard let outcome = AuditEvent.Outcome(rawValue: outcomeName) else {
            throw SigilError(.storageFailure, "its outcome \(Validation.quoted(outcomeName)) is not one the log writes")
        }
        let event = AuditEvent(
            time: Date(timeIntervalSince1970: time), requestID: try text(2), region: try text(3), account: try text(4),
            principalARN: try optionalText(5), accessKeyID: try optionalText(6), sourceAddress: try optionalText(7),
            userAgent: try optionalText(8), operation: try text(9), keyARN: try optionalText(10),
            algorithm: try optionalText(11), encryptionContextKeys: keys, outcome: outcome,
            errorCode: try optionalText(14), errorMessage: try optionalText(15))
        return StoredRow(
            seq: try cells[0].decode(Int64.self), stored: StoredEvent(event, time: time),
            previousHash: [UInt8](try cells[16].decode(Data.self)), hash: [UInt8](try cells[17].decode(Data.self)))
    }
}
