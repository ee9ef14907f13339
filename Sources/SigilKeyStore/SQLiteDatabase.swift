internal import Foundation
internal import GRDB
internal import SigilCrypto

/// The key store's tables in SQLite, in the data directory (the embedded default): WAL,
/// `synchronous=FULL`, one writer, concurrent readers (GRDB's pool).
final class SQLiteDatabase: StoreDatabase {
    let pool: DatabasePool
    var dialect: StoreDialect { .sqlite }

    /// Opens (creating when missing) the database at `path` and migrates it.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure`.
    init(path: String) throws {
        do {
            var configuration = Configuration()
            configuration.label = "sigil-keystore"
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            // An acknowledged write must survive a crash or power loss: fsync the WAL on every
            // commit. Set on the pool's one writer connection, which lives as long as the pool;
            // not in prepareDatabase, because GRDB's WAL set-up then lowers it to NORMAL.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try Schema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: "opening \(path)")
        }
    }

    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.read { db in try body(Transaction(db)) }
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: "reading the key store")
        }
    }

    func write<T>(announcing change: StoreChange?, _ body: (any StoreTransaction) throws -> T) throws -> T {
        do {
            return try pool.write { db in try body(Transaction(db)) }
        } catch let error as DatabaseError {
            throw Self.storageError(error, doing: "writing the key store")
        }
    }

    /// SQLite's code and message only: never the SQL arguments, which could be secret-adjacent.
    static func storageError(_ error: DatabaseError, doing what: String) -> KeyStoreError {
        KeyStoreError(
            .storageFailure,
            "\(what) failed: \(error.message ?? "SQLite error") (SQLite result code \(error.extendedResultCode.rawValue))")
    }

    /// One GRDB transaction; statements are prepared once per connection and reused.
    private final class Transaction: StoreTransaction {
        let db: Database
        var dialect: StoreDialect { .sqlite }

        init(_ db: Database) { self.db = db }

        @discardableResult
        func execute(sql: String, arguments: StoreArguments) throws -> Int {
            let statement = try db.cachedStatement(sql: sql)
            try statement.execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func enqueue(sql: String, arguments: StoreArguments) throws {
            try execute(sql: sql, arguments: arguments)
        }

        func enqueueNewRows(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws {
            try enqueueInsertAsValues(into: table, columns: columns, rows: rows)
        }

        func enqueueInsert(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws {
            try enqueueInsertAsValues(into: table, columns: columns, rows: rows)
        }

        func rows(sql: String, arguments: StoreArguments) throws -> [StoreRow] {
            var rows: [StoreRow] = []
            try forEachRow(sql: sql, arguments: arguments) { rows.append($0) }
            return rows
        }

        func appendAuditAtCommit(_ build: @escaping @Sendable (AuditLog.Head?, Int64?) throws -> AuditBatch) throws {
            try appendAuditNow(build)
        }

        func enqueueInsert(
            into table: String, columns: [StoreColumn], rows: [StoreValue], then sql: String, arguments: StoreArguments
        ) throws {
            try enqueueInsertAsValues(into: table, columns: columns, rows: rows)
            try execute(sql: sql, arguments: arguments)
        }

        func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws {
            let statement = try db.cachedStatement(sql: sql)
            var columns: [String: Int] = [:]
            for (index, name) in statement.columnNames.enumerated() where columns[name] == nil { columns[name] = index }
            let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
            while let row = try cursor.next() {
                try body(StoreRow(columns: columns, values: (0..<row.count).map { Self.value(row[$0] as DatabaseValue) }))
            }
        }

        private static func arguments(_ arguments: StoreArguments) -> StatementArguments {
            // Handed over as existentials: GRDB's initializer for a sequence of one concrete
            // type maps it through a key path in unspecialised generic code, which was a
            // third of the audit writer's time in a profile.
            StatementArguments(arguments.values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: nil
                case .integer(let number): number
                case .real(let number): number
                case .text(let text): text
                case .blob(let bytes): Data(bytes)
                case .boolean(let flag): flag ? 1 : 0
                }
            })
        }

        private static func value(_ value: DatabaseValue) -> StoreValue {
            switch value.storage {
            case .null: .null
            case .int64(let number): .integer(number)
            case .double(let number): .real(number)
            case .string(let text): .text(text)
            case .blob(let data): .blob([UInt8](data))
            }
        }
    }
}
