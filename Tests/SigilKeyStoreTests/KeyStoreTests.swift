import Foundation
import GRDB
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("Key creation, sealing and the data directory")
struct KeyMaterialTests {
    @Test("every valid spec × usage pair is created, survives a reopen, and its material works")
    func createsEveryValidPairAndReopens() throws {
        #expect(validPairs.count == 11)
        let fixture = try StoreFixture()
        var created: [KeyRecord] = []
        for (spec, usage) in validPairs {
            let record = try fixture.store.createKey(
                account: StoreFixture.account, region: StoreFixture.region, spec: spec, usage: usage,
                description: "\(spec) \(usage)", tags: [KeyTag(key: "spec", value: spec.kmsName)])
            #expect(record.state == .enabled)
            #expect(record.currentVersion == 1)
            #expect(record.id == record.id.lowercased() && UUID(uuidString: record.id) != nil)
            #expect(record.arn == "arn:aws:kms:us-east-1:111122223333:key/\(record.id)")
            #expect((record.publicKeyDER == nil) == spec.isSymmetric)
            created.append(record)
        }

        // A second instance, opened while the first is still open (no close, no checkpoint).
        let reopened = try fixture.reopen()
        for record in created {
            let again = try #require(try reopened.key(id: record.id))
            #expect(again == record)
            #expect(try reopened.key(arn: record.arn) == record)
            #expect(try reopened.tags(id: record.id) == [KeyTag(key: "spec", value: record.spec.kmsName)])
            try exercise(again, in: reopened)
        }
    }

    @Test("the KMS-invalid spec × usage pairs are refused, and nothing is stored")
    func refusesInvalidPairs() throws {
        #expect(invalidPairs.count == 5)
        let fixture = try StoreFixture()
        for (spec, usage) in invalidPairs {
            let error = #expect(throws: KeyStoreError(.invalidArgument, "")) {
                try fixture.store.createKey(
                    account: StoreFixture.account, region: StoreFixture.region, spec: spec, usage: usage)
            }
            #expect(error?.message.contains("\(usage)") == true && error?.message.contains("\(spec)") == true)
        }
        #expect(try fixture.store.listKeys(account: StoreFixture.account).keys.isEmpty)
    }

    @Test("no plaintext key material or credential secret is anywhere in the database files")
    func databaseHoldsNoPlaintextSecrets() throws {
        let fixture = try StoreFixture()
        var secrets: [(what: String, bytes: [UInt8])] = []
        for (spec, usage) in validPairs {
            let record = try fixture.store.createKey(
                account: StoreFixture.account, region: StoreFixture.region, spec: spec, usage: usage)
            if spec.isSymmetric {
                try fixture.store.rotate(id: record.id)
                for version in 1...2 {
                    secrets.append(("\(spec) v\(version)", try fixture.store.symmetricKey(id: record.id, version: version).unsafeBytes))
                }
            } else {
                let der = try fixture.store.privateKey(id: record.id).pkcs8DERRepresentation
                secrets.append(("\(spec) \(usage) PKCS#8", der))
                // The bare secret too (EC scalar, or 24 bytes from inside RSA's primes), in case
                // the DER were stored re-encoded.
                secrets.append(("\(spec) \(usage) private part", try privatePart(of: der, spec: spec)))
            }
        }
        let extra = try fixture.store.createAccessKey(
            principal: "arn:aws:iam::111122223333:user/deployer", account: StoreFixture.account)
        secrets.append(("access key secret", extra.secretAccessKey.unsafeBytes))
        let rootCredentials = try String(contentsOf: fixture.opening.credentialsFile, encoding: .utf8)
        let rootSecret = try #require(
            rootCredentials.split(separator: "\n").first { $0.hasPrefix("aws_secret_access_key = ") }?
                .dropFirst("aws_secret_access_key = ".count))
        secrets.append(("root access key secret", Array(rootSecret.utf8)))
        secrets.append(("root key", Array(try Data(contentsOf: fixture.rootKeyURL))))

        // Read everything back through a second instance too, so the WAL holds reads' effects.
        let reopened = try fixture.reopen()
        _ = try reopened.listKeys(account: StoreFixture.account)

        let files = try fixture.databaseFileContents()
        #expect(files.contains { $0.name == "keyholder.sqlite" })
        #expect(files.contains { $0.name == "keyholder.sqlite-wal" })
        var searched = 0
        for file in files {
            for secret in secrets {
                searched += 1
                #expect(file.bytes.range(of: Data(secret.bytes)) == nil, "\(secret.what) found in \(file.name)")
            }
        }
        #expect(searched == files.count * secrets.count)
        // The search itself works: public keys are stored in the clear, and it finds each one.
        let publicKeys = try fixture.store.listKeys(account: StoreFixture.account).keys.compactMap(\.publicKeyDER)
        #expect(publicKeys.count == 10)
        for publicKey in publicKeys {
            #expect(files.contains { $0.bytes.range(of: Data(publicKey)) != nil })
        }
        #expect(secrets.count == 10 * 2 + 2 + 2 + 1)
    }

    @Test("a sealed blob with one byte flipped by raw SQL does not unseal, with a clear error")
    func tamperedMaterialFailsToUnseal() throws {
        let fixture = try StoreFixture()
        let symmetric = try fixture.createSymmetricKey()
        let signing = try fixture.store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP256, usage: .signVerify)
        let raw = try fixture.rawDatabase()
        for record in [symmetric, signing] {
            try raw.write { db in
                let sealed = try #require(
                    try Data.fetchOne(db, sql: "SELECT sealed FROM key_material WHERE key_id = ?", arguments: [record.id]))
                var bytes = [UInt8](sealed)
                bytes[bytes.count / 2] ^= 0x01
                try db.execute(
                    sql: "UPDATE key_material SET sealed = ? WHERE key_id = ?", arguments: [Data(bytes), record.id])
            }
        }
        let error = #expect(throws: SigilError(.authenticationFailure, "")) {
            try fixture.store.currentSymmetricKey(id: symmetric.id)
        }
        #expect(error?.message.contains(symmetric.arn) == true)
        #expect(error?.message.contains("altered") == true)
        #expect(throws: SigilError(.authenticationFailure, "")) { try fixture.store.privateKey(id: signing.id) }
        // The record itself still reads: only the material is refused.
        #expect(try fixture.store.key(id: symmetric.id)?.state == .enabled)
    }

    @Test("material swapped between two keys, or between two versions of one key, opens for neither")
    func swappedMaterialFailsForBoth() throws {
        let fixture = try StoreFixture()
        let first = try fixture.createSymmetricKey()
        let second = try fixture.createSymmetricKey()
        let signingA = try fixture.store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP256, usage: .signVerify)
        let signingB = try fixture.store.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .eccNistP256, usage: .signVerify)
        let rotated = try fixture.createSymmetricKey()
        try fixture.store.rotate(id: rotated.id)

        let raw = try fixture.rawDatabase()
        func swap(_ a: (String, Int), _ b: (String, Int)) throws {
            try raw.write { db in
                let select = "SELECT sealed FROM key_material WHERE key_id = ? AND version = ?"
                let blobA = try #require(try Data.fetchOne(db, sql: select, arguments: [a.0, a.1]))
                let blobB = try #require(try Data.fetchOne(db, sql: select, arguments: [b.0, b.1]))
                let update = "UPDATE key_material SET sealed = ? WHERE key_id = ? AND version = ?"
                try db.execute(sql: update, arguments: [blobB, a.0, a.1])
                try db.execute(sql: update, arguments: [blobA, b.0, b.1])
            }
        }
        try swap((first.id, 1), (second.id, 1))
        try swap((signingA.id, 1), (signingB.id, 1))
        try swap((rotated.id, 1), (rotated.id, 2))

        let failure = SigilError(.authenticationFailure, "")
        #expect(throws: failure) { try fixture.store.symmetricKey(id: first.id, version: 1) }
        #expect(throws: failure) { try fixture.store.symmetricKey(id: second.id, version: 1) }
        #expect(throws: failure) { try fixture.store.privateKey(id: signingA.id) }
        #expect(throws: failure) { try fixture.store.privateKey(id: signingB.id) }
        #expect(throws: failure) { try fixture.store.symmetricKey(id: rotated.id, version: 1) }
        #expect(throws: failure) { try fixture.store.symmetricKey(id: rotated.id, version: 2) }
    }

    @Test("a second instance sees an acknowledged write at once, in both directions, without any close")
    func acknowledgedWritesAreVisibleToAnotherInstance() throws {
        // A true kill -9 test needs a process to kill: it belongs to the server's tests.
        let fixture = try StoreFixture()
        let written = try fixture.createSymmetricKey()
        let second = try fixture.reopen()
        let seen = try #require(try second.key(id: written.id))
        try exercise(seen, in: second)
        #expect(try second.symmetricKey(id: written.id, version: 1) == fixture.store.symmetricKey(id: written.id, version: 1))

        let back = try second.createKey(
            account: StoreFixture.account, region: StoreFixture.region, spec: .rsa2048, usage: .encryptDecrypt)
        try exercise(try #require(try fixture.store.key(id: back.id)), in: fixture.store)
        #expect(try fixture.store.listKeys(account: StoreFixture.account).keys.map(\.id) == [written.id, back.id])
    }

    @Test("a resolved key reflects every write at once: state, alias moves and deletion; another instance's within a second")
    func resolutionFollowsWrites() throws {
        let fixture = try StoreFixture()
        let first = try fixture.createSymmetricKey()
        let second = try fixture.createSymmetricKey()
        let (account, region) = (StoreFixture.account, StoreFixture.region)
        _ = try fixture.store.createAlias("alias/moving", keyID: first.id)
        #expect(try fixture.store.resolveKey("alias/moving", account: account, region: region)?.id == first.id)
        #expect(try fixture.store.resolveKey(first.id, account: account, region: region)?.state == .enabled)

        _ = try fixture.store.setState(id: first.id, .disabled)
        #expect(try fixture.store.resolveKey(first.id, account: account, region: region)?.state == .disabled)
        _ = try fixture.store.updateAlias("alias/moving", account: account, region: region, keyID: second.id)
        #expect(try fixture.store.resolveKey("alias/moving", account: account, region: region)?.id == second.id)
        try fixture.store.deleteAlias("alias/moving", account: account, region: region)
        #expect(try fixture.store.resolveKey("alias/moving", account: account, region: region) == nil)

        // A second instance on the same database (a command beside the server) writes:
        // this instance sees it once its cached record has aged out.
        #expect(try fixture.store.resolveKey(second.id, account: account, region: region)?.state == .enabled)
        let other = try fixture.reopen()
        _ = try other.setState(id: second.id, .disabled)
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try fixture.store.resolveKey(second.id, account: account, region: region)?.state == .disabled)
    }

    @Test("many threads create and read keys at once")
    func concurrentUse() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let ids = Locked<[String]>([])
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 48) { index in
            do {
                let record = try store.createKey(
                    account: StoreFixture.account, region: StoreFixture.region, spec: .symmetricDefault,
                    usage: .encryptDecrypt, description: "key \(index)")
                _ = try store.currentSymmetricKey(id: record.id)
                _ = try store.listKeys(account: StoreFixture.account, limit: 10)
                if index % 3 == 0 { try store.rotate(id: record.id) }
                ids.withLock { $0.append(record.id) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let listed = try store.listKeys(account: StoreFixture.account, limit: 1000).keys.map(\.id)
        #expect(Set(listed) == Set(ids.withLock { $0 }))
        #expect(listed.count == 48)
    }
}

@Suite("The data directory")
struct DataDirectoryTests {
    @Test("an empty directory is initialised: root key 0600, database, and a root access key in credentials 0600")
    func initialisesAnEmptyDirectory() throws {
        let fixture = try StoreFixture()
        #expect(fixture.opening.initialized)
        #expect(fixture.opening.credentialsFile.path == fixture.directory.appendingPathComponent("credentials").path)
        #expect(try fixture.mode(of: fixture.rootKeyURL) == 0o600)
        #expect(try Data(contentsOf: fixture.rootKeyURL).count == 32)
        #expect(try fixture.mode(of: fixture.opening.credentialsFile) == 0o600)

        let text = try String(contentsOf: fixture.opening.credentialsFile, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first == "[default]")
        let id = try #require(lines.first { $0.hasPrefix("aws_access_key_id = ") }?.dropFirst(20))
        let secret = try #require(lines.first { $0.hasPrefix("aws_secret_access_key = ") }?.dropFirst(24))
        #expect(id.count == 20 && id.hasPrefix("AKIA"))
        #expect(secret.count == 40)

        let credential = try #require(try fixture.store.credential(accessKeyID: String(id)))
        #expect(credential.principal == "arn:aws:iam::111122223333:root")
        #expect(credential.account == StoreFixture.account)
        #expect(credential.isActive)
        #expect(credential.secretAccessKey.unsafeBytes == Array(secret.utf8))
        #expect(!"\(credential)".contains(String(secret)))

        // Opening again changes nothing.
        let before = try Data(contentsOf: fixture.opening.credentialsFile)
        let again = try KeyStore.open(directory: fixture.directory)
        #expect(!again.initialized)
        #expect(try Data(contentsOf: fixture.opening.credentialsFile) == before)
    }

    @Test("a root key readable by others (mode 0644) is refused with a clear error")
    func refusesLooseRootKeyPermissions() throws {
        let fixture = try StoreFixture()
        #expect(chmod(fixture.rootKeyURL.path, 0o644) == 0)
        let error = #expect(throws: KeyStoreError(.storageFailure, "")) { try fixture.reopen() }
        #expect(error?.message.contains("644") == true)
        #expect(error?.message.contains("chmod 600") == true)
        #expect(chmod(fixture.rootKeyURL.path, 0o640) == 0)
        #expect(throws: KeyStoreError(.storageFailure, "")) { try fixture.reopen() }
        #expect(chmod(fixture.rootKeyURL.path, 0o400) == 0)
        _ = try fixture.reopen()
    }

    @Test("a root key of the wrong size, or a missing one beside a database, is refused")
    func refusesWrongOrMissingRootKey() throws {
        let fixture = try StoreFixture()
        let original = try Data(contentsOf: fixture.rootKeyURL)
        try Data(original.prefix(31)).write(to: fixture.rootKeyURL)
        #expect(chmod(fixture.rootKeyURL.path, 0o600) == 0)
        let short = #expect(throws: KeyStoreError(.storageFailure, "")) { try fixture.reopen() }
        #expect(short?.message.contains("31 bytes") == true)

        try FileManager.default.removeItem(at: fixture.rootKeyURL)
        let missing = #expect(throws: KeyStoreError(.storageFailure, "")) { try fixture.reopen() }
        #expect(missing?.message.contains("root key") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.rootKeyURL.path), "no new root key may be made")
    }

    @Test("another root key (of the right size and mode) is refused at open; had it got in, every unseal would fail")
    func anotherRootKeyOpensNothing() throws {
        let fixture = try StoreFixture()
        let key = try fixture.createSymmetricKey()
        let id = try #require(
            try String(contentsOf: fixture.opening.credentialsFile, encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix("aws_access_key_id = ") }?.dropFirst(20))
        try Data(try SecureRandom.bytes(count: 32)).write(to: fixture.rootKeyURL)
        #expect(chmod(fixture.rootKeyURL.path, 0o600) == 0)
        // The store records which root key sealed it: another one is refused before use.
        #expect {
            _ = try fixture.reopen()
        } throws: { error in
            (error as? KeyStoreError)?.code == .storageFailure && "\(error)".contains("not the one the store was sealed with")
        }
        // With that record removed behind the store's back, the other key gets in, and
        // still opens nothing: every secret is sealed under the first.
        try fixture.rawDatabase().write { db in try db.execute(sql: "DELETE FROM store_identity") }
        let other = try fixture.reopen()
        #expect(throws: SigilError(.authenticationFailure, "")) { try other.currentSymmetricKey(id: key.id) }
        #expect(throws: SigilError(.authenticationFailure, "")) { try other.credential(accessKeyID: String(id)) }
    }
}

/// A value guarded by a lock, for collecting results from concurrent work.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
