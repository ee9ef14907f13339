internal import Foundation
internal import SigilCrypto

/// Where the key store keeps its tables: SQLite in the data directory (``SQLiteDatabase``),
/// or PostgreSQL shared by several key holders (``PostgreSQLDatabase``).
///
/// ``KeyStore`` and ``AuditLog`` are written once against this protocol, in the SQL both
/// engines read alike (`?` placeholders; `CAST(? AS TEXT)` where a parameter's type would
/// otherwise be unknown to PostgreSQL). A backend runs each body in one transaction:
/// a read sees one consistent state, and writes follow one another (SQLite has one
/// writer; PostgreSQL's writers take one advisory lock first), so two nodes racing on a
/// key act in one serial order and no update is lost.
protocol StoreDatabase: Sendable {
    /// Which engine, for the few statements that differ.
    var dialect: StoreDialect { get }
    /// Runs `body` in a read-only transaction.
    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
    /// Runs `body` in a write transaction, committed when it returns and rolled back when
    /// it throws. `change`, when given, is what the other nodes sharing the store are told,
    /// once the transaction commits, that they may hold stale (``PostgreSQLChangeFeed``):
    /// for a change to keys, aliases, tags, policies, principals or access keys, not for
    /// audit events. SQLite, which no other node shares, has no one to tell.
    func write<T>(announcing change: StoreChange?, _ body: (any StoreTransaction) throws -> T) throws -> T
    /// The audit writer's append, in one write transaction: the batch `build` makes on the
    /// log's head goes after it. `expected` is the head the caller last saw; a backend may
    /// build on it before it knows the log's head, and must check it still is. When the
    /// head has moved (another node appended, or a mutation on this one), the batch is
    /// built again on the head found, under the writers' lock, so that it cannot move
    /// again before the batch is in.
    ///
    /// - Parameters:
    ///   - expected: The head the caller last saw.
    ///   - build: The batch after a head: its rows (``AuditLog/storedColumns``) and the new
    ///     signed head; `nil` when the head is not one to build on (its MAC does not verify).
    /// - Returns: The new head; `nil`, having changed nothing, when the log has no head or
    ///   `build` declined the one found.
    func appendAudit(after expected: AuditLog.Head, build: (AuditLog.Head) throws -> AuditBatch?) throws -> AuditLog.Head?
}

/// A batch of the audit writer's, chained after a head.
struct AuditBatch {
    /// The events' rows, ``AuditLog/storedColumns`` each.
    var rows: [StoreValue]
    /// The head after them, signed.
    var head: AuditLog.Head
}

extension StoreDatabase {
    /// A write transaction that announces nothing (``write(announcing:_:)``).
    func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try write(announcing: nil, body)
    }

    /// ``appendAudit(after:build:)`` as statements in a write transaction, which holds the
    /// only writer's lock from the start: the batch is built once, on the head read.
    func appendAudit(after expected: AuditLog.Head, build: (AuditLog.Head) throws -> AuditBatch?) throws -> AuditLog.Head? {
        try write { db in
            guard let found = try AuditLog.readHead(db), let batch = try build(found) else { return nil }
            try db.enqueueInsert(into: "audit_events", columns: AuditLog.storedColumns, rows: batch.rows)
            try db.execute(
                sql: "UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1",
                arguments: [batch.head.seq, Data(batch.head.hash), Data(batch.head.mac)])
            return batch.head
        }
    }
}

/// The engine behind a ``StoreDatabase``.
enum StoreDialect: Sendable {
    case sqlite
    case postgreSQL
}

/// One transaction of a ``StoreDatabase``.
protocol StoreTransaction: AnyObject {
    var dialect: StoreDialect { get }
    /// Runs one statement.
    ///
    /// - Returns: The number of rows it inserted, updated or deleted.
    @discardableResult
    func execute(sql: String, arguments: StoreArguments) throws -> Int
    /// Runs one statement whose result nothing needs, perhaps later: at the latest before
    /// the next statement that returns something, which then throws its failure, and
    /// before the transaction commits. Over PostgreSQL this saves a wait per statement.
    func enqueue(sql: String, arguments: StoreArguments) throws
    /// Queues an insert of rows that nothing later in the transaction reads or changes, and
    /// that no other write can conflict with (new keys', under fresh random ids), into one
    /// table, as ``enqueueInsert(into:columns:rows:)`` inserts them. Over PostgreSQL it is
    /// held back: rows held before the write's first statement go in before the writers'
    /// lock is taken, so that lock is not held while they do; later ones go out with the
    /// next statement. Either way several tables' rows cost one statement, sent without a
    /// wait, whose failure is the next statement's. SQLite runs it at once.
    func enqueueNewRows(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws
    /// Inserts rows into one table, queued as ``enqueue(sql:arguments:)`` queues: in as few
    /// statements as the engine allows.
    ///
    /// - Parameters:
    ///   - table: The table.
    ///   - columns: The columns every row fills, in order.
    ///   - rows: The rows' values one after another, `columns.count` per row, each of its
    ///     column's type or `.null`.
    func enqueueInsert(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws
    /// Runs one query and returns its rows.
    func rows(sql: String, arguments: StoreArguments) throws -> [StoreRow]
    /// Appends the audit events `build` chains after the log's head as this write's last
    /// statement, under the writers' lock: `build` gets the head (once verified it is what
    /// the events go after) and, when there is none, the log's last `seq` (``AuditLog/batch(_:after:lastSeq:)``).
    /// Nothing may be sent after it but the commit. SQLite builds and inserts at once.
    /// PostgreSQL waits for nothing here: `build` runs on the connection's event loop as soon
    /// as the lock's statement answers with the head, and the insert and COMMIT follow from
    /// there, so no thread of the caller's is woken while the lock is held.
    func appendAuditAtCommit(_ build: @escaping @Sendable (_ head: AuditLog.Head?, _ lastSeq: Int64?) throws -> AuditBatch) throws
    /// Inserts rows as ``enqueueInsert(into:columns:rows:)`` does, then runs `sql`, queued
    /// as ``enqueue(sql:arguments:)`` queues: over PostgreSQL in one statement (the insert
    /// in a `WITH`, which runs whether or not `sql` reads it), so in one round trip.
    func enqueueInsert(
        into table: String, columns: [StoreColumn], rows: [StoreValue], then sql: String, arguments: StoreArguments
    ) throws
    /// Runs one query and passes its rows to `body` one by one, holding only a few at a
    /// time: for reading the whole audit log in constant memory.
    func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws
}

/// What a committed write may have changed, as the nodes' caches need to know it: the
/// payload of its announcement (``PostgreSQLChangeFeed``).
///
/// A new key is not announced: no node keeps the absence of a key (their caches hold keys
/// and material found, and policies by key), so it makes nothing another node holds stale,
/// and every node finds it at its first look-up.
public enum StoreChange: String, Sendable {
    /// Anything in the store, principals and access keys included.
    case store
}

extension StoreTransaction {
    /// Appends `build`'s batch after the head this transaction reads now (see
    /// ``appendAuditAtCommit(_:)``); an empty batch writes nothing.
    @discardableResult
    func appendAuditNow(_ build: (_ head: AuditLog.Head?, _ lastSeq: Int64?) throws -> AuditBatch) throws -> AuditBatch {
        let head = try AuditLog.readHead(self)
        let lastSeq = head == nil ? try value(Int64.self, sql: AuditLog.lastSeqQuery) : nil
        let batch = try build(head, lastSeq)
        guard !batch.rows.isEmpty else { return batch }
        try enqueueInsert(
            into: "audit_events", columns: AuditLog.storedColumns, rows: batch.rows, then: AuditLog.headUpsert,
            arguments: AuditLog.headUpsertArguments(batch.head))
        return batch
    }

    /// ``enqueueInsert(into:columns:rows:)`` as multi-row `INSERT … VALUES` statements of at
    /// most 64 rows: a parameter list well within either engine's limit.
    func enqueueInsertAsValues(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws {
        let width = columns.count
        let names = columns.map(\.name).joined(separator: ", ")
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + 64 * width, rows.endIndex)
            let count = (end - start) / width
            try enqueue(
                sql: "INSERT INTO \(table) (\(names)) VALUES " + Array(repeating: row, count: count).joined(separator: ", "),
                arguments: StoreArguments(Array(rows[start..<end])))
            start = end
        }
    }

    @discardableResult
    func execute(sql: String) throws -> Int { try execute(sql: sql, arguments: []) }

    func rows(sql: String) throws -> [StoreRow] { try rows(sql: sql, arguments: []) }

    func forEachRow(sql: String, _ body: (StoreRow) throws -> Void) throws {
        try forEachRow(sql: sql, arguments: [], body)
    }

    /// The first row of a query, if any.
    func row(sql: String, arguments: StoreArguments = []) throws -> StoreRow? {
        try rows(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row of a query; `nil` when there is no row or it
    /// holds NULL.
    func value<Value: StoreValueConvertible>(_ type: Value.Type, sql: String, arguments: StoreArguments = []) throws -> Value? {
        guard let row = try row(sql: sql, arguments: arguments), let first = row.values.first, first != .null else { return nil }
        return try row.decode(Value.self, at: 0)
    }

    /// The first column of every row of a query.
    func values<Value: StoreValueConvertible>(_ type: Value.Type, sql: String, arguments: StoreArguments = []) throws -> [Value] {
        try rows(sql: sql, arguments: arguments).map { try $0.decode(Value.self, at: 0) }
    }
}

/// A value as a column holds it, in either engine.
enum StoreValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case boolean(Bool)
}

/// The type of a column that ``StoreTransaction/enqueueInsert(into:columns:rows:)`` fills.
enum StoreColumnType: Sendable {
    case integer
    case real
    case text
    case blob
}

/// A column's name and type.
struct StoreColumn: Sendable {
    let name: String
    let type: StoreColumnType

    init(_ name: String, _ type: StoreColumnType) {
        self.name = name
        self.type = type
    }
}

/// A Swift type that is written to and read from store columns.
protocol StoreValueConvertible {
    var storeValue: StoreValue { get }
    /// The value a column holds as this type; `nil` when it holds another kind.
    static func fromStoreValue(_ value: StoreValue) -> Self?
}

extension String: StoreValueConvertible {
    var storeValue: StoreValue { .text(self) }
    static func fromStoreValue(_ value: StoreValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }
}

extension Int64: StoreValueConvertible {
    var storeValue: StoreValue { .integer(self) }
    static func fromStoreValue(_ value: StoreValue) -> Int64? {
        if case .integer(let number) = value { return number }
        return nil
    }
}

extension Int: StoreValueConvertible {
    var storeValue: StoreValue { .integer(Int64(self)) }
    static func fromStoreValue(_ value: StoreValue) -> Int? {
        Int64.fromStoreValue(value).flatMap { Int(exactly: $0) }
    }
}

extension Double: StoreValueConvertible {
    var storeValue: StoreValue { .real(self) }
    static func fromStoreValue(_ value: StoreValue) -> Double? {
        switch value {
        case .real(let number): number
        // SQLite stores a REAL that is a whole number as an integer when it can.
        case .integer(let number): Double(number)
        default: nil
        }
    }
}

extension Bool: StoreValueConvertible {
    var storeValue: StoreValue { .boolean(self) }
    static func fromStoreValue(_ value: StoreValue) -> Bool? {
        switch value {
        case .boolean(let flag): flag
        // SQLite has no Boolean type: 0 and 1.
        case .integer(let number): number != 0
        default: nil
        }
    }
}

extension Data: StoreValueConvertible {
    var storeValue: StoreValue { .blob([UInt8](self)) }
    static func fromStoreValue(_ value: StoreValue) -> Data? {
        if case .blob(let bytes) = value { return Data(bytes) }
        return nil
    }
}

extension Optional: StoreValueConvertible where Wrapped: StoreValueConvertible {
    var storeValue: StoreValue { self?.storeValue ?? .null }
    static func fromStoreValue(_ value: StoreValue) -> Optional<Wrapped>? {
        if value == .null { return .some(nil) }
        return Wrapped.fromStoreValue(value).map { .some($0) }
    }
}

/// The parameters of a statement, written as an array literal of mixed types
/// (`[id, version, Data(sealed), nil]`).
struct StoreArguments: ExpressibleByArrayLiteral, Sendable {
    var values: [StoreValue]

    init(arrayLiteral elements: (any StoreValueConvertible)?...) {
        values = elements.map { $0?.storeValue ?? .null }
    }

    init(_ values: [StoreValue]) {
        self.values = values
    }
}

/// One row of a query's result: its values in column order, and the columns' names.
struct StoreRow: Sendable {
    /// Column names to positions, shared by every row of one result.
    let columns: [String: Int]
    let values: [StoreValue]

    /// The value of column `name` as `type`.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when there is no such column or
    ///   it holds another kind of value (the table was changed outside the key holder).
    func decode<Value: StoreValueConvertible>(_ type: Value.Type, forColumn name: String) throws -> Value {
        guard let index = columns[name] else {
            throw KeyStoreError(.storageFailure, "the key store's result has no column \(name)")
        }
        return try decode(type, at: index, name: name)
    }

    /// The value at position `index` as `type`.
    func decode<Value: StoreValueConvertible>(_ type: Value.Type, at index: Int, name: String? = nil) throws -> Value {
        guard values.indices.contains(index), let value = Value.fromStoreValue(values[index]) else {
            throw KeyStoreError(
                .storageFailure, "the key store's column \(name ?? "\(index + 1)") does not hold a \(Value.self)")
        }
        return value
    }
}
