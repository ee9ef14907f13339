internal import GRDB

/// The database schema, as GRDB migrations: append new migrations, never edit old ones.
///
/// Times are REAL seconds since 1970 (what the KMS protocol sends). Key material and
/// access-key secrets are stored only sealed (see ``Sealer``).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: keys, material, tags, aliases, access keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE keys (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        arn TEXT NOT NULL UNIQUE,
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        spec TEXT NOT NULL,
                        usage TEXT NOT NULL,
                        state TEXT NOT NULL,
                        description TEXT NOT NULL,
                        policy TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        deletion_date REAL,
                        rotation_enabled INTEGER NOT NULL DEFAULT 0,
                        rotation_period_days INTEGER,
                        next_rotation_date REAL,
                        current_version INTEGER NOT NULL,
                        public_key BLOB
                    );
                    CREATE INDEX keys_by_account ON keys(account, region, seq);
                    CREATE INDEX keys_by_deletion_date ON keys(deletion_date) WHERE deletion_date IS NOT NULL;

                    CREATE TABLE key_material (
                        key_id TEXT NOT NULL REFERENCES keys(id) ON DELETE CASCADE,
                        version INTEGER NOT NULL,
                        sealed BLOB NOT NULL,
                        created_at REAL NOT NULL,
                        rotation_type TEXT,
                        PRIMARY KEY (key_id, version)
                    );

                    CREATE TABLE key_tags (
                        key_id TEXT NOT NULL REFERENCES keys(id) ON DELETE CASCADE,
                        tag_key TEXT NOT NULL,
                        tag_value TEXT NOT NULL,
                        PRIMARY KEY (key_id, tag_key)
                    );

                    CREATE TABLE aliases (
                        account TEXT NOT NULL,
                        region TEXT NOT NULL,
                        name TEXT NOT NULL,
                        key_id TEXT NOT NULL REFERENCES keys(id) ON DELETE CASCADE,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        PRIMARY KEY (account, region, name)
                    );
                    CREATE INDEX aliases_by_key ON aliases(key_id);

                    CREATE TABLE access_keys (
                        id TEXT PRIMARY KEY,
                        sealed_secret BLOB NOT NULL,
                        principal TEXT NOT NULL,
                        account TEXT NOT NULL,
                        active INTEGER NOT NULL,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        registerPrincipals(in: &migrator)
        registerAuditLog(in: &migrator)
        migrator.registerMigration("v4: store identity") { db in
            // See ``StoreIdentity``.
            try db.execute(
                sql: """
                    CREATE TABLE store_identity (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        root_key_check BLOB NOT NULL,
                        first_data_directory TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
