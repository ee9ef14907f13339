internal import SigilCrypto

extension KeyStore {
    /// Adds tags to a key, replacing the value of a tag key it already has (TagResource).
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Throws: ``KeyStoreError`` with code `notFound`; `invalidArgument` for a bad tag,
    ///   a repeated tag key, or more than 50 tags in all.
    public func setTags(id: String, _ tags: [KeyTag], audit: AuditEvent? = nil) throws {
        try Validation.tags(tags)
        guard Set(tags.map(\.key)).count == tags.count else {
            throw KeyStoreError(.invalidArgument, "the tags repeat a tag key")
        }
        try write(audit: audit) { db in
            _ = try Self.requireKey(db, id: id)
            for tag in tags {
                try db.execute(
                    sql: """
                        INSERT INTO key_tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)
                        ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value
                        """,
                    arguments: [id, tag.key, tag.value])
            }
            let count = try db.value(Int.self, sql: "SELECT count(*) FROM key_tags WHERE key_id = ?", arguments: [id]) ?? 0
            guard count <= Validation.maximumTags else {
                // Throwing rolls the whole transaction back: no tag of this call is kept.
                throw KeyStoreError(
                    .invalidArgument, "a key has at most \(Validation.maximumTags) tags; this would give it \(count)")
            }
        }
    }

    /// Removes tags from a key by tag key (UntagResource); absent keys are ignored.
    ///
    /// - Parameter audit: An event to append to the audit log in the same transaction.
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown key.
    public func removeTags(id: String, keys: [String], audit: AuditEvent? = nil) throws {
        try write(audit: audit) { db in
            _ = try Self.requireKey(db, id: id)
            for key in keys {
                try db.execute(sql: "DELETE FROM key_tags WHERE key_id = ? AND tag_key = ?", arguments: [id, key])
            }
        }
    }

    /// A key's tags, by tag key (ListResourceTags).
    ///
    /// - Throws: ``KeyStoreError`` with code `notFound` for an unknown key.
    public func tags(id: String) throws -> [KeyTag] {
        try read { db in
            _ = try Self.requireKey(db, id: id)
            let rows = try db.rows(sql: "SELECT tag_key, tag_value FROM key_tags WHERE key_id = ? ORDER BY tag_key", arguments: [id])
            return try rows.map { row in
                KeyTag(
                    key: try row.decode(String.self, forColumn: "tag_key"),
                    value: try row.decode(String.self, forColumn: "tag_value"))
            }
        }
    }
}
