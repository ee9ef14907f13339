import Foundation
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

/// Two nodes over one PostgreSQL store racing on the same key (issue 11, item 9).
@Suite("Two nodes racing on one key end in the state of one serial order of what they acknowledged")
struct SharedStoreRaceTests {
    /// What a race changes about the key: what the requests acknowledged, replayed in the
    /// order the audit log committed them, must give exactly the store's final state.
    struct Model: Equatable {
        var state: KeyState = .enabled
        var aliasTarget: String? = nil
        var tag: String? = nil
        var version = 1
    }

    /// One request a client made, by its request id.
    enum Change {
        case state(KeyState)
        case alias(String?)
        case tag(String)
        case rotate
    }

    @Test("enable/disable, alias create/update/delete, tag and rotate from 8 clients on 2 nodes: the final state is one serial order, the chain verifies")
    func racingNodesAgreeWithTheLog() async throws {
        guard let fixture = try await StoreFixture(.postgreSQL) else { return }
        let nodes = [fixture.store, try fixture.reopen()]
        let account = StoreFixture.account, region = StoreFixture.region
        let key = try fixture.createSymmetricKey()
        let targets = try (0..<2).map { _ in try fixture.createSymmetricKey().id }

        let changes = Locked<[String: Change]>([:])
        let refused = Locked<[String: Int]>([:])
        DispatchQueue.concurrentPerform(iterations: 8) { client in
            let store = nodes[client % 2]
            var random = SystemRandomNumberGenerator()
            for step in 0..<40 {
                let requestID = "client\(client)-\(step)"
                func audit(_ operation: String) -> AuditEvent {
                    AuditEvent(requestID: requestID, region: region, account: account, operation: operation, keyARN: key.arn)
                }
                let change: Change
                do {
                    switch Int.random(in: 0..<6, using: &random) {
                    case 0:
                        let state: KeyState = Bool.random(using: &random) ? .enabled : .disabled
                        try store.setState(id: key.id, state, audit: audit(state == .enabled ? "EnableKey" : "DisableKey"))
                        change = .state(state)
                    case 1:
                        let target = targets.randomElement(using: &random)!
                        try store.createAlias("alias/race", keyID: target, audit: audit("CreateAlias"))
                        change = .alias(target)
                    case 2:
                        let target = targets.randomElement(using: &random)!
                        try store.updateAlias("alias/race", account: account, region: region, keyID: target, audit: audit("UpdateAlias"))
                        change = .alias(target)
                    case 3:
                        try store.deleteAlias("alias/race", account: account, region: region, audit: audit("DeleteAlias"))
                        change = .alias(nil)
                    case 4:
                        let value = "v\(client)-\(step)"
                        try store.setTags(id: key.id, [KeyTag(key: "owner", value: value)], audit: audit("TagResource"))
                        change = .tag(value)
                    default:
                        try store.rotate(id: key.id, type: .onDemand, audit: audit("RotateKeyOnDemand"))
                        change = .rotate
                    }
                } catch let error as KeyStoreError {
                    // Refusals the race makes likely (the alias exists, or is gone): acknowledged nothing.
                    refused.withLock { $0["\(error.code)", default: 0] += 1 }
                    continue
                } catch {
                    refused.withLock { $0["\(error)", default: 0] += 1 }
                    continue
                }
                changes.withLock { $0[requestID] = change }
            }
        }
        let acknowledged = changes.withLock { $0 }
        #expect(Set(refused.withLock { $0 }.keys).isSubset(of: ["alreadyExists", "notFound"]), "\(refused.withLock { $0 })")

        // Replay what was acknowledged in the order the log committed it.
        var model = Model()
        var replayed = 0
        var after: Int64 = 0
        while true {
            let page = try fixture.store.auditEvents(after: after, limit: 1000)
            guard let last = page.last else { break }
            for record in page {
                guard let change = acknowledged[record.event.requestID] else { continue }
                replayed += 1
                switch change {
                case .state(let state): model.state = state
                case .alias(let target): model.aliasTarget = target
                case .tag(let value): model.tag = value
                case .rotate: model.version += 1
                }
            }
            after = last.seq
        }
        #expect(replayed == acknowledged.count, "every acknowledged request is in the log once")

        let stored = try #require(try fixture.reopen().key(id: key.id))
        let final = Model(
            state: stored.state,
            aliasTarget: try fixture.store.alias("alias/race", account: account, region: region)?.keyID,
            tag: try fixture.store.tags(id: key.id).first { $0.key == "owner" }?.value,
            version: stored.currentVersion)
        #expect(final == model)
        #expect(try fixture.store.verifyAuditLog().isIntact)
        print("racing nodes: \(acknowledged.count) acknowledged, \(refused.withLock { $0 }) refused; final \(final)")
    }

    @Test("Deletion and rotation that fall due are carried out once, however many nodes run the schedule at the same moment")
    func scheduledWorkOnce() async throws {
        guard let fixture = try await StoreFixture(.postgreSQL) else { return }
        let nodes = [fixture.store] + (try (0..<3).map { _ in try fixture.reopen() })
        let start = Date()
        let doomed = try (0..<6).map { _ in try fixture.createSymmetricKey() }
        let rotating = try (0..<6).map { _ in try fixture.createSymmetricKey() }
        for key in doomed { try fixture.store.scheduleDeletion(id: key.id, at: start.addingTimeInterval(7 * 86_400)) }
        for key in rotating { try fixture.store.setRotation(id: key.id, enabled: true, periodDays: 90, now: start) }
        // Every node's scheduler wakes up after both dates, at the same moment.
        let later = start.addingTimeInterval(91 * 86_400)
        let deleted = Locked<[String]>([]), rotated = Locked<[String]>([]), failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
            do {
                let gone = try nodes[index].deleteKeysDue(now: later) { key in
                    AuditEvent(requestID: "node\(index)-delete-\(key.id)", region: key.region, account: key.account, operation: "DeleteKey", keyARN: key.arn)
                }
                let turned = try nodes[index].rotateKeysDue(now: later) { key in
                    AuditEvent(requestID: "node\(index)-rotate-\(key.id)", region: key.region, account: key.account, operation: "RotateKey", keyARN: key.arn)
                }
                deleted.withLock { $0 += gone }
                rotated.withLock { $0 += turned.map(\.keyID) }
            } catch {
                failures.withLock { $0.append("node \(index): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(deleted.withLock { $0 }.sorted() == doomed.map(\.id).sorted(), "each due key deleted once")
        #expect(rotated.withLock { $0 }.sorted() == rotating.map(\.id).sorted(), "each due key rotated once")
        for key in rotating { #expect(try fixture.store.key(id: key.id)?.currentVersion == 2) }
        let events = try fixture.store.auditEvents(after: 0, limit: 1000).map(\.event.operation)
        #expect(events.filter { $0 == "DeleteKey" }.count == doomed.count && events.filter { $0 == "RotateKey" }.count == rotating.count)
        #expect(try fixture.store.verifyAuditLog().isIntact)
    }
}
