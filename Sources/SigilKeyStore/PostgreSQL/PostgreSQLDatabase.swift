internal import Foundation
internal import Logging
internal import NIOCore
internal import NIOPosix
internal import PostgresNIO
internal import SigilCrypto

/// The key store's tables in PostgreSQL, shared by every key holder that names the same
/// database (issue 11).
///
/// The store's methods are synchronous, so this backend waits for postgres-nio's futures
/// on the calling thread. Its connections run on an event loop of their own, which the
/// calling thread never is, so a wait cannot block the loop it waits for. The wait does
/// hold the calling thread: the key holder's cryptographic requests read through its
/// caches and never get here, but a control-plane request that does holds one of Swift's
/// cooperative threads for its round trips (moving those to the thread pool needs the
/// service's operations to be async).
///
/// Every write transaction first takes one advisory lock shared by all nodes: writes then
/// follow one another in commit order across nodes, as they do on SQLite's single
/// writer, so a read-check-update in one transaction can never lose another node's update
/// and the audit chain grows by one appender at a time. Reads run in a repeatable-read
/// snapshot and never wait for writers. Writes are control-plane requests; the hot path
/// of a cryptographic operation reads through the key holder's caches and reaches the
/// database only through the audit writer, whose batch is one statement
/// (``appendAudit(after:build:)``).
final class PostgreSQLDatabase: StoreDatabase {
    var dialect: StoreDialect { .postgreSQL }

    /// Taken by every write transaction (the key spells "SigilWri").
    static let writeLock: Int64 = 0x5369_6769_6C57_7269
    /// The longest this node waits for one statement, or for a connection. A statement on
    /// a connection that died mid-way may never be answered (seen under load while the
    /// server restarted): past this the connection is closed and the call fails, so that a
    /// dead connection cannot hold a pool slot, and the request's thread, for ever.
    static let answerTimeout: TimeInterval = 30

    /// `future`'s value, waited for at most ``answerTimeout``; on time-out `connection`
    /// (when given) is closed.
    static func wait<Value>(_ future: EventLoopFuture<Value>, closing connection: PostgresConnection?, doing what: String) throws -> Value {
        let answered = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<Value, any Error>?>(nil)
        future.whenComplete { result in
            outcome.withLock { $0 = result }
            answered.signal()
        }
        guard answered.wait(timeout: .now() + answerTimeout) == .success, let result = outcome.withLock({ $0 }) else {
            if let connection { let _: EventLoopFuture<Void> = connection.close() }
            throw KeyStoreError(.storageFailure, "\(what) failed: PostgreSQL did not answer within \(Int(answerTimeout)) s")
        }
        return try result.get()
    }

    private let configuration: PostgresConnection.Configuration
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    /// Connections not in use; at most ``maximumConnections`` exist at once.
    private let idle = Locked<(connections: [PostgreSQLPooledConnection], opened: Int)>(([], 0))
    private let permits: DispatchSemaphore
    /// Whether this node's last audit batch found the head moved by another node.
    private let auditContended = Locked(false)
    /// How many audit batches this node has appended under the writers' lock
    /// (``appendAuditUnderLock(after:build:)``) rather than in one statement.
    let batchesUnderLock = Locked(0)

    /// Connects to the server (to fail now, with a clear message, rather than at the first
    /// request) and brings its schema to the current version.
    ///
    /// - Parameters:
    ///   - configuration: Where and as whom to connect (``PostgreSQLURL``).
    ///   - maximumConnections: The most connections this node holds at once.
    /// - Throws: ``KeyStoreError`` with code `storageFailure` naming the server and the reason.
    init(
        configuration: PostgresConnection.Configuration, maximumConnections: Int = 8,
        logger: Logger = Logger(label: "sigil-keystore-postgresql")
    ) throws {
        self.configuration = configuration
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.logger = logger
        self.permits = DispatchSemaphore(value: maximumConnections)
        do {
            try PostgreSQLSchema.migrate(self)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    /// Closes every idle connection and stops the event loop. It waits as every call here
    /// does, on a semaphore rather than with NIO's `wait()`, which must not be called on an
    /// event loop's thread: the caller's thread may be one of the server's loops, and only
    /// this store's own loop does the work.
    private func shutdown() {
        let connections = idle.withLock { state -> [PostgreSQLPooledConnection] in
            defer { state.connections = [] }
            return state.connections
        }
        for pooled in connections { Self.close(pooled.connection) }
        let stopped = DispatchSemaphore(value: 0)
        group.shutdownGracefully(queue: .global()) { _ in stopped.signal() }
        _ = stopped.wait(timeout: .now() + Self.answerTimeout)
    }

    func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Everything a write can send before it holds the writers' lock goes first: BEGIN; the
    /// announcement, which PostgreSQL delivers only when the transaction commits wherever
    /// in it it was made; and the rows the body holds back before its first statement
    /// (``StoreTransaction/enqueueNewRows(into:columns:rows:)``: new keys', which no other
    /// write can touch). Then `sigil_writers_lock` takes the lock and reads the audit head
    /// in one statement, which the write's audit event is built on at its commit
    /// (``StoreTransaction/appendAuditAtCommit(_:)``). Every round trip and every row after
    /// the lock is granted lengthens the time every other writer, on any node, waits for it.
    func write<T>(announcing change: StoreChange?, _ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED") { transaction in
            if let change {
                try transaction.enqueue(sql: "SELECT pg_notify('\(PostgreSQLChangeFeed.channel)', '\(change.rawValue)')", arguments: [])
            }
            transaction.lockWriters(sql: "SELECT seq, hash, mac FROM sigil_writers_lock()")
            return try body(transaction)
        }
    }

    /// A write transaction under the writers' lock alone, for the schema's migrations: they
    /// run before `sigil_writers_lock` exists.
    func writeMigrating<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED") { transaction in
            transaction.lockWriters(sql: "SELECT pg_advisory_xact_lock(\(Self.writeLock))")
            return try body(transaction)
        }
    }

    /// A write transaction that does not take the writers' lock: for bookkeeping that
    /// touches nothing another write reads, such as a node's heartbeat.
    func writeWithoutLock<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", body)
    }

    /// ``StoreDatabase/appendAudit(after:build:)`` through `sigil_audit_append`.
    ///
    /// While this node's batches find the head where its last one left it, a batch is
    /// built on that head and goes in as one statement on its own: one round trip, and
    /// the writers' lock held only for the function and its commit. Once another node
    /// moves the head between this node's batches (two nodes under load do so all the
    /// time), a batch built ahead would miss and have to be built again, after a wait for
    /// the other node's commit: so then each batch first takes the lock, reads the head
    /// the lock now keeps, and is built once, on it (``appendAuditUnderLock(after:build:)``).
    /// The node goes back to building ahead as soon as the head it reads under the lock is
    /// its own last one.
    func appendAudit(after expected: AuditLog.Head, build: (AuditLog.Head) throws -> AuditBatch?) throws -> AuditLog.Head? {
        if auditContended.withLock({ $0 }) {
            return try appendAuditUnderLock(after: expected, build: build)
        }
        guard let batch = try build(expected) else { return nil }
        let outcome = try withConnection { pooled in
            try callAuditAppend(pooled, after: expected, batch)
        }
        guard case .appended = outcome else {
            auditContended.withLock { $0 = true }
            return try appendAuditUnderLock(after: expected, build: build)
        }
        return batch.head
    }

    /// A batch built on the head read under the writers' lock: it cannot miss.
    ///
    /// Two statements and two waits, each statement its own transaction: the lock, taken
    /// for the session, with the head (`sigil_audit_head_locked`); then, once the batch is
    /// built, the append, which releases the lock as it commits
    /// (`sigil_audit_append_releasing`), so the next node to get the lock reads the head it
    /// wrote. Every statement more (BEGIN, COMMIT, a release of its own) costs this node
    /// and the server more than the wait it saves, which matters when every batch goes this
    /// way. On any failure the connection is closed, which releases the lock with it.
    private func appendAuditUnderLock(
        after expected: AuditLog.Head, build: (AuditLog.Head) throws -> AuditBatch?
    ) throws -> AuditLog.Head? {
        try withConnection { pooled in
            let connection = pooled.connection
            do {
                let headLocked = try pooled.prepared(.auditHeadLocked, doing: Self.auditAppendWhat)
                let append = try pooled.prepared(.auditAppendReleasing, doing: Self.auditAppendWhat)
                let locked = try Self.wait(headLocked.execute(), closing: connection, doing: Self.auditAppendWhat)
                let found = try locked.first.flatMap { row in try Self.auditHead(row.makeRandomAccess(), from: 0) }
                if found == expected { auditContended.withLock { $0 = false } }
                guard let found, let batch = try build(found) else {
                    let release = try pooled.prepared(.releaseWritersLock, doing: Self.auditAppendWhat)
                    _ = try Self.wait(release.execute(), closing: connection, doing: Self.auditAppendWhat)
                    return nil
                }
                let outcome = try Self.auditAppendOutcome(
                    append.execute(try Self.auditAppendValues(after: found, batch)), closing: connection)
                // Only a change made outside the key holder can move the head under the lock.
                guard case .appended = outcome else {
                    throw KeyStoreError(
                        .storageFailure, "\(Self.auditAppendWhat) failed: its head moved while this node held the writers' lock")
                }
                batchesUnderLock.withLock { $0 += 1 }
                return batch.head
            } catch {
                if !connection.isClosed { Self.close(connection) }
                throw Self.storageError(error, doing: Self.auditAppendWhat)
            }
        }
    }

    /// What one call of `sigil_audit_append` did.
    private enum AuditAppend {
        case appended
        case moved(AuditLog.Head?)
    }

    /// Calls `sigil_audit_append` for `batch`, built on `expected`. On failure the
    /// connection is closed, and its prepared statements with it.
    private func callAuditAppend(_ pooled: PostgreSQLPooledConnection, after expected: AuditLog.Head, _ batch: AuditBatch) throws -> AuditAppend {
        do {
            let append = try pooled.prepared(.auditAppend, doing: Self.auditAppendWhat)
            let answer = append.execute(try Self.auditAppendValues(after: expected, batch))
            return try Self.auditAppendOutcome(answer, closing: pooled.connection)
        } catch {
            if !pooled.isClosed { Self.close(pooled.connection) }
            throw error
        }
    }

    static let auditAppendWhat = "appending to the audit log"

    /// Closes `connection` and waits (at most ``answerTimeout``) until it is closed; a
    /// failure to close leaves nothing to do.
    private static func close(_ connection: PostgresConnection) {
        _ = try? wait(connection.close(), closing: nil, doing: "closing a connection to PostgreSQL")
    }

    /// The values of ``PostgreSQLPooledConnection/Statement/auditAppend`` for `batch`,
    /// built on `expected`.
    private static func auditAppendValues(after expected: AuditLog.Head, _ batch: AuditBatch) throws -> [PostgresData] {
        let arrays = try PostgreSQLArray.columns(AuditLog.storedColumns, rows: batch.rows)
        var values: [PostgresData] = []
        values.reserveCapacity(PostgreSQLSchema.auditAppendArgumentCount)
        for head in [expected, batch.head] {
            values.append(PostgreSQLPooledConnection.bound(head.seq))
            values.append(PostgreSQLPooledConnection.bound(ByteBuffer(bytes: head.hash)))
            values.append(PostgreSQLPooledConnection.bound(ByteBuffer(bytes: head.mac)))
        }
        for array in arrays { values.append(PostgreSQLPooledConnection.bound(array)) }
        return values
    }

    /// The head in the columns `head_seq`, `head_hash` and `head_mac` (from `first` on) of
    /// the audit functions' answers; `nil` when the log has none.
    private static func auditHead(_ row: PostgresRandomAccessRow, from first: Int) throws -> AuditLog.Head? {
        guard let seq = try PostgreSQLPooledConnection.column(first, of: row, as: Int64.self),
            let hash = try PostgreSQLPooledConnection.column(first + 1, of: row, as: ByteBuffer.self),
            let mac = try PostgreSQLPooledConnection.column(first + 2, of: row, as: ByteBuffer.self)
        else { return nil }
        return AuditLog.Head(seq: seq, hash: [UInt8](buffer: hash), mac: [UInt8](buffer: mac))
    }

    /// What `sigil_audit_append` answered.
    private static func auditAppendOutcome(
        _ answer: EventLoopFuture<[PostgresRow]>, closing connection: PostgresConnection?
    ) throws -> AuditAppend {
        let rows: [PostgresRow]
        do {
            rows = try wait(answer, closing: connection, doing: auditAppendWhat)
        } catch {
            throw storageError(error, doing: auditAppendWhat)
        }
        guard let row = rows.first else {
            throw KeyStoreError(.storageFailure, "\(auditAppendWhat) failed: sigil_audit_append returned no row")
        }
        do {
            let columns = row.makeRandomAccess()
            guard let appended = try PostgreSQLPooledConnection.column(0, of: columns, as: Bool.self) else {
                throw KeyStoreError(.storageFailure, "\(auditAppendWhat) failed: sigil_audit_append returned no outcome")
            }
            return appended ? .appended : .moved(try auditHead(columns, from: 1))
        } catch {
            throw storageError(error, doing: auditAppendWhat)
        }
    }

    /// Runs `body` between `begin` and COMMIT on one pooled connection, rolling back when
    /// anything throws.
    private func transaction<T>(begin: String, _ body: (Transaction) throws -> T) throws -> T {
        try withConnection { pooled in
            let connection = pooled.connection
            let transaction = Transaction(connection, logger: logger)
            let result: T
            do {
                try transaction.enqueue(sql: begin, arguments: [])
                result = try body(transaction)
                try transaction.commit()
            } catch {
                transaction.abandonQueued()
                if !connection.isClosed { try? transaction.run("ROLLBACK") }
                throw error
            }
            return result
        }
    }

    /// Runs `body` with a pooled connection, waiting for one while the pool's every
    /// connection is in use. A connection that failed is closed, not reused.
    private func withConnection<T>(_ body: (PostgreSQLPooledConnection) throws -> T) throws -> T {
        permits.wait()
        defer { permits.signal() }
        let connection = try takeConnection()
        defer {
            if connection.isClosed {
                idle.withLock { $0.opened -= 1 }
            } else {
                idle.withLock { $0.connections.append(connection) }
            }
        }
        return try body(connection)
    }

    private func takeConnection() throws -> PostgreSQLPooledConnection {
        if let connection = idle.withLock({ $0.connections.popLast() }) {
            if !connection.isClosed { return connection }
            idle.withLock { $0.opened -= 1 }
        }
        let id = idle.withLock { state -> Int in
            state.opened += 1
            return state.opened
        }
        do {
            return PostgreSQLPooledConnection(try Self.wait(
                PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger),
                closing: nil, doing: "connecting to PostgreSQL"))
        } catch {
            idle.withLock { $0.opened -= 1 }
            throw Self.storageError(error, doing: "connecting to PostgreSQL")
        }
    }

    /// The server's SQLSTATE and message, never the statement's parameters (they may be
    /// sealed secrets or key material).
    static func storageError(_ error: any Error, doing what: String) -> KeyStoreError {
        if let error = error as? KeyStoreError { return error }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message], let state = error.serverInfo?[.sqlState] {
                return KeyStoreError(.storageFailure, "\(what) failed: \(message) (SQLSTATE \(state))")
            }
            return KeyStoreError(.storageFailure, "\(what) failed: \(error.code.description)")
        }
        // Prepared statements (``PostgreSQLPooledConnection``) answer with postgres-nio's older error type.
        if case .server(let answer)? = error as? PostgresError,
            let message = answer.fields[.message], let state = answer.fields[.sqlState]
        {
            return KeyStoreError(.storageFailure, "\(what) failed: \(message) (SQLSTATE \(state))")
        }
        return KeyStoreError(.storageFailure, "\(what) failed: \(error)")
    }

    /// One transaction on one connection.
    ///
    /// Statements whose result nothing needs (BEGIN, the writers' lock, audit inserts) are
    /// queued (``enqueue(sql:arguments:)``): postgres-nio sends each as soon as the one
    /// before has finished, from its event loop, without waking the calling thread in
    /// between; the next statement that returns something waits for all of them first, and
    /// throws the first failure among them.
    private final class Transaction: StoreTransaction {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: StoreDialect { .postgreSQL }
        private var queued: [EventLoopFuture<PostgresQueryResult>] = []
        /// The statement that took the writers' lock (``lockWriters(sql:)``), in a write.
        private var writersLock: EventLoopFuture<PostgresQueryResult>?
        /// The statement that takes the writers' lock, until it is sent: just before the
        /// first statement that needs it (``submit(_:)``), after the held inserts.
        private var lockToTake: String?
        /// The audit append that goes with the commit (``appendAuditAtCommit(_:)``).
        private var auditAtCommit: (@Sendable (AuditLog.Head?, Int64?) throws -> AuditBatch)?
        /// Inserts held back to go out with the next statement (``enqueueNewRows(into:columns:rows:)``).
        private var held: [HeldInsert] = []

        /// Rows for one table, `columns.count` values per row.
        struct HeldInsert: Sendable {
            var table: String
            var columns: [StoreColumn]
            var rows: [StoreValue]
        }

        init(_ connection: PostgresConnection, logger: Logger) {
            self.connection = connection
            self.logger = logger
        }

        /// Takes the writers' lock with `sql`, queued; its answer is the audit head when `sql`
        /// reads it (``appendAuditAtCommit(_:)``). It goes out with the next statement, after
        /// the rows held back before it (``enqueueNewRows(into:columns:rows:)``): a new key's
        /// rows conflict with no other write, so the lock need not be held while they go in.
        func lockWriters(sql: String) {
            lockToTake = sql
        }

        /// Sends the held inserts, then the writers' lock, when it is still to be taken.
        private func takeWritersLock() {
            guard let sql = lockToTake else { return }
            lockToTake = nil
            sendHeld()
            let answer = connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            queued.append(answer)
            writersLock = answer
        }

        func appendAuditAtCommit(_ build: @escaping @Sendable (AuditLog.Head?, Int64?) throws -> AuditBatch) throws {
            guard writersLock != nil || lockToTake != nil else {
                throw KeyStoreError(.storageFailure, "appending to the audit log failed: this transaction does not hold the writers' lock")
            }
            guard auditAtCommit == nil else {
                throw KeyStoreError(.storageFailure, "appending to the audit log failed: this transaction already appends at its commit")
            }
            auditAtCommit = build
        }

        /// Commits; with an audit append (``appendAuditAtCommit(_:)``), from the event loop
        /// once the lock's statement has answered with the head: the batch is built there,
        /// and its insert and COMMIT are handed to postgres-nio together, so the lock is held
        /// for no thread hop of this node's. The body's statements went before: the chain is
        /// submitted to the event loop after them, which writes them first. A failure among
        /// them makes the server roll back rather than commit; the first one is thrown. The
        /// lock, when no statement has taken it yet, goes out first, after the rows held so
        /// far; rows held after it go in the audit event's statement.
        func commit() throws {
            takeWritersLock()
            guard let build = auditAtCommit, let writersLock else { return try run("COMMIT") }
            auditAtCommit = nil
            let held = held
            self.held = []
            let connection = connection
            let logger = logger
            let loop = connection.eventLoop
            let committed = loop.flatSubmit {
                writersLock.flatMap { answer -> EventLoopFuture<AuditBatch> in
                    do {
                        if let head = try AuditLog.head(in: Self.storeRows(answer)) {
                            return loop.makeSucceededFuture(try build(head, nil))
                        }
                        return connection.query(PostgresQuery(unsafeSQL: AuditLog.lastSeqQuery), logger: logger).flatMapThrowing { last in
                            try build(nil, try Self.storeRows(last).first?.decode(Int64?.self, at: 0))
                        }
                    } catch {
                        return loop.makeFailedFuture(error)
                    }
                }.flatMap { batch -> EventLoopFuture<PostgresQueryResult> in
                    do {
                        let append = try Self.insertQuery(
                            held: held, into: "audit_events", columns: AuditLog.storedColumns, rows: batch.rows,
                            then: AuditLog.headUpsert, arguments: AuditLog.headUpsertArguments(batch.head))
                        let inserted = connection.query(append, logger: logger)
                        return inserted.and(connection.query(PostgresQuery(unsafeSQL: "COMMIT"), logger: logger)).map(\.1)
                    } catch {
                        return loop.makeFailedFuture(error)
                    }
                }
            }
            let answer: PostgresQueryResult
            do {
                answer = try Self.awaited(committed, on: connection, doing: "appending to the audit log and committing")
            } catch {
                try waitForQueued()
                throw error
            }
            try waitForQueued()
            guard answer.metadata.command == "COMMIT" else {
                throw KeyStoreError(.storageFailure, "committing failed: PostgreSQL rolled the transaction back (\(answer.metadata.command))")
            }
        }

        func run(_ sql: String) throws {
            _ = try query(sql, StoreArguments([]))
        }

        func enqueue(sql: String, arguments: StoreArguments) throws {
            queued.append(send(sql, arguments))
        }

        func enqueueNewRows(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws {
            precondition(auditAtCommit == nil, "a statement after the audit append at commit")
            held.append(HeldInsert(table: table, columns: columns, rows: rows))
        }

        /// One statement whatever the number of rows: each column as an array parameter,
        /// read back with `unnest` (see ``PostgreSQLArray``).
        func enqueueInsert(into table: String, columns: [StoreColumn], rows: [StoreValue]) throws {
            var binds = PostgresBindings()
            let insert = try Self.insert(into: table, columns: columns, rows: rows, binding: &binds)
            queued.append(submit(PostgresQuery(unsafeSQL: insert, binds: binds)))
        }

        func enqueueInsert(
            into table: String, columns: [StoreColumn], rows: [StoreValue], then sql: String, arguments: StoreArguments
        ) throws {
            queued.append(submit(try Self.insertQuery(into: table, columns: columns, rows: rows, then: sql, arguments: arguments)))
        }

        /// The held inserts and the insert of `rows` in a `WITH`, then `sql`: one statement.
        private static func insertQuery(
            held: [HeldInsert] = [], into table: String, columns: [StoreColumn], rows: [StoreValue], then sql: String,
            arguments: StoreArguments
        ) throws -> PostgresQuery {
            var binds = PostgresBindings()
            var clauses = try heldClauses(held, binding: &binds)
            clauses.append("inserted AS (\(try insert(into: table, columns: columns, rows: rows, binding: &binds)))")
            let numbered = numberedPlaceholders(sql, after: binds.count)
            bind(arguments, to: &binds)
            return PostgresQuery(unsafeSQL: "WITH \(clauses.joined(separator: ", ")) \(numbered)", binds: binds)
        }

        /// Held inserts as `WITH` clauses, their values appended to `binds`. PostgreSQL runs
        /// every clause whether or not the statement reads it; foreign keys are checked at
        /// the statement's end, so a clause may insert rows that reference an earlier one's.
        private static func heldClauses(_ held: some Collection<HeldInsert>, binding binds: inout PostgresBindings) throws -> [String] {
            try held.enumerated().map { index, rows in
                "held\(index) AS (\(try insert(into: rows.table, columns: rows.columns, rows: rows.rows, binding: &binds)))"
            }
        }

        /// Held inserts as one statement on their own: the last one, after the others as
        /// `WITH` clauses.
        private static func heldStatement(_ held: [HeldInsert]) throws -> PostgresQuery {
            var binds = PostgresBindings()
            let clauses = try heldClauses(held.dropLast(), binding: &binds)
            let last = held[held.count - 1]
            let insert = try insert(into: last.table, columns: last.columns, rows: last.rows, binding: &binds)
            return PostgresQuery(unsafeSQL: clauses.isEmpty ? insert : "WITH \(clauses.joined(separator: ", ")) \(insert)", binds: binds)
        }

        /// `INSERT … SELECT * FROM unnest(…)` of `rows`, one array parameter per column,
        /// appended to `binds`.
        private static func insert(
            into table: String, columns: [StoreColumn], rows: [StoreValue], binding binds: inout PostgresBindings
        ) throws -> String {
            let arrays = try PostgreSQLArray.columns(columns, rows: rows)
            var casts: [String] = []
            for array in arrays {
                binds.append(array)
                casts.append("$\(binds.count)::\(array.sqlType)")
            }
            return "INSERT INTO \(table) (\(columns.map(\.name).joined(separator: ", "))) "
                + "SELECT * FROM unnest(\(casts.joined(separator: ", ")))"
        }

        /// Waits for the queued statements, in order; throws the first failure.
        private func waitForQueued() throws {
            let waiting = queued
            queued = []
            for statement in waiting { _ = try Self.awaited(statement, on: connection) }
        }

        /// `statement`'s answer, waited for as ``PostgreSQLDatabase/wait(_:closing:doing:)``
        /// waits; a failure becomes a ``KeyStoreError`` saying what failed.
        private static func awaited(
            _ statement: EventLoopFuture<PostgresQueryResult>, on connection: PostgresConnection,
            doing what: String = "a key store statement"
        ) throws -> PostgresQueryResult {
            do {
                return try PostgreSQLDatabase.wait(statement, closing: connection, doing: what)
            } catch {
                throw PostgreSQLDatabase.storageError(error, doing: what)
            }
        }

        /// Lets the queued statements finish unwatched, and drops what was still to be sent
        /// (held inserts, an audit append at the commit): a rollback follows.
        func abandonQueued() {
            for statement in queued { _ = try? PostgreSQLDatabase.wait(statement, closing: connection, doing: "a key store statement") }
            queued = []
            held = []
            lockToTake = nil
            auditAtCommit = nil
        }

        @discardableResult
        func execute(sql: String, arguments: StoreArguments) throws -> Int {
            try query(sql, arguments).metadata.rows ?? 0
        }

        func rows(sql: String, arguments: StoreArguments) throws -> [StoreRow] {
            try Self.storeRows(try query(sql, arguments))
        }

        private static func storeRows(_ result: PostgresQueryResult) throws -> [StoreRow] {
            guard let first = result.rows.first else { return [] }
            var columns: [String: Int] = [:]
            for (index, cell) in first.enumerated() where columns[cell.columnName] == nil { columns[cell.columnName] = index }
            return try result.rows.map { row in StoreRow(columns: columns, values: try row.map(Self.value)) }
        }

        /// Through a server-side cursor, a thousand rows at a time.
        func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws {
            try execute(sql: "DECLARE sigil_rows NO SCROLL CURSOR FOR \(sql)", arguments: arguments)
            while true {
                let page = try rows(sql: "FETCH 1000 FROM sigil_rows", arguments: [])
                for row in page { try body(row) }
                if page.count < 1000 { break }
            }
            try execute(sql: "CLOSE sigil_rows", arguments: [])
        }

        private func query(_ sql: String, _ arguments: StoreArguments) throws -> PostgresQueryResult {
            try answer(send(sql, arguments))
        }

        /// The answer to a statement sent, once the queued statements have finished: the
        /// first failure among them is the one thrown.
        private func answer(_ result: EventLoopFuture<PostgresQueryResult>) throws -> PostgresQueryResult {
            try waitForQueued()
            return try Self.awaited(result, on: connection)
        }

        /// Hands one statement to postgres-nio, which runs it after the ones before.
        private func send(_ sql: String, _ arguments: StoreArguments) -> EventLoopFuture<PostgresQueryResult> {
            var binds = PostgresBindings(capacity: arguments.values.count)
            Self.bind(arguments, to: &binds)
            return submit(PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: binds))
        }

        /// Sends `query`, after the held inserts, which go first as one statement, and the
        /// writers' lock when it is still to be taken (``lockWriters(sql:)``).
        private func submit(_ query: PostgresQuery) -> EventLoopFuture<PostgresQueryResult> {
            // The commit's audit append is the last statement but COMMIT (a programming error otherwise).
            precondition(auditAtCommit == nil, "a statement after the audit append at commit")
            takeWritersLock()
            sendHeld()
            return connection.query(query, logger: logger)
        }

        /// Sends the held inserts as one statement, queued.
        private func sendHeld() {
            guard !held.isEmpty else { return }
            do {
                queued.append(connection.query(try Self.heldStatement(held), logger: logger))
            } catch {
                queued.append(connection.eventLoop.makeFailedFuture(error))
            }
            held = []
        }

        private static func bind(_ arguments: StoreArguments, to binds: inout PostgresBindings) {
            for value in arguments.values {
                switch value {
                case .null: binds.appendNull()
                case .integer(let number): binds.append(number)
                case .real(let number): binds.append(number)
                case .text(let text): binds.append(text)
                case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
                case .boolean(let flag): binds.append(flag)
                }
            }
        }

        /// `sql` with its `?` placeholders numbered as PostgreSQL reads them (`$1`, `$2`,
        /// …, or from `first + 1` on); question marks inside quoted text are left alone.
        static func numberedPlaceholders(_ sql: String, after first: Int = 0) -> String {
            var result = ""
            result.reserveCapacity(sql.utf8.count + 16)
            var number = first
            var quote: Character? = nil
            for character in sql {
                if let open = quote {
                    if character == open { quote = nil }
                    result.append(character)
                } else if character == "'" || character == "\"" {
                    quote = character
                    result.append(character)
                } else if character == "?" {
                    number += 1
                    result += "$\(number)"
                } else {
                    result.append(character)
                }
            }
            return result
        }

        private static func value(_ cell: PostgresCell) throws -> StoreValue {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bool: return .boolean(try cell.decode(Bool.self))
            case .bytea: return .blob([UInt8](buffer: try cell.decode(ByteBuffer.self)))
            case .void: return .null
            default: return .text(try cell.decode(String.self))
            }
        }
    }
}
