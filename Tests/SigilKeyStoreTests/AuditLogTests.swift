import Foundation
import GRDB
import Glibc
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

// MARK: - Helpers

/// An event of a request that changes nothing, numbered so that order can be checked.
private func requestEvent(
    _ number: Int, operation: String = "Decrypt", outcome: AuditEvent.Outcome = .success,
    principal: String? = "arn:aws:iam::111122223333:user/alice", contextKeys: [String] = ["purpose"],
    errorCode: String? = nil
) -> AuditEvent {
    AuditEvent(
        time: Date(timeIntervalSince1970: 1_700_000_000 + Double(number) / 8), requestID: "request-\(number)",
        region: StoreFixture.region, account: StoreFixture.account, principalARN: principal,
        accessKeyID: "AKIAEXAMPLE000000001", sourceAddress: "127.0.0.1", userAgent: "aws-cli/2.15 test",
        operation: operation, keyARN: "arn:aws:kms:us-east-1:111122223333:key/0f0e0d0c-0000-4000-8000-000000000001",
        algorithm: "SYMMETRIC_DEFAULT", encryptionContextKeys: contextKeys, outcome: outcome, errorCode: errorCode,
        errorMessage: errorCode.map { "refused: \($0)" })
}

/// The event of a mutation (its request id names the operation).
private func mutationEvent(_ operation: String, keyARN: String? = nil) -> AuditEvent {
    AuditEvent(
        requestID: "req-\(operation)", region: StoreFixture.region, account: StoreFixture.account,
        principalARN: "arn:aws:iam::111122223333:root", operation: operation, keyARN: keyARN)
}

/// A store whose log holds `count` request events, committed.
private func fixtureWithEvents(_ count: Int) throws -> StoreFixture {
    let fixture = try StoreFixture()
    for number in 1...count {
        try fixture.store.recordAudit(requestEvent(number))
    }
    try fixture.store.flushAudit()
    return fixture
}

/// Runs SQL on the database file behind the store's back, as someone with write access
/// to the file could.
private func tamper(_ fixture: StoreFixture, _ sql: String, arguments: StatementArguments = []) throws {
    let raw = try fixture.rawDatabase()
    try raw.write { db in try db.execute(sql: sql, arguments: arguments) }
    try raw.close()
}

/// The event hash as the schema documents it, computed here independently of the store:
/// SHA-256(prev_hash ‖ canonical bytes) over a raw row of `audit_events`.
private func documentedHash(of row: Row, previous: [UInt8]) throws -> [UInt8] {
    var bytes = previous
    func u32(_ value: Int) {
        bytes += [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
    func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(value >> UInt64(shift) & 0xff)) }
    }
    func text(_ column: String) {
        let value: String = row[column]
        u32(value.utf8.count)
        bytes += Array(value.utf8)
    }
    func optional(_ column: String) {
        guard let value: String = row[column] else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        u32(value.utf8.count)
        bytes += Array(value.utf8)
    }
    bytes += Array("sigil-audit-event-v1".utf8)
    u64(UInt64(bitPattern: row["seq"] as Int64))
    u64((row["time"] as Double).bitPattern)
    text("request_id")
    text("region")
    text("account")
    optional("principal_arn")
    optional("access_key_id")
    optional("source_address")
    optional("user_agent")
    text("operation")
    optional("key_arn")
    optional("algorithm")
    let keys = try JSONDecoder().decode([String].self, from: Data((row["encryption_context_keys"] as String).utf8))
    u32(keys.count)
    for key in keys {
        u32(key.utf8.count)
        bytes += Array(key.utf8)
    }
    text("outcome")
    optional("error_code")
    optional("error_message")
    return try HashFunction.sha256.hash(bytes)
}

/// Rewrites one event's column and recomputes its hash as an attacker without the root
/// key can (SHA-256 is public); when `through` is given, re-links and re-hashes every
/// later event up to it too.
private func forge(
    _ fixture: StoreFixture, seq: Int64, column: String, value: some DatabaseValueConvertible, through last: Int64? = nil
) throws {
    let raw = try fixture.rawDatabase()
    try raw.write { db in
        try db.execute(sql: "UPDATE audit_events SET \(column) = ? WHERE seq = ?", arguments: [value, seq])
        var previous: [UInt8] = [UInt8](try Data.fetchOne(db, sql: "SELECT prev_hash FROM audit_events WHERE seq = ?", arguments: [seq])!)
        for target in seq...(last ?? seq) {
            try db.execute(
                sql: "UPDATE audit_events SET prev_hash = ? WHERE seq = ?", arguments: [Data(previous), target])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM audit_events WHERE seq = ?", arguments: [target])!
            previous = try documentedHash(of: row, previous: previous)
            try db.execute(sql: "UPDATE audit_events SET hash = ? WHERE seq = ?", arguments: [Data(previous), target])
        }
    }
    try raw.close()
}

private func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
}

private func contains(_ haystack: Data, _ needle: String) -> Bool {
    haystack.range(of: Data(needle.utf8)) != nil
}

// MARK: - Appending

@Suite("Audit log: appending")
struct AuditLogAppendTests {
    @Test("a fresh store's log is empty and verifies")
    func freshLogVerifies() throws {
        let fixture = try StoreFixture()
        let verification = try fixture.store.verifyAuditLog()
        #expect(verification.isIntact)
        #expect(verification.eventCount == 0)
        #expect(verification.lastSeq == 0)
        #expect(verification.headHash == [UInt8](repeating: 0, count: 32))
        #expect(try fixture.store.auditEvents().isEmpty)
    }

    @Test("each event's hash is SHA-256 of the previous hash and the documented canonical bytes")
    func hashesFollowTheDocumentedCanonicalForm() throws {
        let fixture = try StoreFixture()
        try fixture.store.recordAudit(requestEvent(1, contextKeys: []))
        try fixture.store.recordAudit(
            requestEvent(2, outcome: .denied, principal: nil, contextKeys: ["b", "a\"\\\n"], errorCode: "AccessDeniedException"))
        try fixture.store.flushAudit()
        let rows = try fixture.rawDatabase().read { db in try Row.fetchAll(db, sql: "SELECT * FROM audit_events ORDER BY seq") }
        #expect(rows.count == 2)
        var previous = [UInt8](repeating: 0, count: 32)
        for row in rows {
            #expect([UInt8](row["prev_hash"] as Data) == previous)
            let hash = try documentedHash(of: row, previous: previous)
            #expect([UInt8](row["hash"] as Data) == hash)
            previous = hash
        }
        // The head is HMAC-SHA256(HKDF(root key, "sigil audit log head v1"), u64be(seq) ‖ hash).
        let head = try #require(try fixture.rawDatabase().read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit_head") })
        let rootKey = SecureBytes(try Data(contentsOf: fixture.rootKeyURL))
        let prk = try HKDF.extract(hash: .sha256, salt: [UInt8](), inputKeyMaterial: rootKey)
        let key = try HKDF.expand(
            hash: .sha256, pseudoRandomKey: prk, info: Array("sigil audit log head v1".utf8), outputByteCount: 32)
        let message: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 2] + previous
        #expect(head["seq"] as Int64 == 2)
        #expect([UInt8](head["hash"] as Data) == previous)
        #expect(try HMAC.isValidAuthenticationCode([UInt8](head["mac"] as Data), for: message, using: key, hash: .sha256))
    }

    @Test("every mutating method appends its event in its own transaction, in order")
    func everyMutationAppendsItsEvent() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let now = Date()
        let created = try store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            now: now, audit: mutationEvent("CreateKey"))
        let other = try store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            audit: mutationEvent("CreateKey-2"))
        let id = created.id
        let arn = created.arn
        try store.setState(id: id, .disabled, audit: mutationEvent("DisableKey", keyARN: arn))
        try store.setState(id: id, .enabled, audit: mutationEvent("EnableKey", keyARN: arn))
        try store.setDescription(id: id, "audited", audit: mutationEvent("UpdateKeyDescription", keyARN: arn))
        try store.setPolicy(id: id, KeyStore.defaultPolicy(account: StoreFixture.account), audit: mutationEvent("PutKeyPolicy", keyARN: arn))
        try store.setTags(id: id, [KeyTag(key: "team", value: "payments")], audit: mutationEvent("TagResource", keyARN: arn))
        try store.removeTags(id: id, keys: ["team"], audit: mutationEvent("UntagResource", keyARN: arn))
        try store.createAlias("alias/audited", keyID: id, audit: mutationEvent("CreateAlias", keyARN: arn))
        try store.updateAlias(
            "alias/audited", account: StoreFixture.account, region: StoreFixture.region, keyID: other.id,
            audit: mutationEvent("UpdateAlias", keyARN: other.arn))
        try store.deleteAlias(
            "alias/audited", account: StoreFixture.account, region: StoreFixture.region, audit: mutationEvent("DeleteAlias"))
        try store.rotate(id: id, audit: mutationEvent("RotateKeyOnDemand", keyARN: arn))
        try store.setRotation(id: id, enabled: true, periodDays: 90, now: now, audit: mutationEvent("EnableKeyRotation", keyARN: arn))
        try store.rotateKeysDue(now: now.addingTimeInterval(91 * 86_400)) { record in
            mutationEvent("RotateKey(automatic)", keyARN: record.arn)
        }
        try store.setRotation(id: id, enabled: false, audit: mutationEvent("DisableKeyRotation", keyARN: arn))
        try store.scheduleDeletion(id: id, at: now.addingTimeInterval(7 * 86_400), audit: mutationEvent("ScheduleKeyDeletion", keyARN: arn))
        try store.cancelDeletion(id: id, audit: mutationEvent("CancelKeyDeletion", keyARN: arn))
        try store.scheduleDeletion(id: id, at: now.addingTimeInterval(7 * 86_400), audit: mutationEvent("ScheduleKeyDeletion-2", keyARN: arn))
        try store.deleteKeysDue(now: now.addingTimeInterval(8 * 86_400)) { record in
            mutationEvent("DeleteKey(scheduled)", keyARN: record.arn)
        }

        let records = try store.auditEvents()
        #expect(records.map(\.event.operation) == [
            "CreateKey", "CreateKey-2", "DisableKey", "EnableKey", "UpdateKeyDescription", "PutKeyPolicy", "TagResource",
            "UntagResource", "CreateAlias", "UpdateAlias", "DeleteAlias", "RotateKeyOnDemand", "EnableKeyRotation",
            "RotateKey(automatic)", "DisableKeyRotation", "ScheduleKeyDeletion", "CancelKeyDeletion",
            "ScheduleKeyDeletion-2", "DeleteKey(scheduled)",
        ])
        #expect(records.map(\.seq) == Array(1...19))
        // CreateKey's event gets the ARN the store made.
        #expect(records[0].event.keyARN == arn)
        #expect(records[1].event.keyARN == other.arn)
        #expect(records[13].event.keyARN == arn)
        #expect(records[18].event.keyARN == arn)
        #expect(try store.verifyAuditLog().isIntact)
        #expect(try store.verifyAuditLog().eventCount == 19)
    }

    @Test("a mutation that fails leaves no event; an acknowledged one's event is there after reopening")
    func eventsShareTheMutationsFate() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let key = try store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            audit: mutationEvent("CreateKey"))
        try store.createAlias("alias/taken", keyID: key.id, audit: mutationEvent("CreateAlias"))

        // Refused inside the transaction: the alias exists; too many tags in all; an
        // asymmetric key does not rotate; an unknown key.
        #expect(throws: KeyStoreError(.alreadyExists, "")) {
            try store.createAlias("alias/taken", keyID: key.id, audit: mutationEvent("CreateAlias-again"))
        }
        let fifty = (0..<50).map { KeyTag(key: "t\($0)", value: "v") }
        try store.setTags(id: key.id, fifty, audit: mutationEvent("TagResource-50"))
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.setTags(id: key.id, [KeyTag(key: "one-more", value: "v")], audit: mutationEvent("TagResource-51"))
        }
        #expect(throws: KeyStoreError(.notFound, "")) {
            try store.setState(id: "no-such-key", .disabled, audit: mutationEvent("DisableKey-missing"))
        }
        // Refused before the transaction.
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.setDescription(id: key.id, String(repeating: "x", count: 9000), audit: mutationEvent("Describe-long"))
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.createKey(
                account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP256, usage: .encryptDecrypt,
                audit: mutationEvent("CreateKey-invalid"))
        }
        // The failed tag call kept none of its tags either.
        #expect(try store.tags(id: key.id).count == 50)

        let reopened = try fixture.reopen()
        let operations = try reopened.auditEvents().map(\.event.operation)
        #expect(operations == ["CreateKey", "CreateAlias", "TagResource-50"])
        #expect(try reopened.verifyAuditLog().isIntact)
    }

    @Test("the group writer keeps the order of recording and flush makes events durable")
    func groupWriterKeepsOrder() throws {
        let fixture = try StoreFixture()
        let count = 3000
        for number in 1...count {
            try fixture.store.recordAudit(requestEvent(number))
        }
        try fixture.store.flushAudit()
        #expect(fixture.store.auditWriter.pendingCount == 0)
        // Durable: another connection sees every event, in order.
        let reopened = try fixture.reopen()
        var seen: [String] = []
        var after: Int64 = 0
        while true {
            let page = try reopened.auditEvents(after: after, limit: 1000)
            guard let last = page.last else { break }
            seen += page.map(\.event.requestID)
            after = last.seq
        }
        #expect(seen == (1...count).map { "request-\($0)" })
        let verification = try reopened.verifyAuditLog()
        #expect(verification.isIntact && verification.eventCount == count)
    }

    @Test("events recorded from many threads all arrive, each thread's in its order")
    func concurrentRecording() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let threads = 8
        let perThread = 400
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                var event = requestEvent(index)
                event.requestID = "t\(thread)-\(index)"
                try? store.recordAudit(event)
            }
        }
        // Mutations interleave with the batches.
        _ = try fixture.createSymmetricKey()
        try store.flushAudit()
        var ids: [String] = []
        var after: Int64 = 0
        while true {
            let page = try store.auditEvents(after: after, limit: 1000)
            guard let last = page.last else { break }
            ids += page.map(\.event.requestID)
            after = last.seq
        }
        #expect(ids.count == threads * perThread)
        for thread in 0..<threads {
            let mine = ids.filter { $0.hasPrefix("t\(thread)-") }
            #expect(mine == (0..<perThread).map { "t\(thread)-\($0)" })
        }
        #expect(try store.verifyAuditLog().isIntact)
    }

    @Test("a failing batch keeps its events, flush reports it, and the retry appends them in order")
    func failingBatchIsRetried() throws {
        let fixture = try fixtureWithEvents(3)
        // Break the head's MAC: the writer must refuse to extend it.
        let head = try #require(
            try fixture.rawDatabase().read { db in try Data.fetchOne(db, sql: "SELECT mac FROM audit_head") })
        try tamper(fixture, "UPDATE audit_head SET mac = zeroblob(32)")
        for number in 4...10 {
            try fixture.store.recordAudit(requestEvent(number))
        }
        var failure: KeyStoreError? = nil
        do {
            try fixture.store.flushAudit()
        } catch let error as KeyStoreError {
            failure = error
        }
        #expect(failure?.code == .storageFailure)
        #expect(failure?.message.contains("signed head does not verify") == true)
        #expect(fixture.store.auditWriter.pendingCount == 7)
        #expect(fixture.store.auditWriter.lastFailure != nil)
        #expect(try fixture.store.auditEvents().count == 3)
        // A mutation with an event is refused too, and changes nothing.
        #expect(throws: KeyStoreError(.storageFailure, "")) {
            try fixture.store.createKey(
                account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault,
                usage: .encryptDecrypt, audit: mutationEvent("CreateKey"))
        }
        #expect(try fixture.store.listKeys(account: StoreFixture.account).keys.isEmpty)

        // Put the head back: the next retry succeeds and nothing was lost.
        try tamper(fixture, "UPDATE audit_head SET mac = ?", arguments: [head])
        try fixture.store.flushAudit()
        #expect(fixture.store.auditWriter.pendingCount == 0)
        #expect(fixture.store.auditWriter.lastFailure == nil)
        #expect(try fixture.store.auditEvents().map(\.event.requestID) == (1...10).map { "request-\($0)" })
        #expect(try fixture.store.verifyAuditLog().isIntact)
    }

    @Test("text is stored so that it verifies: NUL characters replaced, long fields cut, context keys sorted")
    func eventsAreNormalised() throws {
        let fixture = try StoreFixture()
        var event = requestEvent(1, contextKeys: ["zeta", "alpha", "mid\u{0}dle"])
        event.userAgent = "agent\u{0}with NUL " + String(repeating: "é", count: 3000)
        try fixture.store.recordAudit(event)
        try fixture.store.flushAudit()
        let stored = try #require(try fixture.store.auditEvents().first).event
        #expect(stored == event.normalized)
        #expect(stored.encryptionContextKeys == ["alpha", "mid\u{FFFD}dle", "zeta"])
        let agent = try #require(stored.userAgent)
        #expect(agent.hasPrefix("agent\u{FFFD}with NUL "))
        #expect(agent.hasSuffix("…"))
        #expect(agent.utf8.count <= AuditEvent.maximumFieldLength)
        #expect(try fixture.store.verifyAuditLog().isIntact)
    }

    @Test("appending audit events alone keeps the key cache; a mutation empties it")
    func auditAppendsKeepTheResolutionCache() throws {
        let fixture = try StoreFixture()
        let key = try fixture.createSymmetricKey()
        let started = ContinuousClock.now
        _ = try fixture.store.resolveKey(key.id, account: StoreFixture.account, region: StoreFixture.region)
        try tamper(fixture, "UPDATE keys SET description = 'changed behind the store' WHERE id = ?", arguments: [key.id])
        try fixture.store.recordAudit(requestEvent(1))
        try fixture.store.flushAudit()
        let cached = try fixture.store.resolveKey(key.id, account: StoreFixture.account, region: StoreFixture.region)
        // The cache trusts a record for a second; on a machine too busy for that, the
        // check cannot tell a kept record from an expired one.
        if ContinuousClock.now - started < .milliseconds(800) {
            #expect(cached?.description == "")
        }
        try fixture.store.setTags(id: key.id, [KeyTag(key: "k", value: "v")], audit: mutationEvent("TagResource"))
        let fresh = try fixture.store.resolveKey(key.id, account: StoreFixture.account, region: StoreFixture.region)
        #expect(fresh?.description == "changed behind the store")
    }

    @Test("no event carries an encryption-context value or a secret, in the database or the export")
    func noSecretsInTheLog() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let key = try fixture.createSymmetricKey()
        let (accessKeyID, secret) = try store.createAccessKey(
            principal: "arn:aws:iam::111122223333:user/alice", account: StoreFixture.account)
        let secretText = String(decoding: secret.unsafeBytes, as: UTF8.self)
        let context = ["tenant": "context-value-7f3a91", "order": "context-value-22c0d5"]
        let material = try store.currentSymmetricKey(id: key.id).key.unsafeBytes
        let plaintext = "plaintext-value-5e8b17"
        for number in 1...50 {
            // What a server records for Decrypt: the context's keys, never its values.
            try store.recordAudit(
                AuditEvent(
                    requestID: "secret-test-\(number)", region: StoreFixture.region, account: StoreFixture.account,
                    principalARN: "arn:aws:iam::111122223333:user/alice", accessKeyID: accessKeyID,
                    operation: "Decrypt", keyARN: key.arn, algorithm: "SYMMETRIC_DEFAULT",
                    encryptionContextKeys: Array(context.keys)))
        }
        try store.flushAudit()
        #expect(try store.auditEvents().first?.event.encryptionContextKeys == ["order", "tenant"])

        let exportURL = fixture.directory.appendingPathComponent("export.jsonl")
        #expect(FileManager.default.createFile(atPath: exportURL.path, contents: nil))
        let handle = try FileHandle(forWritingTo: exportURL)
        #expect(try store.exportAuditLog(to: handle) == 50)
        try handle.close()
        let export = try Data(contentsOf: exportURL)
        #expect(contains(export, "tenant"))
        #expect(contains(export, accessKeyID))

        var searched = 0
        for (name, bytes) in try fixture.databaseFileContents() + [("export", export)] {
            for value in context.values + [secretText, plaintext] {
                #expect(!contains(bytes, value), "\(name) holds \(value)")
            }
            #expect(bytes.range(of: Data(material)) == nil, "\(name) holds the key material")
            searched += 1
        }
        // The events really are in the files searched (the WAL at least).
        let all = try fixture.databaseFileContents().reduce(Data()) { $0 + $1.bytes }
        #expect(contains(all, "secret-test-50"))
        #expect(searched >= 3)  // the database, its WAL, the export
    }
}

// MARK: - Tampering

@Suite("Audit log: tampering is detected")
struct AuditLogTamperTests {
    static let count = 50

    @Test(
        "an edited field breaks the chain at that event",
        arguments: [
            ("operation", "'Encrypt'"),
            ("principal_arn", "'arn:aws:iam::111122223333:user/mallory'"),
            ("principal_arn", "NULL"),
            ("outcome", "'denied'"),
            ("error_code", "'AccessDeniedException'"),
            ("encryption_context_keys", "'[\"other\"]'"),
            ("encryption_context_keys", "'[]'"),
            ("time", "1600000000.0"),
            ("request_id", "'request-999'"),
            ("key_arn", "'arn:aws:kms:us-east-1:111122223333:key/other'"),
            ("user_agent", "'aws-cli/2.15 test '"),
            ("outcome", "'forged'"),
            ("encryption_context_keys", "'not json'"),
        ])
    func editedField(column: String, sqlValue: String) throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(fixture, "UPDATE audit_events SET \(column) = \(sqlValue) WHERE seq = 17")
        let verification = try fixture.store.verifyAuditLog()
        let broken = try #require(verification.firstBroken)
        #expect(broken.seq == 17)
        #expect(broken.reason.hasPrefix("event 17 "))
        #expect(broken.reason.contains("was altered"))
        if column != "request_id" {
            #expect(broken.requestID == "request-17")
            #expect(broken.reason.contains("(request request-17)"))
        }
        #expect(verification.eventCount == Self.count)
    }

    @Test("a byte flipped in a stored hash or prev_hash is found")
    func flippedHashBytes() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(fixture, "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 30")
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == 30)
        #expect(broken.reason.contains("its hash does not match its contents"))

        let other = try fixtureWithEvents(Self.count)
        try tamper(other, "UPDATE audit_events SET prev_hash = zeroblob(32) WHERE seq = 31")
        let second = try #require(try other.store.verifyAuditLog().firstBroken)
        #expect(second.seq == 31)
    }

    @Test("a deleted middle event is reported missing")
    func deletedMiddleEvent() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(fixture, "DELETE FROM audit_events WHERE seq = 18")
        let verification = try fixture.store.verifyAuditLog()
        let broken = try #require(verification.firstBroken)
        #expect(broken.seq == 18)
        #expect(broken.requestID == nil)
        #expect(broken.reason == "event 18 is missing (the sequence jumps from 17 to 19)")
        #expect(verification.eventCount == Self.count - 1)

        try tamper(fixture, "DELETE FROM audit_events WHERE seq BETWEEN 5 AND 9")
        let earlier = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(earlier.seq == 5)
        #expect(earlier.reason == "events 5 to 9 are missing (the sequence jumps from 4 to 10)")
    }

    @Test("deleted last events are found by the signed head", arguments: [1, 8])
    func deletedLastEvents(removed: Int) throws {
        let fixture = try fixtureWithEvents(Self.count)
        let last = Int64(Self.count - removed)
        try tamper(fixture, "DELETE FROM audit_events WHERE seq > ?", arguments: [last])
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == last + 1)
        #expect(broken.reason == "events after \(last) were removed: the signed head records \(Self.count) events")
    }

    @Test("every event deleted is found by the signed head")
    func truncatedTable() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(fixture, "DELETE FROM audit_events")
        let verification = try fixture.store.verifyAuditLog()
        let broken = try #require(verification.firstBroken)
        #expect(verification.eventCount == 0)
        #expect(broken.seq == 1)
        #expect(broken.reason == "all events were removed: the signed head records \(Self.count) events")
    }

    @Test("two events swapped are found at the first of them")
    func swappedEvents() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(
            fixture,
            """
            UPDATE audit_events SET seq = -1 WHERE seq = 21;
            UPDATE audit_events SET seq = 21 WHERE seq = 22;
            UPDATE audit_events SET seq = 22 WHERE seq = -1;
            """)
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == 21)
        #expect(broken.requestID == "request-22")
        #expect(broken.reason.contains("was altered: its hash does not match its contents"))
    }

    @Test("an edited event with a recomputed hash breaks the link to the next event")
    func forgedHashBreaksTheNextLink() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try forge(fixture, seq: 10, column: "outcome", value: "denied")
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == 11)
        #expect(broken.requestID == "request-11")
        #expect(broken.reason.contains("does not follow the event before it"))
    }

    @Test("a chain rewritten to its end no longer matches the signed head")
    func forgedChainToTheEnd() throws {
        let fixture = try fixtureWithEvents(Self.count)
        let last = Int64(Self.count)
        try forge(fixture, seq: 10, column: "principal_arn", value: "arn:aws:iam::111122223333:user/mallory", through: last)
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == last)
        #expect(broken.reason.contains("the signed head records a different hash for event \(last)"))

        // Writing the forged hash into the head too: its MAC, which needs root.key, fails.
        let raw = try fixture.rawDatabase()
        try raw.write { db in
            let hash = try Data.fetchOne(db, sql: "SELECT hash FROM audit_events WHERE seq = ?", arguments: [last])
            try db.execute(sql: "UPDATE audit_head SET hash = ?", arguments: [hash])
        }
        try raw.close()
        let second = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(second.seq == last + 1)
        #expect(second.reason.hasPrefix("the head's MAC does not verify"))
    }

    @Test("a head edited to hide removed events fails its MAC")
    func editedHead() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(
            fixture,
            """
            DELETE FROM audit_events WHERE seq > 40;
            UPDATE audit_head SET seq = 40, hash = (SELECT hash FROM audit_events WHERE seq = 40);
            """)
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == 41)
        #expect(broken.reason.hasPrefix("the head's MAC does not verify"))

        // The head's MAC copied from another database with another root key fails too.
        let other = try fixtureWithEvents(40)
        let foreign = try other.rawDatabase().read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit_head") }!
        try tamper(fixture, "UPDATE audit_head SET mac = ?", arguments: [foreign["mac"] as Data])
        #expect(try fixture.store.verifyAuditLog().firstBroken?.reason.hasPrefix("the head's MAC does not verify") == true)
    }

    @Test("a missing head, or events appended outside the key holder, are found")
    func missingHeadAndExtraEvents() throws {
        let fixture = try fixtureWithEvents(Self.count)
        try tamper(fixture, "DELETE FROM audit_head")
        let broken = try #require(try fixture.store.verifyAuditLog().firstBroken)
        #expect(broken.seq == Int64(Self.count) + 1)
        #expect(broken.reason.hasPrefix("the signed head is missing"))
        // Nor does the store extend a log whose head is gone.
        try fixture.store.recordAudit(requestEvent(99))
        #expect(throws: KeyStoreError(.storageFailure, "")) { try fixture.store.flushAudit() }

        let other = try fixtureWithEvents(Self.count)
        try tamper(
            other,
            """
            INSERT INTO audit_events SELECT seq + 1, time, request_id, region, account, principal_arn, access_key_id,
                source_address, user_agent, operation, key_arn, algorithm, encryption_context_keys, outcome, error_code,
                error_message, hash, hash FROM audit_events WHERE seq = \(Self.count)
            """)
        try forge(other, seq: Int64(Self.count) + 1, column: "operation", value: "Encrypt")
        let extra = try #require(try other.store.verifyAuditLog().firstBroken)
        #expect(extra.seq == Int64(Self.count) + 1)
        #expect(extra.reason.hasPrefix("events after \(Self.count) are not covered by the signed head"))
    }
}

// MARK: - Export

@Suite("Audit log: export")
struct AuditLogExportTests {
    @Test("export writes one CloudTrail record per event, from a sequence number on")
    func exportsCloudTrailRecords() throws {
        let fixture = try StoreFixture()
        let key = try fixture.store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP256, usage: .signVerify,
            audit: AuditEvent(
                time: Date(timeIntervalSince1970: 1_714_564_800.75), requestID: "create-1", region: StoreFixture.region,
                account: StoreFixture.account, principalARN: "arn:aws:iam::111122223333:root", sourceAddress: "10.0.0.1",
                userAgent: "boto3/1.34", operation: "CreateKey", algorithm: "ECC_NIST_P256"))
        try fixture.store.recordAudit(
            AuditEvent(
                requestID: "sign-1", region: StoreFixture.region, account: StoreFixture.account,
                principalARN: "arn:aws:sts::111122223333:assumed-role/signer/session-1", accessKeyID: "ASIAEXAMPLE",
                operation: "Sign", keyARN: key.arn, algorithm: "ECDSA_SHA_256", outcome: .denied,
                errorCode: "AccessDeniedException", errorMessage: "not allowed"))
        try fixture.store.recordAudit(
            AuditEvent(
                requestID: "anon-1", region: StoreFixture.region, account: StoreFixture.account, accessKeyID: "AKIAUNKNOWN",
                operation: "Decrypt", encryptionContextKeys: ["purpose"], outcome: .denied,
                errorCode: "UnrecognizedClientException"))
        try fixture.store.flushAudit()

        let url = fixture.directory.appendingPathComponent("out.jsonl")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        #expect(try fixture.store.exportAuditLog(to: handle) == 3)
        try handle.close()
        let lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        let records = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let chain = try fixture.store.auditEvents()

        let create = records[0]
        #expect(create["eventVersion"] as? String == "1.08")
        #expect(create["eventTime"] as? String == "2024-05-01T12:00:00Z")
        #expect(create["eventSource"] as? String == "kms.amazonaws.com")
        #expect(create["eventName"] as? String == "CreateKey")
        #expect(create["awsRegion"] as? String == "us-east-1")
        #expect(create["sourceIPAddress"] as? String == "10.0.0.1")
        #expect(create["userAgent"] as? String == "boto3/1.34")
        #expect(create["requestID"] as? String == "create-1")
        #expect(create["readOnly"] as? Bool == false)
        #expect(create["eventType"] as? String == "AwsApiCall")
        #expect(create["managementEvent"] as? Bool == true)
        #expect(create["eventCategory"] as? String == "Management")
        #expect(create["recipientAccountId"] as? String == "111122223333")
        #expect(create["responseElements"] is NSNull)
        #expect(create["errorCode"] == nil)
        let identity = try #require(create["userIdentity"] as? [String: Any])
        #expect(identity["type"] as? String == "Root")
        #expect(identity["arn"] as? String == "arn:aws:iam::111122223333:root")
        #expect(identity["accountId"] as? String == "111122223333")
        #expect(identity["principalId"] as? String == "111122223333")
        let parameters = try #require(create["requestParameters"] as? [String: Any])
        #expect(parameters["keyId"] as? String == key.arn)
        #expect(parameters["keySpec"] as? String == "ECC_NIST_P256")
        let resources = try #require(create["resources"] as? [[String: Any]])
        #expect(resources.count == 1)
        #expect(resources.first?["ARN"] as? String == key.arn)
        #expect(resources.first?["type"] as? String == "AWS::KMS::Key")
        #expect(resources.first?["accountId"] as? String == "111122223333")
        #expect((create["sigilSequence"] as? NSNumber)?.int64Value == 1)
        #expect(create["sigilHash"] as? String == TestSupport.hex(chain[0].hash))
        let eventID = try #require(create["eventID"] as? String)
        #expect(UUID(uuidString: eventID) != nil)
        #expect(eventID.lowercased().hasPrefix(String(TestSupport.hex(chain[0].hash).prefix(8))))

        let sign = records[1]
        #expect(sign["readOnly"] as? Bool == true)
        #expect(sign["errorCode"] as? String == "AccessDeniedException")
        #expect(sign["errorMessage"] as? String == "not allowed")
        #expect((sign["userIdentity"] as? [String: Any])?["type"] as? String == "AssumedRole")
        #expect((sign["userIdentity"] as? [String: Any])?["accessKeyId"] as? String == "ASIAEXAMPLE")
        #expect((sign["requestParameters"] as? [String: Any])?["signingAlgorithm"] as? String == "ECDSA_SHA_256")
        #expect(sign["eventID"] as? String != eventID)

        let anonymous = records[2]
        let anonymousIdentity = try #require(anonymous["userIdentity"] as? [String: Any])
        #expect(anonymousIdentity["type"] as? String == "Unknown")
        #expect(anonymousIdentity["arn"] == nil)
        #expect(anonymousIdentity["accessKeyId"] as? String == "AKIAUNKNOWN")
        #expect((anonymous["requestParameters"] as? [String: Any])?["encryptionContextKeys"] as? [String] == ["purpose"])
        #expect(anonymous["resources"] == nil)

        // From a sequence number on; the same event always gets the same eventID.
        let tailURL = fixture.directory.appendingPathComponent("tail.jsonl")
        #expect(FileManager.default.createFile(atPath: tailURL.path, contents: nil))
        let tailHandle = try FileHandle(forWritingTo: tailURL)
        #expect(try fixture.store.exportAuditLog(to: tailHandle, after: 1) == 2)
        try tailHandle.close()
        let tail = String(decoding: try Data(contentsOf: tailURL), as: UTF8.self).split(separator: "\n")
        #expect(tail == Array(lines[1...]))
    }
}

// MARK: - Scale

@Suite("Audit log: scale", .serialized)
struct AuditLogScaleTests {
    // Speed is shown by benchmarks, not asserted by tests: this checks that 100,000
    // events go through the group writer in order and the chain holds, and prints the rate.
    @Test("the group writer appends 100,000 events in order, and the chain verifies")
    func writerThroughput() throws {
        let fixture = try StoreFixture()
        let count = 100_000
        let events = (1...count).map { requestEvent($0) }
        let wallStart = ContinuousClock.now
        let cpuStart = cpuSeconds()
        for event in events {
            try fixture.store.recordAudit(event)
        }
        try fixture.store.flushAudit()
        let cpu = cpuSeconds() - cpuStart
        let wall = ContinuousClock.now - wallStart
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let perTwentyThousand = cpu / Double(count) * 20_000
        print(
            "audit writer: \(count) events in \(String(format: "%.2f", wallSeconds)) s wall, "
                + "\(String(format: "%.2f", cpu)) s CPU: \(Int(Double(count) / wallSeconds)) events/s, "
                + "\(String(format: "%.3f", perTwentyThousand)) s CPU per 20,000")
        #expect(try fixture.store.auditEvents(after: Int64(count) - 1).map(\.event.requestID) == ["request-\(count)"])
        #expect(try fixture.store.auditEvents(after: 49_999, limit: 3).map(\.event.requestID) == (50_000...50_002).map { "request-\($0)" })
        let verification = try fixture.store.verifyAuditLog()
        #expect(verification.eventCount == count && verification.firstBroken == nil)
    }

    @Test("a log of 20,000 events verifies (the time is printed, not asserted)")
    func verifiesTwentyThousandEvents() throws {
        let fixture = try fixtureWithEvents(20_000)
        let start = ContinuousClock.now
        let verification = try fixture.store.verifyAuditLog()
        let elapsed = ContinuousClock.now - start
        print("audit verify: 20,000 events in \(elapsed)")
        #expect(verification.isIntact)
        #expect(verification.eventCount == 20_000)
    }
}
