internal import Foundation
internal import SigilCrypto

/// The shared store's tables in PostgreSQL (issue 11), made and upgraded by numbered
/// migrations that every node runs at start.
///
/// The tables are the SQLite store's, in PostgreSQL's types: times stay seconds since
/// 1970 (`double precision`), so that a record reads the same from either backend and
/// `store copy` moves values unchanged.
public enum PostgreSQLSchema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        /// One statement each: postgres-nio sends one statement per query.
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "keys, material, tags, aliases, principals, access keys, audit log", statements: [
            """
            CREATE TABLE keys (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL UNIQUE,
                arn text NOT NULL UNIQUE,
                account text NOT NULL,
                region text NOT NULL,
                spec text NOT NULL,
                usage text NOT NULL,
                state text NOT NULL,
                description text NOT NULL,
                policy text NOT NULL,
                created_at double precision NOT NULL,
                deletion_date double precision,
                rotation_enabled boolean NOT NULL DEFAULT false,
                rotation_period_days integer,
                next_rotation_date double precision,
                current_version integer NOT NULL,
                public_key bytea
            )
            """,
            "CREATE INDEX keys_by_account ON keys (account, region, seq)",
            "CREATE INDEX keys_by_deletion_date ON keys (deletion_date) WHERE deletion_date IS NOT NULL",
            """
            CREATE TABLE key_material (
                key_id text NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                version integer NOT NULL,
                sealed bytea NOT NULL,
                created_at double precision NOT NULL,
                rotation_type text,
                PRIMARY KEY (key_id, version)
            )
            """,
            """
            CREATE TABLE key_tags (
                key_id text NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                tag_key text NOT NULL,
                tag_value text NOT NULL,
                PRIMARY KEY (key_id, tag_key)
            )
            """,
            """
            CREATE TABLE aliases (
                account text NOT NULL,
                region text NOT NULL,
                name text NOT NULL,
                key_id text NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (account, region, name)
            )
            """,
            "CREATE INDEX aliases_by_key ON aliases (key_id)",
            """
            CREATE TABLE principals (
                arn text PRIMARY KEY,
                account text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('root', 'user', 'role')),
                name text NOT NULL,
                identity_policy text,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX principals_by_account ON principals (account, kind, name)",
            """
            CREATE TABLE access_keys (
                id text PRIMARY KEY,
                sealed_secret bytea NOT NULL,
                principal text NOT NULL REFERENCES principals (arn),
                account text NOT NULL,
                active boolean NOT NULL,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX access_keys_by_principal ON access_keys (principal)",
            """
            CREATE TABLE audit_events (
                seq bigint PRIMARY KEY,
                time double precision NOT NULL,
                request_id text NOT NULL,
                region text NOT NULL,
                account text NOT NULL,
                principal_arn text,
                access_key_id text,
                source_address text,
                user_agent text,
                operation text NOT NULL,
                key_arn text,
                algorithm text,
                encryption_context_keys text NOT NULL,
                outcome text NOT NULL,
                error_code text,
                error_message text,
                prev_hash bytea NOT NULL,
                hash bytea NOT NULL
            )
            """,
            """
            CREATE TABLE audit_head (
                id integer PRIMARY KEY CHECK (id = 1),
                seq bigint NOT NULL,
                hash bytea NOT NULL,
                mac bytea NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "store identity; access keys in the order made", statements: [
            """
            CREATE TABLE store_identity (
                id integer PRIMARY KEY CHECK (id = 1),
                root_key_check bytea NOT NULL,
                first_data_directory text NOT NULL,
                created_at double precision NOT NULL
            )
            """,
            // SQLite's implicit rowid orders access keys as they were made; this is PostgreSQL's.
            "ALTER TABLE access_keys ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY",
        ]),
        Migration(version: 3, name: "the nodes serving the store, for sharing quotas", statements: [
            // Each node's last heartbeat, in the server's clock (seconds since 1970).
            "CREATE TABLE key_holder_nodes (node_id text PRIMARY KEY, last_seen double precision NOT NULL)",
        ]),
        Migration(version: 4, name: "the audit writer's append in one statement", statements: [auditAppendFunction]),
        Migration(version: 5, name: "the audit head read under the writers' lock, in one statement", statements: [auditHeadLockedFunction]),
        Migration(version: 6, name: "the contended audit append releases the writers' lock itself", statements: [auditAppendReleasingFunction]),
        Migration(version: 7, name: "the writers' lock taken with the audit head; the contended append in one function", statements: [
            writersLockFunction, auditAppendReleasingFlatFunction,
        ]),
    ]

    /// `sigil_writers_lock`: takes the writers' lock for the transaction, then returns the
    /// audit head (no row while the log has none), read by a statement of its own once the
    /// lock is granted, so with a snapshot that sees every write committed before. How a
    /// write transaction takes the lock (``PostgreSQLDatabase/write(announcing:_:)``).
    static let writersLockFunction = """
        CREATE FUNCTION sigil_writers_lock() RETURNS TABLE (seq bigint, hash bytea, mac bytea)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(\(PostgreSQLDatabase.writeLock));
            RETURN QUERY SELECT h.seq, h.hash, h.mac FROM audit_head h WHERE h.id = 1;
        END
        $$
        """

    /// `sigil_audit_append_releasing` as `sigil_audit_append`'s body followed by the release,
    /// rather than a call of the one inside the other: each batch of a node contending for
    /// the lock goes through it, and the nested call's function scan copied every array
    /// once more. What it does is unchanged (``auditAppendReleasingFunction``).
    static let auditAppendReleasingFlatFunction = """
        CREATE OR REPLACE FUNCTION sigil_audit_append_releasing(\(auditAppendParameters),
            OUT appended boolean, OUT head_seq bigint, OUT head_hash bytea, OUT head_mac bytea)
        LANGUAGE plpgsql AS $$
        BEGIN
        \(auditAppendBody)
            PERFORM pg_advisory_unlock(\(PostgreSQLDatabase.writeLock));
        END
        $$
        """

    /// What both audit append functions do under the writers' lock: compare the head, and
    /// append when it matches (``auditAppendFunction``).
    static let auditAppendBody = """
            PERFORM pg_advisory_xact_lock(\(PostgreSQLDatabase.writeLock));
            SELECT h.seq, h.hash, h.mac INTO head_seq, head_hash, head_mac FROM audit_head h WHERE h.id = 1;
            IF NOT FOUND OR head_seq <> expected_seq OR head_hash <> expected_hash OR head_mac <> expected_mac THEN
                appended := false;
            ELSE
                INSERT INTO audit_events (\(AuditLog.columns))
                    SELECT * FROM unnest(seqs, times, request_ids, regions, accounts, principal_arns, access_key_ids,
                        source_addresses, user_agents, operations, key_arns, algorithms, encryption_context_keys,
                        outcomes, error_codes, error_messages, prev_hashes, hashes);
                UPDATE audit_head SET seq = new_seq, hash = new_hash, mac = new_mac WHERE id = 1;
                appended := true;
                head_seq := new_seq;
                head_hash := new_hash;
                head_mac := new_mac;
            END IF;
        """

    /// `sigil_audit_append_releasing`: `sigil_audit_append` for a caller that holds the
    /// writers' lock for its session (taken by `sigil_audit_head_locked`), which it then
    /// releases, in the same statement rather than a third one of its own.
    ///
    /// The session's hold is released inside the transaction, but the lock is not free yet:
    /// `sigil_audit_append` took it for the transaction too, and a transaction's locks are
    /// released only once its commit is visible. So the next node to get the lock still
    /// reads the head this batch wrote. When the append fails, the statement fails before
    /// the release; the caller then closes the connection, which releases the lock.
    static let auditAppendReleasingFunction = """
        CREATE FUNCTION sigil_audit_append_releasing(\(auditAppendParameters),
            OUT appended boolean, OUT head_seq bigint, OUT head_hash bytea, OUT head_mac bytea)
        LANGUAGE plpgsql AS $$
        BEGIN
            SELECT a.appended, a.head_seq, a.head_hash, a.head_mac INTO appended, head_seq, head_hash, head_mac
                FROM sigil_audit_append(\(auditAppendPlaceholders)) a;
            PERFORM pg_advisory_unlock(\(PostgreSQLDatabase.writeLock));
        END
        $$
        """

    /// `sigil_audit_head_locked`: takes the writers' lock for the session (the caller's
    /// `sigil_audit_append_releasing` releases it once its batch is in) and returns the audit
    /// head that the lock now keeps from moving. The head is read by a statement of its
    /// own after the lock is granted, so with a snapshot that sees every commit made before.
    static let auditHeadLockedFunction = """
        CREATE FUNCTION sigil_audit_head_locked(OUT head_seq bigint, OUT head_hash bytea, OUT head_mac bytea)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_lock(\(PostgreSQLDatabase.writeLock));
            SELECT h.seq, h.hash, h.mac INTO head_seq, head_hash, head_mac FROM audit_head h WHERE h.id = 1;
        END
        $$
        """

    /// How many values the audit appends take: the seq, hash and MAC of the head the batch
    /// was built on and of the batch's new head, then one array per stored column.
    static let auditAppendArgumentCount = 6 + AuditLog.storedColumns.count

    /// The audit appends' placeholders, `$1, $2, …`, as a statement or function passes its
    /// values on to them.
    static let auditAppendPlaceholders = (1...auditAppendArgumentCount).map { "$\($0)" }.joined(separator: ", ")

    /// The audit appends' input: the head the batch was built on and the batch's new head,
    /// then one array per stored column (``AuditLog/storedColumns``, in order).
    static let auditAppendParameters = """
        expected_seq bigint, expected_hash bytea, expected_mac bytea, new_seq bigint, new_hash bytea, new_mac bytea,
            seqs bigint[], times double precision[], request_ids text[], regions text[], accounts text[],
            principal_arns text[], access_key_ids text[], source_addresses text[], user_agents text[],
            operations text[], key_arns text[], algorithms text[], encryption_context_keys text[],
            outcomes text[], error_codes text[], error_messages text[], prev_hashes bytea[], hashes bytea[]
        """

    /// `sigil_audit_append`: the audit writer's batch in one statement, so in one round
    /// trip and one transaction (see ``AuditLog/appendBatch(_:joining:to:)``). Under the writers'
    /// lock it compares the head (its MAC too) with the one the caller built the batch on; when they
    /// match it inserts the events (one array per column) and writes the new signed head,
    /// and when they do not (another node appended, or a mutation on this one) it changes
    /// nothing and returns the head it found, for the caller to check and build on. The
    /// caller computes every hash and the head's MAC: the root key never leaves the node.
    static let auditAppendFunction = """
        CREATE FUNCTION sigil_audit_append(
            \(auditAppendParameters),
            OUT appended boolean, OUT head_seq bigint, OUT head_hash bytea, OUT head_mac bytea)
        LANGUAGE plpgsql AS $$
        BEGIN
        \(auditAppendBody)
        END
        $$
        """

    /// The newest schema this build knows.
    public static var currentVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database's schema to ``currentVersion``: the migrations not yet applied,
    /// in order, in one write transaction, each recorded in `schema_migrations`. Write
    /// transactions hold one lock across nodes, so nodes that start together apply each
    /// migration once: the first applies, the others find nothing left to do.
    ///
    /// - Returns: The versions this call applied (none when the schema was current).
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the database holds a newer
    ///   schema than this build knows (a newer key holder migrated it: upgrade this one),
    ///   and whatever the database answers otherwise; then nothing is applied.
    @discardableResult
    static func migrate(_ database: PostgreSQLDatabase) throws -> [Int] {
        try database.writeMigrating { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
            let applied = Set(try db.values(Int.self, sql: "SELECT version FROM schema_migrations"))
            if let newest = applied.max(), newest > currentVersion {
                throw KeyStoreError(
                    .storageFailure,
                    "the store's schema is version \(newest), newer than this key holder knows (\(currentVersion)): upgrade this node")
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try db.execute(sql: statement) }
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    arguments: [migration.version, migration.name])
                done.append(migration.version)
            }
            return done
        }
    }
}
