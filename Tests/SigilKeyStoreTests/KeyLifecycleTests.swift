import Foundation
import GRDB
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("Listing, states, deletion, rotation, aliases, tags and access keys")
struct KeyLifecycleTests {
    @Test("listKeys pages through an account's keys in creation order, each key once", arguments: StoreBackend.allCases)
    func pagesThroughKeys(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        var ids: [String] = []
        for _ in 0..<7 { ids.append(try fixture.createSymmetricKey().id) }
        _ = try fixture.createSymmetricKey(account: StoreFixture.otherAccount)

        var pages: [[String]] = []
        var marker: String? = nil
        repeat {
            let page = try fixture.store.listKeys(account: StoreFixture.account, limit: 3, after: marker)
            pages.append(page.keys.map(\.id))
            marker = page.nextMarker
        } while marker != nil
        #expect(pages.map(\.count) == [3, 3, 1])
        #expect(pages.flatMap { $0 } == ids)

        // Exactly a page's worth: no marker, no empty extra page.
        let all = try fixture.store.listKeys(account: StoreFixture.account, limit: 7)
        #expect(all.keys.count == 7 && all.nextMarker == nil)
        // A key deleted between pages does not disturb the marker.
        let first = try fixture.store.listKeys(account: StoreFixture.account, limit: 2)
        try fixture.store.scheduleDeletion(id: ids[1], at: Date(timeIntervalSince1970: 0))
        #expect(try fixture.store.deleteKeysDue() == [ids[1]])
        let rest = try fixture.store.listKeys(account: StoreFixture.account, limit: 10, after: first.nextMarker)
        #expect(rest.keys.map(\.id) == Array(ids[2...]))

        #expect(try fixture.store.listKeys(account: StoreFixture.otherAccount).keys.count == 1)
        #expect(try fixture.store.listKeys(account: StoreFixture.account, region: "eu-west-1").keys.isEmpty)
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try fixture.store.listKeys(account: StoreFixture.account, limit: 0) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try fixture.store.listKeys(account: StoreFixture.account, limit: 1001) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try fixture.store.listKeys(account: StoreFixture.account, after: "not-a-marker")
        }
    }

    @Test("enable, disable, schedule and cancel deletion follow the KMS state rules", arguments: StoreBackend.allCases)
    func stateTransitions(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let key = try fixture.createSymmetricKey()
        #expect(try store.setState(id: key.id, .disabled).state == .disabled)
        #expect(try store.setState(id: key.id, .enabled).state == .enabled)
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setState(id: key.id, .pendingDeletion) }

        let date = Date(timeIntervalSince1970: 2_000_000_000)
        let scheduled = try store.scheduleDeletion(id: key.id, at: date)
        #expect(scheduled.state == .pendingDeletion && scheduled.deletionDate == date)
        #expect(throws: KeyStoreError(.invalidState, "")) { try store.scheduleDeletion(id: key.id, at: date) }
        #expect(throws: KeyStoreError(.invalidState, "")) { try store.setState(id: key.id, .enabled) }
        let cancelled = try store.cancelDeletion(id: key.id)
        #expect(cancelled.state == .disabled && cancelled.deletionDate == nil)
        #expect(throws: KeyStoreError(.invalidState, "")) { try store.cancelDeletion(id: key.id) }

        #expect(try store.setDescription(id: key.id, "new words").description == "new words")
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.setDescription(id: key.id, String(repeating: "x", count: 8193))
        }
        #expect(try store.key(id: key.id)?.policy.contains("arn:aws:iam::111122223333:root") == true)
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setPolicy(id: key.id, "not json") }

        let unknown = UUID().uuidString.lowercased()
        #expect(try store.key(id: unknown) == nil)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.setState(id: unknown, .disabled) }
        #expect(throws: KeyStoreError(.notFound, "")) { try store.privateKey(id: unknown) }
        #expect(throws: KeyStoreError(.notFound, "")) { try store.currentSymmetricKey(id: unknown) }
    }

    @Test("deleteKeysDue removes a due key with every material version, tag and alias, and nothing else", arguments: StoreBackend.allCases)
    func deletesDueKeysCompletely(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let due = try store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault, usage: .encryptDecrypt,
            tags: [KeyTag(key: "team", value: "a")])
        try store.rotate(id: due.id)
        try store.createAlias("alias/due", keyID: due.id)
        let later = try fixture.createSymmetricKey()
        try store.createAlias("alias/later", keyID: later.id)
        let kept = try fixture.createSymmetricKey()

        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try store.scheduleDeletion(id: due.id, at: now.addingTimeInterval(-1))
        try store.scheduleDeletion(id: later.id, at: now.addingTimeInterval(7 * 86_400))

        #expect(try store.deleteKeysDue(now: now.addingTimeInterval(-2)) == [])
        #expect(try store.deleteKeysDue(now: now) == [due.id])
        #expect(try store.deleteKeysDue(now: now) == [])

        #expect(try store.key(id: due.id) == nil)
        #expect(try store.key(arn: due.arn) == nil)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.symmetricKey(id: due.id, version: 1) }
        #expect(throws: KeyStoreError(.notFound, "")) { try store.tags(id: due.id) }
        #expect(try store.alias("alias/due", account: StoreFixture.account, region: StoreFixture.region) == nil)
        let counts = try fixture.rawStore().read { db in
            try ["key_material", "key_tags", "aliases"].map { table in
                try db.value(Int.self, sql: "SELECT count(*) FROM \(table) WHERE key_id = ?", arguments: [due.id]) ?? -1
            }
        }
        #expect(counts == [0, 0, 0])

        #expect(try store.key(id: later.id)?.state == .pendingDeletion)
        #expect(try store.alias("alias/later", account: StoreFixture.account, region: StoreFixture.region) != nil)
        #expect(try store.key(id: kept.id)?.state == .enabled)
        #expect(try store.deleteKeysDue(now: now.addingTimeInterval(8 * 86_400)) == [later.id])
    }

    @Test("rotation adds symmetric versions and keeps every old one readable", arguments: StoreBackend.allCases)
    func rotationKeepsOldVersions(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let key = try fixture.createSymmetricKey()
        let v1 = try store.symmetricKey(id: key.id, version: 1)
        let day = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(try store.rotate(id: key.id, at: day) == 2)
        #expect(try store.rotate(id: key.id, at: day.addingTimeInterval(60)) == 3)

        let current = try store.currentSymmetricKey(id: key.id)
        #expect(current.version == 3)
        #expect(try store.key(id: key.id)?.currentVersion == 3)
        let versions = try (1...3).map { try store.symmetricKey(id: key.id, version: $0) }
        #expect(versions[0] == v1)
        #expect(versions[2] == current.key)
        #expect(Set(versions.map(\.unsafeBytes)).count == 3)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.symmetricKey(id: key.id, version: 4) }

        let rotations = try store.rotations(id: key.id)
        #expect(rotations.map(\.version) == [2, 3])
        #expect(rotations.map(\.type) == [.onDemand, .onDemand])
        #expect(rotations.first?.rotationDate == day)

        // Old versions still read from a fresh instance.
        let reopened = try fixture.reopen()
        #expect(try reopened.symmetricKey(id: key.id, version: 1) == v1)

        let signing = try store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP384, usage: .signVerify)
        #expect(throws: KeyStoreError(.invalidKeyUsage, "")) { try store.rotate(id: signing.id) }
        #expect(throws: KeyStoreError(.invalidKeyUsage, "")) { try store.setRotation(id: signing.id, enabled: true) }
        #expect(throws: KeyStoreError(.invalidKeyUsage, "")) { try store.symmetricKey(id: signing.id, version: 1) }
        #expect(throws: KeyStoreError(.invalidKeyUsage, "")) { try store.privateKey(id: key.id) }
    }

    @Test("automatic rotation: enabling schedules it, rotateKeysDue carries it out and schedules the next", arguments: StoreBackend.allCases)
    func automaticRotation(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let key = try fixture.createSymmetricKey()
        let idle = try fixture.createSymmetricKey()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setRotation(id: key.id, enabled: true, periodDays: 89) }
        let enabled = try store.setRotation(id: key.id, enabled: true, periodDays: 90, now: start)
        #expect(enabled.rotationEnabled && enabled.rotationPeriodDays == 90)
        #expect(enabled.nextRotationDate == start.addingTimeInterval(90 * 86_400))

        #expect(try store.rotateKeysDue(now: start.addingTimeInterval(89 * 86_400)).isEmpty)
        let due = start.addingTimeInterval(91 * 86_400)
        let rotated = try store.rotateKeysDue(now: due)
        #expect(rotated.map(\.keyID) == [key.id] && rotated.map(\.version) == [2])
        #expect(try store.key(id: key.id)?.nextRotationDate == start.addingTimeInterval(180 * 86_400))
        #expect(try store.rotations(id: key.id).map(\.type) == [.automatic])
        #expect(try store.key(id: idle.id)?.currentVersion == 1)

        let disabled = try store.setRotation(id: key.id, enabled: false)
        #expect(!disabled.rotationEnabled && disabled.nextRotationDate == nil && disabled.rotationPeriodDays == 90)
        #expect(try store.rotateKeysDue(now: due.addingTimeInterval(1000 * 86_400)).isEmpty)
    }

    @Test("aliases: unique per account, reserved and malformed names refused, update, delete, list, resolve", arguments: StoreBackend.allCases)
    func aliases(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let (account, region) = (StoreFixture.account, StoreFixture.region)
        let first = try fixture.createSymmetricKey()
        let second = try fixture.createSymmetricKey()
        let signing = try store.createKey(account: account, region: region, spec: .eccNistP256, usage: .signVerify)
        let foreign = try fixture.createSymmetricKey(account: StoreFixture.otherAccount)

        let alias = try store.createAlias("alias/app-data", keyID: first.id)
        #expect(alias.arn == "arn:aws:kms:us-east-1:111122223333:alias/app-data")
        let taken = #expect(throws: KeyStoreError(.alreadyExists, "")) { try store.createAlias("alias/app-data", keyID: second.id) }
        #expect(taken?.message.contains("alias/app-data") == true)
        // The same name in another account is another alias.
        try store.createAlias("alias/app-data", keyID: foreign.id)

        for bad in ["alias/aws/s3", "app-data", "alias/", "alias/with space", "alias/" + String(repeating: "a", count: 251)] {
            #expect(throws: KeyStoreError(.invalidArgument, ""), "\(bad)") { try store.createAlias(bad, keyID: first.id) }
        }
        #expect(throws: KeyStoreError(.notFound, "")) { try store.createAlias("alias/nothing", keyID: UUID().uuidString.lowercased()) }

        try store.createAlias("alias/second", keyID: second.id)
        #expect(try store.listAliases(account: account, region: region).map(\.name) == ["alias/app-data", "alias/second"])
        #expect(try store.listAliases(account: account, region: region, keyID: second.id).map(\.name) == ["alias/second"])

        let updated = try store.updateAlias("alias/app-data", account: account, region: region, keyID: second.id)
        #expect(updated.keyID == second.id)
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.updateAlias("alias/app-data", account: account, region: region, keyID: signing.id)
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.updateAlias("alias/app-data", account: account, region: region, keyID: foreign.id)
        }
        #expect(throws: KeyStoreError(.notFound, "")) {
            try store.updateAlias("alias/missing", account: account, region: region, keyID: second.id)
        }

        // Every identifier form KMS accepts.
        #expect(try store.resolveKey(second.id, account: account, region: region)?.id == second.id)
        #expect(try store.resolveKey(second.arn, account: account, region: region)?.id == second.id)
        #expect(try store.resolveKey("alias/app-data", account: account, region: region)?.id == second.id)
        #expect(try store.resolveKey(updated.arn, account: account, region: region)?.id == second.id)
        #expect(try store.resolveKey("alias/app-data", account: StoreFixture.otherAccount, region: region)?.id == foreign.id)
        #expect(try store.resolveKey(foreign.id, account: account, region: region) == nil)
        #expect(try store.resolveKey("alias/none", account: account, region: region) == nil)

        try store.deleteAlias("alias/app-data", account: account, region: region)
        #expect(try store.alias("alias/app-data", account: account, region: region) == nil)
        #expect(try store.key(id: second.id) != nil)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.deleteAlias("alias/app-data", account: account, region: region) }
    }

    @Test("tags: set, overwrite, remove, list; reserved prefix and more than 50 refused atomically", arguments: StoreBackend.allCases)
    func tags(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let key = try fixture.createSymmetricKey()
        try store.setTags(id: key.id, [KeyTag(key: "b", value: "1"), KeyTag(key: "a", value: "2")])
        try store.setTags(id: key.id, [KeyTag(key: "b", value: "3")])
        #expect(try store.tags(id: key.id) == [KeyTag(key: "a", value: "2"), KeyTag(key: "b", value: "3")])
        try store.removeTags(id: key.id, keys: ["a", "absent"])
        #expect(try store.tags(id: key.id) == [KeyTag(key: "b", value: "3")])

        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setTags(id: key.id, [KeyTag(key: "aws:owner", value: "x")]) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setTags(id: key.id, [KeyTag(key: "", value: "x")]) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.setTags(id: key.id, [KeyTag(key: "d", value: "1"), KeyTag(key: "d", value: "2")])
        }
        try store.setTags(id: key.id, (0..<49).map { KeyTag(key: "k\($0)", value: "v") })
        #expect(try store.tags(id: key.id).count == 50)
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.setTags(id: key.id, [KeyTag(key: "one-more", value: "v"), KeyTag(key: "b", value: "changed")])
        }
        #expect(try store.tags(id: key.id).count == 50)
        #expect(try store.tags(id: key.id).first { $0.key == "b" }?.value == "3", "a refused call changes nothing")
        #expect(throws: KeyStoreError(.notFound, "")) { try store.setTags(id: UUID().uuidString.lowercased(), []) }
    }

    @Test("access keys: AKIA ids, 40-character secrets, sealed under the id, revocable", arguments: StoreBackend.allCases)
    func accessKeys(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let principal = "arn:aws:iam::111122223333:user/release"
        let made = try store.createAccessKey(principal: principal, account: StoreFixture.account)
        #expect(made.accessKeyID.count == 20 && made.accessKeyID.hasPrefix("AKIA"))
        #expect(made.accessKeyID.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(made.secretAccessKey.count == 40)
        let secretText = String(decoding: made.secretAccessKey.unsafeBytes, as: UTF8.self)
        #expect(secretText.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") })

        let credential = try #require(try store.credential(accessKeyID: made.accessKeyID))
        #expect(credential.secretAccessKey == made.secretAccessKey)
        #expect(credential.principal == principal && credential.account == StoreFixture.account && credential.isActive)
        #expect(try store.credential(accessKeyID: "AKIANOSUCHKEY0000000") == nil)

        try store.revokeAccessKey(made.accessKeyID)
        #expect(try store.credential(accessKeyID: made.accessKeyID)?.isActive == false)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.revokeAccessKey("AKIANOSUCHKEY0000000") }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.createAccessKey(principal: "arn:aws:iam::444455556666:root", account: StoreFixture.account)
        }

        // A secret sealed under one access key id does not open under another.
        let other = try store.createAccessKey(principal: principal, account: StoreFixture.account)
        try fixture.rawStore().write { db in
            let select = "SELECT sealed_secret FROM access_keys WHERE id = ?"
            let sealed = try #require(try db.value(Data.self, sql: select, arguments: [made.accessKeyID]))
            try db.execute(sql: "UPDATE access_keys SET sealed_secret = ? WHERE id = ?", arguments: [sealed, other.accessKeyID])
        }
        #expect(throws: SigilError(.authenticationFailure, "")) { try store.credential(accessKeyID: other.accessKeyID) }
    }
}
