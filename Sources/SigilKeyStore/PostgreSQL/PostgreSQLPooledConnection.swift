internal import NIOCore
internal import PostgresNIO

/// One of ``PostgreSQLDatabase``'s pooled connections, with the audit writer's statements
/// prepared on it.
///
/// The audit writer runs the same few statements for every batch. Sent as unnamed
/// statements, each call made the server parse, analyse and plan the call again (12 % of
/// its time with two nodes under load); prepared once per connection as named
/// statements, a call sends only its values. A prepared statement lives as long as its
/// connection, so nothing ever deallocates one.
///
/// `@unchecked Sendable`: a connection is lent to one caller at a time (it is out of the
/// pool while in use), and only that caller's thread touches `prepared`.
final class PostgreSQLPooledConnection: @unchecked Sendable {
    /// The statements prepared on a connection's first use of each.
    enum Statement: CaseIterable {
        /// `sigil_audit_append` with the batch: 6 values for the heads, one array per column.
        case auditAppend
        /// `sigil_audit_head_locked`: takes the writers' lock for the session, reads the head.
        case auditHeadLocked
        /// `sigil_audit_append_releasing`: ``auditAppend``, then releases the lock taken by
        /// ``auditHeadLocked``.
        case auditAppendReleasing
        /// Releases the writers' lock taken by ``auditHeadLocked``.
        case releaseWritersLock

        var sql: String {
            switch self {
            case .auditAppend:
                return "SELECT appended, head_seq, head_hash, head_mac FROM sigil_audit_append(\(PostgreSQLSchema.auditAppendPlaceholders))"
            case .auditAppendReleasing:
                return "SELECT appended, head_seq, head_hash, head_mac "
                    + "FROM sigil_audit_append_releasing(\(PostgreSQLSchema.auditAppendPlaceholders))"
            case .auditHeadLocked:
                return "SELECT head_seq, head_hash, head_mac FROM sigil_audit_head_locked()"
            case .releaseWritersLock:
                return "SELECT pg_advisory_unlock(\(PostgreSQLDatabase.writeLock))"
            }
        }
    }

    let connection: PostgresConnection
    private var prepared: [Statement: PreparedQuery] = [:]

    init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    var isClosed: Bool { connection.isClosed }

    /// `statement`, prepared on this connection now if it is not yet.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the server refuses it.
    func prepared(_ statement: Statement, doing what: String) throws -> PreparedQuery {
        if let query = prepared[statement] { return query }
        do {
            let query = try PostgreSQLDatabase.wait(connection.prepare(query: statement.sql), closing: connection, doing: what)
            prepared[statement] = query
            return query
        } catch {
            throw PostgreSQLDatabase.storageError(error, doing: what)
        }
    }

    /// Column `index` of a row a prepared statement answered, as `T`; `nil` for NULL.
    ///
    /// postgres-nio's `prepare(query:)` labels a prepared statement's columns with the text
    /// format of the server's description, while every execution asks for, and gets, the
    /// binary format: `PostgresRow.decode` then misreads them. This reads them as they are.
    static func column<T: PostgresDecodable>(_ index: Int, of row: PostgresRandomAccessRow, as type: T.Type) throws -> T? {
        let cell = row[index]
        guard var bytes = cell.bytes else { return nil }
        return try T(from: &bytes, type: cell.dataType, format: .binary, context: .default)
    }

    /// `value` as a bound value of a prepared statement, in PostgreSQL's binary format.
    static func bound(_ value: some PostgresDynamicTypeEncodable) -> PostgresData {
        var buffer = ByteBuffer()
        value.encode(into: &buffer, context: .default)
        return PostgresData(type: value.psqlType, formatCode: value.psqlFormat, value: buffer)
    }
}
