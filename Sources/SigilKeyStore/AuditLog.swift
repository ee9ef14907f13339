internal import Foundation
internal import SigilCrypto

/// The audit log's hash chain and its signed head, over the tables of
/// ``Schema/registerAuditLog(in:)``.
///
/// **The chain.** Event `n` (`seq` = n, from 1) stores `prev_hash`, the hash of event
/// n − 1 (32 zero bytes for event 1), and
/// `hash = SHA-256(prev_hash ‖ canonical(n, event))`, where `canonical` is, in order:
///
/// - the 20 ASCII bytes `sigil-audit-event-v1`;
/// - `seq` as an unsigned 64-bit big-endian integer;
/// - `time` (seconds since 1970, the REAL stored in the row) as the big-endian bytes of
///   its IEEE 754 binary64 bit pattern;
/// - the text fields, each as `u32be(length of its UTF-8) ‖ UTF-8`, and each optional
///   one preceded by a byte 0x00 when absent (and nothing else) or 0x01 when present:
///   request id, region, account, principal ARN?, access key id?, source address?,
///   user agent?, operation, key ARN?, algorithm?;
/// - the encryption-context keys as `u32be(count)` then each as a text field;
/// - the outcome's raw value (`success`, `denied`, `failed`) as a text field;
/// - error code?, error message?.
///
/// Every field has a fixed place and a length, so no two events share canonical bytes.
///
/// **The head.** `audit_head` holds the last `seq` and `hash` and
/// `mac = HMAC-SHA256(K, u64be(seq) ‖ hash)`, with
/// `K = HKDF-SHA256(root key, salt: none, info: "sigil audit log head v1", 32 bytes)`.
/// It is rewritten in the same transaction as every append, so that cutting events off
/// the end of the log is detected too: the chain alone cannot tell a shorter log from
/// an older one. An append refuses to extend a head whose MAC does not verify (that
/// would sign the forgery); a log with events but no head is refused likewise.
///
/// **What it cannot detect.** Anyone holding `root.key` can rewrite the log and sign a
/// new head. Anyone who can write the database can put back a complete older state of
/// the log — a restored backup, or an earlier head row they copied together with
/// removing the events after it — or delete every event and the head, which reads as a
/// log that was never written to. Catching those needs the head (or its hash) kept
/// somewhere the attacker cannot write: export it, or ship the exported lines elsewhere.
final class AuditLog: Sendable {
    /// The size of a chain hash (SHA-256).
    static let hashSize = 32
    /// The `prev_hash` of the first event.
    static let genesisHash = [UInt8](repeating: 0, count: hashSize)
    /// The HKDF info that derives the head's MAC key from the root key.
    static let headKeyInfo = "sigil audit log head v1"
    /// The first bytes of every event's canonical form.
    static let canonicalLabel = Array("sigil-audit-event-v1".utf8)

    /// The columns of `audit_events`, in the order an append fills them and
    /// ``storedEvent(_:)`` reads them.
    static let storedColumns: [StoreColumn] = [
        StoreColumn("seq", .integer), StoreColumn("time", .real), StoreColumn("request_id", .text),
        StoreColumn("region", .text), StoreColumn("account", .text), StoreColumn("principal_arn", .text),
        StoreColumn("access_key_id", .text), StoreColumn("source_address", .text), StoreColumn("user_agent", .text),
        StoreColumn("operation", .text), StoreColumn("key_arn", .text), StoreColumn("algorithm", .text),
        StoreColumn("encryption_context_keys", .text), StoreColumn("outcome", .text), StoreColumn("error_code", .text),
        StoreColumn("error_message", .text), StoreColumn("prev_hash", .blob), StoreColumn("hash", .blob),
    ]

    /// ``storedColumns``' names as a select list.
    static let columns = storedColumns.map(\.name).joined(separator: ", ")

    private let headKey: HMACKey
    /// The head as this node last wrote or read it: what ``appendBatch(_:joining:to:)``
    /// builds the next batch on.
    private let lastHead = Locked<Head?>(nil)
    /// The `seq` of the last head this node built, and whether the head it built on
    /// before that was another node's (``anotherNodeWrote``).
    private let lastBuilt = Locked<(seq: Int64?, afterAnotherNode: Bool)>((nil, false))

    /// Derives the head's MAC key from the root key.
    init(rootKey: SecureBytes) throws {
        let pseudoRandomKey = try HKDF.extract(hash: .sha256, salt: [UInt8](), inputKeyMaterial: rootKey)
        let key = try HKDF.expand(
            hash: .sha256, pseudoRandomKey: pseudoRandomKey, info: Array(Self.headKeyInfo.utf8), outputByteCount: 32)
        headKey = try HMACKey(key, hash: .sha256)
    }

    // MARK: - The head

    /// The row of `audit_head`.
    struct Head: Equatable, Sendable {
        var seq: Int64
        var hash: [UInt8]
        var mac: [UInt8]
    }

    static func readHead(_ db: any StoreTransaction) throws -> Head? {
        try head(in: db.rows(sql: headQuery))
    }

    /// The query ``readHead(_:)`` runs.
    static let headQuery = "SELECT seq, hash, mac FROM audit_head WHERE id = 1"

    /// The head in the rows of ``headQuery``.
    static func head(in rows: [StoreRow]) throws -> Head? {
        guard let row = rows.first else { return nil }
        return Head(
            seq: try row.decode(Int64.self, at: 0),
            hash: [UInt8](try row.decode(Data.self, at: 1)),
            mac: [UInt8](try row.decode(Data.self, at: 2)))
    }

    /// `HMAC-SHA256(K, u64be(seq) ‖ hash)`.
    func headMAC(seq: Int64, hash: [UInt8]) throws -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(8 + hash.count)
        Self.appendUInt64(UInt64(bitPattern: seq), to: &message)
        message.append(contentsOf: hash)
        return try message.withUnsafeBytes { try headKey.authenticationCode(for: $0) }
    }

    /// Whether another node appended between this node's last two appends: the head the
    /// last one was built on was not the one the one before it built. An append that
    /// was built and then failed to commit counts as one, so it may say so once wrongly;
    /// the key writer then gathers once for nothing (``WriterThread/gather(condition:queued:capacity:atMost:)``).
    var anotherNodeWrote: Bool { lastBuilt.withLock { $0.afterAnotherNode } }

    /// Notes an append this node built on the head `base` (`seq`), ending at `new`.
    private func noteBuilt(on base: Int64, ending new: Int64) {
        lastBuilt.withLock { last in
            last = (new, last.seq != nil && last.seq != base)
        }
    }

    /// Whether the head's MAC is the one this root key gives its `seq` and `hash`,
    /// compared in constant time.
    func isAuthentic(_ head: Head) throws -> Bool {
        let expected = try headMAC(seq: head.seq, hash: head.hash)
        return ConstantTime.equals(expected, head.mac)
    }

    // MARK: - Appending

    /// Appends events after the current head, in order, and signs the new head: call
    /// inside a write transaction, which makes the events and the head one commit.
    ///
    /// - Returns: The new head (the current one when `events` is empty; `nil` for a log
    ///   that is still empty).
    /// - Throws: ``KeyStoreError`` with code `storageFailure` when the head does not
    ///   verify or is missing from a log with events, and the database's errors.
    @discardableResult
    func append(_ events: some Collection<AuditEvent>, in db: any StoreTransaction) throws -> Head? {
        let head = try db.appendAuditNow { current, lastSeq in try batch(events, after: current, lastSeq: lastSeq) }.head
        return head.seq == 0 ? nil : head
    }

    /// `events` chained after `current`, the log's head as read under the writers' lock,
    /// once it verifies; when there is none, `lastSeq` is the log's last event (`max(seq)`),
    /// which must be `nil` too: a log with events and no head is refused. Safe on any
    /// thread: ``StoreTransaction/appendAuditAtCommit(_:)`` may build on the database's.
    func batch(_ events: some Collection<AuditEvent>, after current: Head?, lastSeq: Int64?) throws -> AuditBatch {
        let head: Head
        if let current {
            guard try isAuthentic(current) else { throw Self.unverifiedHead }
            head = current
        } else {
            if let lastSeq { throw Self.missingHead(after: lastSeq) }
            head = Head(seq: 0, hash: Self.genesisHash, mac: [])
        }
        let (rows, newHead) = try chain(events, after: head)
        return AuditBatch(rows: rows, head: newHead)
    }

    /// The log's last event, read when it has no head (``batch(_:after:lastSeq:)``).
    static let lastSeqQuery = "SELECT max(seq) FROM audit_events"

    /// Writes the head after an append's events (``headUpsertArguments(_:)``).
    static let headUpsert = """
        INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac
        """

    static func headUpsertArguments(_ head: Head) -> StoreArguments {
        [head.seq, Data(head.hash), Data(head.mac)]
    }

    /// Appends a batch of the audit writer's in one transaction, built on the head this
    /// node last saw: the database checks that head is still the log's and writes the
    /// batch; when it moved, the batch is built again on the head found, once that head
    /// verifies (see ``StoreDatabase/appendAudit(after:build:)``; over PostgreSQL the usual
    /// case is one statement, one round trip). Without a head to build on (the first
    /// batch, or a head that is missing or does not verify), the batch goes the way of
    /// ``append(_:in:)``, which reads the head inside the transaction and says what is
    /// wrong with it.
    ///
    /// Each time the batch is built, `late` hands over the events recorded since, which
    /// join it: under contention a batch is built once the writers' lock is granted, and
    /// takes in what arrived while it waited.
    func appendBatch(_ events: [AuditEvent], joining late: () -> [AuditEvent] = { [] }, to database: any StoreDatabase) throws {
        guard !events.isEmpty else { return }
        var events = events
        if let base = lastHead.withLock({ $0 }) {
            let expected = base
            let appended = try database.appendAudit(after: base) { head in
                guard try head == expected || isAuthentic(head) else { return nil }
                events += late()
                let (rows, newHead) = try chain(events, after: head)
                return AuditBatch(rows: rows, head: newHead)
            }
            if let appended {
                lastHead.withLock { $0 = appended }
                return
            }
        }
        let newHead = try database.write { db in
            events += late()
            return try append(events, in: db)
        }
        lastHead.withLock { $0 = newHead }
    }

    /// The rows of `events` chained after `head`, and the signed head after them. Every
    /// append this node builds comes through here, so here it is noted (``anotherNodeWrote``).
    private func chain(_ events: some Collection<AuditEvent>, after head: Head) throws -> (rows: [StoreValue], head: Head) {
        var seq = head.seq
        var previous = head.hash
        var rows: [StoreValue] = []
        rows.reserveCapacity(Self.storedColumns.count * events.count)
        for event in events {
            seq += 1
            let stored = StoredEvent(event.normalized, time: Self.storedTime(event.time))
            let hash = try Self.chainHash(previous: previous, seq: seq, event: stored)
            let row: StoreArguments = [
                seq, stored.time, stored.event.requestID, stored.event.region, stored.event.account,
                stored.event.principalARN, stored.event.accessKeyID, stored.event.sourceAddress, stored.event.userAgent,
                stored.event.operation, stored.event.keyARN, stored.event.algorithm,
                JSONText.array(stored.event.encryptionContextKeys), stored.event.outcome.rawValue,
                stored.event.errorCode, stored.event.errorMessage, Data(previous), Data(hash),
            ]
            rows += row.values
            previous = hash
        }
        let newHead = Head(seq: seq, hash: previous, mac: try headMAC(seq: seq, hash: previous))
        noteBuilt(on: head.seq, ending: newHead.seq)
        return (rows, newHead)
    }

    /// Why a log whose signed head does not verify is not extended.
    static let unverifiedHead = KeyStoreError(
        .storageFailure,
        "the audit log's signed head does not verify, so it cannot be extended: the log was altered "
            + "outside the key holder (run `sigil-keyholder audit verify`)")

    /// Why a log with events up to `last` and no signed head is not extended.
    static func missingHead(after last: Int64) -> KeyStoreError {
        KeyStoreError(
            .storageFailure,
            "the audit log holds events up to \(last) but its signed head is missing, so it cannot be "
                + "extended: the log was altered outside the key holder (run `sigil-keyholder audit verify`)")
    }

    // MARK: - The canonical form

    /// An event with the exact time its row holds.
    struct StoredEvent {
        var event: AuditEvent
        var time: Double

        init(_ event: AuditEvent, time: Double) {
            self.event = event
            self.time = time
        }
    }

    /// The REAL a row stores for `date`: finite, and +0 rather than −0 (which SQLite
    /// would read back as +0, changing the hash).
    static func storedTime(_ date: Date) -> Double {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds != 0 else { return 0 }
        return seconds
    }

    /// `SHA-256(previous ‖ canonical(seq, event))`.
    static func chainHash(previous: [UInt8], seq: Int64, event: StoredEvent) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(previous.count + 256)
        bytes.append(contentsOf: previous)
        appendCanonical(seq: seq, event: event, to: &bytes)
        let hasher = try StreamingHasher(.sha256)
        try bytes.withUnsafeBytes { try hasher.update($0) }
        return try hasher.finalize()
    }

    /// The canonical bytes of an event, as the type's documentation defines them.
    static func appendCanonical(seq: Int64, event stored: StoredEvent, to bytes: inout [UInt8]) {
        let event = stored.event
        bytes.append(contentsOf: canonicalLabel)
        appendUInt64(UInt64(bitPattern: seq), to: &bytes)
        appendUInt64(stored.time.bitPattern, to: &bytes)
        appendText(event.requestID, to: &bytes)
        appendText(event.region, to: &bytes)
        appendText(event.account, to: &bytes)
        appendOptional(event.principalARN, to: &bytes)
        appendOptional(event.accessKeyID, to: &bytes)
        appendOptional(event.sourceAddress, to: &bytes)
        appendOptional(event.userAgent, to: &bytes)
        appendText(event.operation, to: &bytes)
        appendOptional(event.keyARN, to: &bytes)
        appendOptional(event.algorithm, to: &bytes)
        appendUInt32(UInt32(event.encryptionContextKeys.count), to: &bytes)
        for key in event.encryptionContextKeys { appendText(key, to: &bytes) }
        appendText(event.outcome.rawValue, to: &bytes)
        appendOptional(event.errorCode, to: &bytes)
        appendOptional(event.errorMessage, to: &bytes)
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = text.utf8
        appendUInt32(UInt32(truncatingIfNeeded: utf8.count), to: &bytes)
        // Native strings lend their UTF-8 whole: one copy rather than a byte at a time.
        let copied: Void? = utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: utf8) }
    }

    private static func appendOptional(_ text: String?, to bytes: inout [UInt8]) {
        guard let text else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        appendText(text, to: &bytes)
    }

    static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    // MARK: - Reading rows

    /// A row of `audit_events`, selected with ``columns``.
    struct StoredRow {
        var seq: Int64
        var stored: StoredEvent
        var previousHash: [UInt8]
        var hash: [UInt8]
    }

    /// Reads a row selected with ``columns``.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` naming the first column that
    ///   does not hold what the schema says (an altered row).
    static func decodeRow(_ row: StoreRow) throws -> StoredRow {
        func optionalText(_ index: Int, _ name: String) throws -> String? {
            // `try?` would flatten a decoded NULL into a failure: catch instead.
            do {
                return try row.decode(String?.self, at: index)
            } catch {
                throw KeyStoreError(.storageFailure, "its \(name) is not text")
            }
        }
        func text(_ index: Int, _ name: String) throws -> String {
            guard let value = try optionalText(index, name) else {
                throw KeyStoreError(.storageFailure, "its \(name) is missing")
            }
            return value
        }
        func blob(_ index: Int, _ name: String) throws -> [UInt8] {
            guard let value = try? row.decode(Data.self, at: index) else {
                throw KeyStoreError(.storageFailure, "its \(name) is not a blob")
            }
            return [UInt8](value)
        }
        guard let seq = try? row.decode(Int64.self, at: 0) else {
            throw KeyStoreError(.storageFailure, "its seq is not an integer")
        }
        guard let time = try? row.decode(Double.self, at: 1) else {
            throw KeyStoreError(.storageFailure, "its time is not a number")
        }
        let keysText = try text(12, "encryption_context_keys")
        guard let keys = JSONText.parseArray(keysText) else {
            throw KeyStoreError(.storageFailure, "its encryption_context_keys is not a JSON array of strings")
        }
        let outcomeName = try text(13, "outcome")
        guard let outcome = AuditEvent.Outcome(rawValue: outcomeName) else {
            throw KeyStoreError(.storageFailure, "its outcome \(Validation.quoted(outcomeName)) is not one the log writes")
        }
        let event = AuditEvent(
            time: Date(timeIntervalSince1970: time),
            requestID: try text(2, "request_id"), region: try text(3, "region"), account: try text(4, "account"),
            principalARN: try optionalText(5, "principal_arn"), accessKeyID: try optionalText(6, "access_key_id"),
            sourceAddress: try optionalText(7, "source_address"), userAgent: try optionalText(8, "user_agent"),
            operation: try text(9, "operation"), keyARN: try optionalText(10, "key_arn"),
            algorithm: try optionalText(11, "algorithm"), encryptionContextKeys: keys, outcome: outcome,
            errorCode: try optionalText(14, "error_code"), errorMessage: try optionalText(15, "error_message"))
        return StoredRow(
            seq: seq, stored: StoredEvent(event, time: time), previousHash: try blob(16, "prev_hash"),
            hash: try blob(17, "hash"))
    }
}

/// The little JSON the log needs without Foundation's encoders: string escaping, and
/// arrays of strings both ways.
enum JSONText {
    /// `text` as a JSON string literal (RFC 8259), quotes included.
    static func string(_ text: String) -> String {
        var output = "\""
        output.reserveCapacity(text.utf8.count + 2)
        appendEscaped(text, to: &output)
        output.append("\"")
        return output
    }

    static func appendEscaped(_ text: String, to output: inout String) {
        // Most fields need no escaping: append them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output.append(text)
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case "\u{08}": output.append("\\b")
            case "\u{0C}": output.append("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
    }

    /// A JSON array of strings.
    static func array(_ items: [String]) -> String {
        guard !items.isEmpty else { return "[]" }
        var output = "["
        for (index, item) in items.enumerated() {
            if index > 0 { output.append(",") }
            output.append(string(item))
        }
        output.append("]")
        return output
    }

    /// Parses a JSON array of strings; `nil` for anything else.
    static func parseArray(_ text: String) -> [String]? {
        if text == "[]" { return [] }
        guard let items = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return nil }
        return items
    }
}
