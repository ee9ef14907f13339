internal import Foundation
internal import SigilCrypto

extension KeyStore {
    /// How long a node that stopped sending heartbeats still counts as serving.
    public static let nodeLifetime: Double = 3

    /// Records that the node `nodeID` serves the store now, and says how many nodes do:
    /// those heard from within ``nodeLifetime`` seconds, in the database server's clock
    /// (the nodes' own clocks need not agree). A lone key holder on SQLite is the only one.
    ///
    /// Not a change: it is not announced to the other nodes, and takes none of the locks
    /// writes take, so a heartbeat never waits behind them.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure`.
    public func heartbeat(nodeID: String) throws -> Int {
        guard database.dialect == .postgreSQL, let shared = database as? PostgreSQLDatabase else { return 1 }
        return try shared.writeWithoutLock { db in
            try db.execute(
                sql: """
                    INSERT INTO key_holder_nodes (node_id, last_seen) VALUES (?, extract(epoch from clock_timestamp()))
                    ON CONFLICT (node_id) DO UPDATE SET last_seen = excluded.last_seen
                    """,
                arguments: [nodeID])
            return try db.value(
                Int.self,
                sql: "SELECT count(*) FROM key_holder_nodes WHERE last_seen > extract(epoch from clock_timestamp()) - ?",
                arguments: [Self.nodeLifetime]) ?? 1
        }
    }

    /// Says the node `nodeID` no longer serves the store (a graceful stop), so that the
    /// others take its share at once rather than after ``nodeLifetime``.
    public func departed(nodeID: String) throws {
        guard let shared = database as? PostgreSQLDatabase else { return }
        _ = try shared.writeWithoutLock { db in
            try db.execute(sql: "DELETE FROM key_holder_nodes WHERE node_id = ?", arguments: [nodeID])
        }
    }
}
