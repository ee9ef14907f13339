internal import Foundation
internal import SigilCrypto

extension AuditLog {
    /// Walks every event in `seq` order with a cursor (constant memory), then checks the
    /// signed head against where the chain ends. Call inside one read transaction, so
    /// that the events and the head are one snapshot even while a server appends.
    ///
    /// Each event must: come next (`seq` = the previous one's + 1, from 1); hash to its
    /// stored `hash` from its stored `prev_hash` and contents; and link to the one
    /// before (`prev_hash` = the previous event's `hash`, zeros for the first). Then the
    /// head's MAC must verify and its `seq` and `hash` equal the last event's.
    func verify(_ db: any StoreTransaction) throws -> AuditVerification {
        var walk = ChainWalk()
        try db.forEachRow(sql: "SELECT \(Self.columns) FROM audit_events ORDER BY seq") { row in
            try walk.add(seq: try? row.decode(Int64.self, at: 0), requestID: (try? row.decode(String?.self, at: 2)) ?? nil) {
                try Self.decodeRow(row)
            }
        }
        return try walk.finish(head: Result { try Self.readHead(db) }, log: self)
    }

    /// The chain's events in `seq` order, checked one by one as either backend reads
    /// them, then its signed head: what ``verify(_:)`` finds, wherever the log lives.
    struct ChainWalk {
        private(set) var count = 0
        private var lastSeq: Int64 = 0
        private var previous = AuditLog.genesisHash
        private var broken: (seq: Int64, requestID: String?, reason: String)? = nil

        /// Checks the next event: `seq` and `requestID` as far as they can be read, and
        /// the whole row from `decode`.
        mutating func add(seq: Int64?, requestID: String?, decode: () throws -> StoredRow) throws {
            count += 1
            if broken != nil { return }
            switch try AuditLog.check(seq: seq, requestID: requestID, decode: decode, after: lastSeq, previous: previous) {
            case .sound(let stored):
                lastSeq = stored.seq
                previous = stored.hash
            case .broken(let seq, let requestID, let reason):
                broken = (seq, requestID, reason)
            }
        }

        /// The verdict, once the signed head (or the failure to read it) is known.
        func finish(head: Result<Head?, any Error>, log: AuditLog) throws -> AuditVerification {
            let broken = try broken ?? log.checkHead(head, lastSeq: lastSeq, lastHash: previous)
            return AuditVerification(eventCount: count, firstBroken: broken, lastSeq: lastSeq, headHash: previous)
        }
    }

    private enum Verdict {
        case sound(StoredRow)
        case broken(seq: Int64, requestID: String?, reason: String)
    }

    /// Whether the row is the sound event after `lastSeq`, whose hash is `previous`.
    private static func check(
        seq: Int64?, requestID: String?, decode: () throws -> StoredRow, after lastSeq: Int64, previous: [UInt8]
    ) throws -> Verdict {
        let expected = lastSeq + 1
        guard let seq else {
            return .broken(seq: expected, requestID: nil, reason: "the event after \(lastSeq) has a sequence number that is not an integer")
        }
        guard seq == expected else {
            // `ORDER BY seq` on the primary key: a smaller one is impossible but for
            // values below 1, which the key holder never writes.
            if seq < expected {
                return .broken(seq: seq, requestID: nil, reason: "an event has sequence number \(seq); the log counts from 1")
            }
            let reason =
                seq == expected + 1
                ? "event \(expected) is missing (the sequence jumps from \(lastSeq) to \(seq))"
                : "events \(expected) to \(seq - 1) are missing (the sequence jumps from \(lastSeq) to \(seq))"
            return .broken(seq: expected, requestID: nil, reason: reason)
        }
        let name = Self.describe(seq, requestID: requestID)
        let stored: StoredRow
        do {
            stored = try decode()
        } catch let error as KeyStoreError {
            return .broken(seq: seq, requestID: requestID, reason: "\(name) was altered: \(error.message)")
        }
        guard try Self.chainHash(previous: stored.previousHash, seq: seq, event: stored.stored) == stored.hash else {
            return .broken(seq: seq, requestID: requestID, reason: "\(name) was altered: its hash does not match its contents")
        }
        guard stored.previousHash == previous else {
            let before = seq == 1 ? "the start of the log (32 zero bytes)" : "event \(seq - 1)'s hash"
            return .broken(
                seq: seq, requestID: requestID,
                reason: "\(name) does not follow the event before it: its prev_hash is not \(before), "
                    + "so an event before it was altered or replaced")
        }
        return .sound(stored)
    }

    /// What is wrong with the signed head, given where the chain ends.
    private func checkHead(_ read: Result<Head?, any Error>, lastSeq: Int64, lastHash: [UInt8]) throws
        -> (seq: Int64, requestID: String?, reason: String)?
    {
        let head: Head?
        do {
            head = try read.get()
        } catch {
            return (lastSeq + 1, nil, "the signed head cannot be read: its columns were altered")
        }
        guard let head else {
            guard lastSeq == 0 else {
                return (
                    lastSeq + 1, nil,
                    "the signed head is missing, so nothing vouches that event \(lastSeq) is the last one"
                )
            }
            return nil
        }
        guard try isAuthentic(head) else {
            return (
                lastSeq + 1, nil,
                "the head's MAC does not verify: the head was altered (or root.key is not this database's), "
                    + "so nothing vouches that event \(lastSeq) is the last one"
            )
        }
        if head.seq > lastSeq {
            let noun = head.seq == 1 ? "event" : "events"
            let after = lastSeq == 0 ? "all events were removed" : "events after \(lastSeq) were removed"
            return (lastSeq + 1, nil, "\(after): the signed head records \(head.seq) \(noun)")
        }
        if head.seq < lastSeq {
            return (
                head.seq + 1, nil,
                "events after \(head.seq) are not covered by the signed head, which records \(head.seq) events: "
                    + "they were added outside the key holder"
            )
        }
        guard head.hash == lastHash else {
            return (
                lastSeq, nil,
                "the signed head records a different hash for event \(lastSeq) than the chain ends in: "
                    + "events were rewritten and their hashes recomputed"
            )
        }
        return nil
    }

    /// "event 17 (request 5d1…)".
    static func describe(_ seq: Int64, requestID: String?) -> String {
        if let requestID {
            return "event \(seq) (request \(requestID))"
        }
        return "event \(seq)"
    }
}
