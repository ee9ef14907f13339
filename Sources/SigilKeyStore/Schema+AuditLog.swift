internal import GRDB

extension Schema {
    /// "v3": the hash-chained audit log.
    ///
    /// `audit_events` holds one row per request, in the order the events were committed;
    /// `seq` counts from 1 with no gaps, and each row's `hash` is SHA-256 of the previous
    /// row's `hash` (32 zero bytes for the first) and the event's canonical bytes (see
    /// ``AuditLog``). `encryption_context_keys` is a JSON array of strings: the context's
    /// keys, never its values.
    ///
    /// `audit_head` holds at most one row (`id` = 1): the last event's `seq` and `hash`,
    /// and an HMAC over them under a key derived from the root key, so that removing
    /// events from the end of the log is detected too. It is written in the same
    /// transaction as every append; a log with no head row has never had an event.
    static func registerAuditLog(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: audit log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_events (
                        seq INTEGER PRIMARY KEY,
                        time REAL NOT NULL,
                        request_id TEXT NOT NULL,
                        region TEXT NOT NULL,
                        account TEXT NOT NULL,
                        principal_arn TEXT,
                        access_key_id TEXT,
                        source_address TEXT,
                        user_agent TEXT,
                        operation TEXT NOT NULL,
                        key_arn TEXT,
                        algorithm TEXT,
                        encryption_context_keys TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        error_code TEXT,
                        error_message TEXT,
                        prev_hash BLOB NOT NULL,
                        hash BLOB NOT NULL
                    );

                    CREATE TABLE audit_head (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        seq INTEGER NOT NULL,
                        hash BLOB NOT NULL,
                        mac BLOB NOT NULL
                    );
                    """)
        }
    }
}
