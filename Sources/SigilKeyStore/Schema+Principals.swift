internal import GRDB

extension Schema {
    /// "v2": principals (account roots, users and roles) and their identity policies.
    ///
    /// Every access key now belongs to a row of `principals`, enforced by a foreign key:
    /// `access_keys` is rebuilt with one (SQLite cannot add a constraint to a table), its
    /// rows and rowids kept, so the oldest access key still names the key holder's own
    /// account (see ``KeyStore/ownAccount()``). A directory created before this migration
    /// gets a principal for each ARN its access keys name, and a root for each account.
    static func registerPrincipals(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2: principals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE principals (
                        arn TEXT PRIMARY KEY,
                        account TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('root', 'user', 'role')),
                        name TEXT NOT NULL,
                        identity_policy TEXT,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX principals_by_account ON principals(account, kind, name);
                    """)

            // The principals existing access keys name. Before principals, an access key could
            // be made for any ARN of its account; the root, users and roles are what a key
            // holder ever made, and anything else is kept as a user named after its last part.
            let named = try Row.fetchAll(
                db,
                sql: """
                    SELECT principal, account, min(created_at) AS created_at FROM access_keys
                    GROUP BY principal, account ORDER BY min(rowid)
                    """)
            for row in named {
                let arn = try row.decode(String.self, forColumn: "principal")
                let account = try row.decode(String.self, forColumn: "account")
                let created = try row.decode(Double.self, forColumn: "created_at")
                let (kind, name) = legacyKindAndName(arn: arn, account: account)
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO principals (arn, account, kind, name, identity_policy, created_at)
                        VALUES (?, ?, ?, ?, NULL, ?)
                        """,
                    arguments: [arn, account, kind, name, created])
            }
            // An account exists through its root: give every account seen above one.
            let accounts = try Row.fetchAll(
                db, sql: "SELECT account, min(created_at) AS created_at FROM principals GROUP BY account")
            for row in accounts {
                let account = try row.decode(String.self, forColumn: "account")
                let created = try row.decode(Double.self, forColumn: "created_at")
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO principals (arn, account, kind, name, identity_policy, created_at)
                        VALUES (?, ?, 'root', 'root', NULL, ?)
                        """,
                    arguments: ["arn:aws:iam::\(account):root", account, created])
            }

            // Rebuild access_keys with its foreign key (GRDB checks the keys before commit).
            try db.execute(
                sql: """
                    CREATE TABLE access_keys_v2 (
                        id TEXT PRIMARY KEY,
                        sealed_secret BLOB NOT NULL,
                        principal TEXT NOT NULL REFERENCES principals(arn),
                        account TEXT NOT NULL,
                        active INTEGER NOT NULL,
                        created_at REAL NOT NULL
                    );
                    INSERT INTO access_keys_v2 (rowid, id, sealed_secret, principal, account, active, created_at)
                        SELECT rowid, id, sealed_secret, principal, account, active, created_at FROM access_keys;
                    DROP TABLE access_keys;
                    ALTER TABLE access_keys_v2 RENAME TO access_keys;
                    CREATE INDEX access_keys_by_principal ON access_keys(principal);
                    """)
        }
    }

    /// The kind and name of a principal ARN found in an access key made before principals.
    private static func legacyKindAndName(arn: String, account: String) -> (kind: String, name: String) {
        let resource = arn.hasPrefix("arn:aws:iam::\(account):")
            ? String(arn.dropFirst("arn:aws:iam::\(account):".count)) : arn
        if resource == "root" { return ("root", "root") }
        let last = resource.split(separator: "/").last.map(String.init) ?? resource
        return (resource.hasPrefix("role/") ? "role" : "user", last)
    }
}
