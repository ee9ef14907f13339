import Foundation
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

/// While another node writes to the same store, the key writer gathers before it takes the
/// writers' lock: it waits for the gathering limit, or until a full group is queued. A lone
/// node never waits.
@Suite("Gathering before a contended write")
struct ContendedGatheringTests {
    /// Whether the writer under test is told that another node writes.
    final class Contention: Sendable {
        private let state = Locked(false)
        var isOn: Bool { state.withLock { $0 } }
        func set(_ on: Bool) { state.withLock { $0 = on } }
    }

    /// The sizes of the groups a writer hands over.
    final class Sizes: Sendable {
        private let state = Locked<[Int]>([])
        var all: [Int] { state.withLock { $0 } }
        func add(_ size: Int) { state.withLock { $0.append(size) } }
    }

    @Test("a contended key writer waits for a full group, a lone one stores at once")
    func keyWriterGathersAFullGroup() async throws {
        guard let fixture = try await StoreFixture(.sqlite) else { return }
        let contention = Contention()
        let sizes = Sizes()
        // A limit no test run reaches: the group below can only go once it is full.
        let writer = KeyCreationWriter(contended: { contention.isOn }, gathering: 600) { sizes.add($0.count) }
        let keys = try (0...KeyCreationWriter.maximumGroup).map { try KeyCreationWriterTests.makeKey(fixture.store, $0) }

        try await writer.store(keys[0])
        #expect(sizes.all == [1], "a lone node stores at once")

        contention.set(true)
        let group = keys[1...]
        var tasks: [Task<Void, any Error>] = []
        for key in group.dropLast() { tasks.append(Task { try await writer.store(key) }) }
        try await AuditWriterTests.eventually("all but one key of a group are queued") {
            writer.pendingCount == group.count - 1
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(sizes.all == [1], "nothing is stored before the group is full")
        #expect(writer.pendingCount == group.count - 1)

        tasks.append(Task { [last = group.last!] in try await writer.store(last) })
        for task in tasks { try await task.value }
        #expect(sizes.all == [1, KeyCreationWriter.maximumGroup])
    }

    @Test("a contended key writer stores what it has once the gathering limit passes")
    func keyWriterStoresAfterTheLimit() async throws {
        guard let fixture = try await StoreFixture(.sqlite) else { return }
        let sizes = Sizes()
        let writer = KeyCreationWriter(contended: { true }, gathering: 0.3) { sizes.add($0.count) }
        let key = try KeyCreationWriterTests.makeKey(fixture.store, 1)
        let started = Date()
        try await writer.store(key)
        let waited = Date().timeIntervalSince(started)
        #expect(sizes.all == [1])
        #expect(waited >= 0.25, "stored after \(waited) s, before the limit")
        #expect(waited < 10, "stored after \(waited) s")
    }

    @Test("the log tells when another node appended between this node's last two appends")
    func anotherNodeWriteIsNoticed() throws {
        let rootKey = SecureBytes(TestSupport.randomMessage(lengths: 32...32))
        let node = try AuditLog(rootKey: rootKey)
        let other = try AuditLog(rootKey: rootKey)
        let event = AuditWriterTests.event(1)

        let first = try node.batch([event], after: nil, lastSeq: nil).head
        #expect(!node.anotherNodeWrote)
        let second = try node.batch([event], after: first, lastSeq: nil).head
        #expect(!node.anotherNodeWrote, "two appends in a row")

        let others = try other.batch([event, event], after: second, lastSeq: nil).head
        let third = try node.batch([event], after: others, lastSeq: nil).head
        #expect(node.anotherNodeWrote, "the head moved from \(second.seq) to \(others.seq) in between")
        _ = try node.batch([event], after: third, lastSeq: nil)
        #expect(!node.anotherNodeWrote, "in a row again")
    }
}
