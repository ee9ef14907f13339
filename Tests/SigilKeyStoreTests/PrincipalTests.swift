import Foundation
import GRDB
import SigilCrypto
@testable import SigilKeyStore
import SigilTestSupport
import Testing

/// Principals: account roots, users and roles, their access keys and identity policies.
@Suite("Principals")
struct PrincipalTests {
    static let account = StoreFixture.account
    static let otherAccount = StoreFixture.otherAccount
    static let rootARN = "arn:aws:iam::111122223333:root"
    static let policy = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}
        """

    @Test("users and roles in two accounts get the right ARNs and kinds; a new account gets its root", arguments: StoreBackend.allCases)
    func addsUsersAndRolesInTwoAccounts(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let alice = try store.addPrincipal(account: Self.account, kind: .user, name: "alice")
        let deployer = try store.addPrincipal(account: Self.account, kind: .role, name: "deployer")
        let bob = try store.addPrincipal(
            account: Self.otherAccount, kind: .user, name: "bob+ops=1,a.b@c_d-e", identityPolicy: Self.policy)

        #expect(alice.arn == "arn:aws:iam::111122223333:user/alice")
        #expect(alice.kind == .user && alice.name == "alice" && alice.account == Self.account)
        #expect(alice.identityPolicy == nil && alice.accessKeys.isEmpty)
        #expect(deployer.arn == "arn:aws:iam::111122223333:role/deployer" && deployer.kind == .role)
        #expect(bob.arn == "arn:aws:iam::444455556666:user/bob+ops=1,a.b@c_d-e" && bob.kind == .user)
        #expect(bob.identityPolicy == Self.policy, "stored exactly as given")

        #expect(try store.knownAccounts() == [Self.account, Self.otherAccount])
        let other = try store.principals(account: Self.otherAccount)
        #expect(other.map(\.arn) == ["arn:aws:iam::444455556666:root", bob.arn], "the account's root first")
        #expect(other.first?.kind == .root && other.first?.accessKeys.isEmpty == true, "an implicit root has no key")
        let own = try store.principals(account: Self.account)
        #expect(own.map(\.arn) == [Self.rootARN, alice.arn, deployer.arn])
        #expect(try store.principals().count == 5)
        #expect(try store.principal(arn: deployer.arn) == deployer)
        #expect(try store.principal(arn: "arn:aws:iam::111122223333:user/nobody") == nil)
        #expect(try store.principal(arn: "not an arn") == nil)
        #expect(try store.principals(account: "999999999999").isEmpty)

        // A 64-character name is the longest.
        let longest = String(repeating: "n", count: 64)
        #expect(try store.addPrincipal(account: Self.account, kind: .user, name: longest).name == longest)
    }

    @Test(
        "bad names are refused and nothing is stored",
        arguments: ["", String(repeating: "n", count: 65), "a b", "a/b", "a:b", "a*", "ä", "a\n", "root\u{0}"])
    func refusesBadNames(name: String) throws {
        let store = try StoreFixture().store
        let before = try store.principals()
        for kind in [PrincipalKind.user, .role] {
            #expect(throws: KeyStoreError(.invalidArgument, "")) {
                try store.addPrincipal(account: Self.otherAccount, kind: kind, name: name)
            }
            #expect(throws: KeyStoreError(.invalidArgument, "")) {
                try store.addPrincipalWithAccessKey(account: Self.otherAccount, kind: kind, name: name)
            }
        }
        #expect(try store.principals() == before)
        #expect(try store.knownAccounts() == [Self.account], "not even the other account's root was added")
    }

    @Test("bad accounts, a root with a name or a policy, and oversized or non-object policies are refused", arguments: StoreBackend.allCases)
    func refusesBadAccountsAndPolicies(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let before = try store.principals()
        for account in ["", "12345678901", "1234567890123", "12345678901a", "-11122223333", "１１１１２２２２３３３３"] {
            let error = #expect(throws: KeyStoreError(.invalidArgument, "")) {
                try store.addPrincipal(account: account, kind: .user, name: "alice")
            }
            #expect(error?.message.contains("12 digits") == true)
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.addPrincipal(account: Self.otherAccount, kind: .root, name: "alice")
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) {
            try store.addPrincipal(account: Self.otherAccount, kind: .root, name: "root", identityPolicy: Self.policy)
        }
        for policy in ["[]", "\"text\"", "{", "", String(repeating: " ", count: 32_768) + "{}"] {
            #expect(throws: KeyStoreError(.invalidArgument, "")) {
                try store.addPrincipal(account: Self.otherAccount, kind: .user, name: "alice", identityPolicy: policy)
            }
        }
        #expect(try store.principals() == before)
        // A root alone makes an account.
        let root = try store.addPrincipal(account: Self.otherAccount, kind: .root, name: "root")
        #expect(root.arn == "arn:aws:iam::444455556666:root" && root.kind == .root)
        #expect(try store.knownAccounts() == [Self.account, Self.otherAccount])
    }

    @Test("a principal that exists is refused, and no access key is made for it", arguments: StoreBackend.allCases)
    func refusesDuplicates(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let made = try store.addPrincipalWithAccessKey(account: Self.account, kind: .role, name: "ci")
        #expect(made.principal.accessKeys.map(\.id) == [made.accessKeyID])
        #expect(throws: KeyStoreError(.alreadyExists, "")) {
            try store.addPrincipal(account: Self.account, kind: .role, name: "ci")
        }
        #expect(throws: KeyStoreError(.alreadyExists, "")) {
            try store.addPrincipalWithAccessKey(account: Self.account, kind: .role, name: "ci")
        }
        #expect(throws: KeyStoreError(.alreadyExists, "")) {
            try store.addPrincipal(account: Self.account, kind: .root, name: "root")
        }
        #expect(try store.principal(arn: made.principal.arn)?.accessKeys.count == 1)
        // The same name as a user is another principal.
        #expect(try store.addPrincipal(account: Self.account, kind: .user, name: "ci").arn == "arn:aws:iam::111122223333:user/ci")
    }

    @Test("credential(accessKeyID:) gives the principal's ARN, account, kind and identity policy", arguments: StoreBackend.allCases)
    func credentialCarriesThePrincipal(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let user = try store.addPrincipalWithAccessKey(
            account: Self.otherAccount, kind: .user, name: "alice", identityPolicy: Self.policy)
        let credential = try #require(try store.credential(accessKeyID: user.accessKeyID))
        #expect(credential.principal == "arn:aws:iam::444455556666:user/alice")
        #expect(credential.account == Self.otherAccount)
        #expect(credential.principalKind == .user)
        #expect(credential.identityPolicy == Self.policy)
        #expect(credential.secretAccessKey == user.secretAccessKey && credential.isActive)

        let role = try store.addPrincipalWithAccessKey(account: Self.account, kind: .role, name: "signer")
        let roleCredential = try #require(try store.credential(accessKeyID: role.accessKeyID))
        #expect(roleCredential.principalKind == .role && roleCredential.identityPolicy == nil)
        #expect(roleCredential.principal == "arn:aws:iam::111122223333:role/signer")

        let rootID = try rootAccessKeyID(fixture)
        let root = try #require(try store.credential(accessKeyID: rootID))
        #expect(root.principal == Self.rootARN && root.principalKind == .root && root.identityPolicy == nil)

        // The policy follows changes.
        try store.setIdentityPolicy(arn: role.principal.arn, Self.policy)
        #expect(try store.credential(accessKeyID: role.accessKeyID)?.identityPolicy == Self.policy)
        try store.setIdentityPolicy(arn: user.principal.arn, nil)
        #expect(try store.credential(accessKeyID: user.accessKeyID)?.identityPolicy == nil)
        #expect(try store.principal(arn: user.principal.arn)?.identityPolicy == nil)
        #expect(throws: KeyStoreError(.notFound, "")) {
            try store.setIdentityPolicy(arn: "arn:aws:iam::111122223333:user/nobody", Self.policy)
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setIdentityPolicy(arn: Self.rootARN, Self.policy) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.setIdentityPolicy(arn: role.principal.arn, "[1]") }
        #expect(try store.principal(arn: role.principal.arn)?.identityPolicy == Self.policy, "a refused change changes nothing")
    }

    @Test("rotating a key makes a new one and deactivates every older one", arguments: StoreBackend.allCases)
    func rotationDeactivatesOldKeys(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let made = try store.addPrincipalWithAccessKey(account: Self.account, kind: .user, name: "alice")
        let arn = made.principal.arn
        let second = try store.createAccessKey(principalARN: arn)
        #expect(try store.principal(arn: arn)?.accessKeys.map(\.isActive) == [true, true])

        let rotated = try store.rotateAccessKey(principalARN: arn)
        let keys = try #require(try store.principal(arn: arn)?.accessKeys)
        #expect(keys.map(\.id) == [made.accessKeyID, second.accessKeyID, rotated.accessKeyID], "oldest first")
        #expect(keys.map(\.isActive) == [false, false, true])
        #expect(try store.credential(accessKeyID: made.accessKeyID)?.isActive == false)
        #expect(try store.credential(accessKeyID: second.accessKeyID)?.isActive == false)
        let fresh = try #require(try store.credential(accessKeyID: rotated.accessKeyID))
        #expect(fresh.isActive && fresh.secretAccessKey == rotated.secretAccessKey && fresh.principal == arn)
        #expect(rotated.secretAccessKey != made.secretAccessKey)

        #expect(throws: KeyStoreError(.notFound, "")) {
            try store.rotateAccessKey(principalARN: "arn:aws:iam::111122223333:user/nobody")
        }
        #expect(throws: KeyStoreError(.notFound, "")) {
            try store.createAccessKey(principalARN: "arn:aws:iam::111122223333:role/alice")
        }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.rotateAccessKey(principalARN: "alice") }
        #expect(try store.principal(arn: arn)?.accessKeys.count == 3, "refusals made no key")
    }

    @Test("removing a principal removes its access keys: they no longer authenticate", arguments: StoreBackend.allCases)
    func removeRevokesKeys(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let made = try store.addPrincipalWithAccessKey(account: Self.otherAccount, kind: .role, name: "ci")
        let extra = try store.createAccessKey(principalARN: made.principal.arn)
        let removed = try store.removePrincipal(arn: made.principal.arn)
        #expect(Set(removed) == [made.accessKeyID, extra.accessKeyID])
        #expect(try store.credential(accessKeyID: made.accessKeyID) == nil)
        #expect(try store.credential(accessKeyID: extra.accessKeyID) == nil)
        #expect(try store.principal(arn: made.principal.arn) == nil)
        #expect(throws: KeyStoreError(.notFound, "")) { try store.removePrincipal(arn: made.principal.arn) }
        #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.removePrincipal(arn: "arn:aws:iam::1:root") }
        // The name is free again, with a new key.
        let again = try store.addPrincipalWithAccessKey(account: Self.otherAccount, kind: .role, name: "ci")
        #expect(again.accessKeyID != made.accessKeyID)
    }

    @Test("the key holder's own root cannot be removed; another account's root once its users are gone", arguments: StoreBackend.allCases)
    func ownRootCannotBeRemoved(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        #expect(try store.ownAccount() == Self.account)
        let error = #expect(throws: KeyStoreError(.invalidState, "")) { try store.removePrincipal(arn: Self.rootARN) }
        #expect(error?.message.contains("own account") == true)
        let rootID = try rootAccessKeyID(fixture)
        #expect(try store.credential(accessKeyID: rootID)?.isActive == true, "its key still works")
        #expect(try store.principal(arn: Self.rootARN) != nil)

        let bob = try store.addPrincipal(account: Self.otherAccount, kind: .user, name: "bob")
        let otherRoot = "arn:aws:iam::444455556666:root"
        let key = try store.createAccessKey(principalARN: otherRoot)
        let busy = #expect(throws: KeyStoreError(.invalidState, "")) { try store.removePrincipal(arn: otherRoot) }
        #expect(busy?.message.contains("user") == true)
        try store.removePrincipal(arn: bob.arn)
        #expect(try store.removePrincipal(arn: otherRoot) == [key.accessKeyID])
        #expect(try store.knownAccounts() == [Self.account])
        #expect(try store.credential(accessKeyID: key.accessKeyID) == nil)
        // Even after rotating the own root's key, its account stays the store's own.
        _ = try store.rotateAccessKey(principalARN: Self.rootARN)
        #expect(try fixture.reopen().ownAccount() == Self.account)
        #expect(throws: KeyStoreError(.invalidState, "")) { try store.removePrincipal(arn: Self.rootARN) }
    }

    @Test("a freshly opened store has its root principal, with the access key of its credentials file", arguments: StoreBackend.allCases)
    func freshStoreHasItsRootPrincipal(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let root = try #require(try fixture.store.principal(arn: Self.rootARN))
        #expect(root.kind == .root && root.name == "root" && root.account == Self.account && root.identityPolicy == nil)
        #expect(root.accessKeys.map(\.id) == [try rootAccessKeyID(fixture)])
        #expect(root.accessKeys.first?.isActive == true)

        let elsewhere = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        let other = try KeyStore.open(directory: elsewhere, account: Self.otherAccount).store
        #expect(try other.ownAccount() == Self.otherAccount)
        #expect(try other.principals().map(\.arn) == ["arn:aws:iam::444455556666:root"])
        // Reopening with another default account adds no principal.
        #expect(try KeyStore.open(directory: elsewhere).store.knownAccounts() == [Self.otherAccount])
    }

    @Test("a directory made before principals gets a principal for each access key's ARN, and roots")
    func migratesADirectoryFromBeforePrincipals() throws {
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("data")
        let files = DataDirectory(url: directory)
        try files.ensureExists()
        let sealer = Sealer(rootKey: try files.createRootKey())
        // The schema as it was before "v2: principals", with the access keys the old code made.
        let legacy: [(id: String, principal: String, account: String, secret: String)] = [
            ("AKIAOLDROOT000000000", Self.rootARN, Self.account, String(repeating: "r", count: 40)),
            ("AKIAOLDUSER000000000", "arn:aws:iam::111122223333:user/legacy", Self.account, String(repeating: "u", count: 40)),
            ("AKIAOTHER00000000000", "arn:aws:iam::444455556666:role/ci", Self.otherAccount, String(repeating: "o", count: 40)),
        ]
        do {
            let pool = try DatabasePool(path: files.databaseURL.path)
            try Schema.migrator.migrate(pool, upTo: "v1: keys, material, tags, aliases, access keys")
            try pool.write { db in
                #expect(try db.tableExists("principals") == false)
                for (offset, key) in legacy.enumerated() {
                    let sealed = try sealer.seal(SecureBytes(Array(key.secret.utf8)), aad: Sealer.credentialAAD(accessKeyID: key.id))
                    try db.execute(
                        sql: "INSERT INTO access_keys (id, sealed_secret, principal, account, active, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                        arguments: [key.id, Data(sealed), key.principal, key.account, 1_700_000_000 + Double(offset)])
                }
            }
            try pool.close()
        }

        let opening = try KeyStore.open(directory: directory)
        #expect(!opening.initialized, "the root already had its key")
        let store = opening.store
        #expect(try store.ownAccount() == Self.account)
        let principals = try store.principals()
        #expect(
            principals.map(\.arn) == [
                Self.rootARN, "arn:aws:iam::111122223333:user/legacy", "arn:aws:iam::444455556666:root",
                "arn:aws:iam::444455556666:role/ci",
            ])
        #expect(principals.map(\.kind) == [.root, .user, .root, .role])
        #expect(principals.map(\.name) == ["root", "legacy", "root", "ci"])
        #expect(principals.map { $0.accessKeys.map(\.id) } == [[legacy[0].id], [legacy[1].id], [], [legacy[2].id]])
        for key in legacy {
            let credential = try #require(try store.credential(accessKeyID: key.id))
            #expect(credential.principal == key.principal && credential.isActive)
            #expect(credential.secretAccessKey.unsafeBytes == Array(key.secret.utf8))
        }
        #expect(try store.credential(accessKeyID: legacy[2].id)?.principalKind == .role)
        #expect(throws: KeyStoreError(.invalidState, "")) { try store.removePrincipal(arn: Self.rootARN) }
        // The foreign key now holds: no access key for a principal that does not exist.
        #expect(throws: (any Error).self) {
            try store.database.write { db in
                try db.execute(
                    sql: "INSERT INTO access_keys (id, sealed_secret, principal, account, active, created_at) VALUES (?, ?, ?, ?, 1, 0)",
                    arguments: ["AKIANOPRINCIPAL00000", Data([1]), "arn:aws:iam::111122223333:user/ghost", Self.account])
            }
        }
    }

    @Test("the old createAccessKey(principal:account:) adds the principal it names", arguments: StoreBackend.allCases)
    func oldCreateAccessKeyAddsThePrincipal(backend: StoreBackend) async throws {
        guard let fixture = try await StoreFixture(backend) else { return }
        let store = fixture.store
        let made = try store.createAccessKey(principal: "arn:aws:iam::444455556666:role/legacy", account: Self.otherAccount)
        let role = try #require(try store.principal(arn: "arn:aws:iam::444455556666:role/legacy"))
        #expect(role.kind == .role && role.accessKeys.map(\.id) == [made.accessKeyID])
        #expect(try store.principal(arn: "arn:aws:iam::444455556666:root") != nil)
        _ = try store.createAccessKey(principal: "arn:aws:iam::444455556666:role/legacy", account: Self.otherAccount)
        #expect(try store.principal(arn: role.arn)?.accessKeys.count == 2)
        for bad in ["arn:aws:iam::444455556666:assumed-role/x/y", "arn:aws:iam::444455556666:user/", "arn:aws:iam::111122223333:root"] {
            #expect(throws: KeyStoreError(.invalidArgument, "")) { try store.createAccessKey(principal: bad, account: Self.otherAccount) }
        }
    }

    @Test("no access key secret reaches the database files")
    func noSecretInTheDatabaseFiles() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        var secrets: [(String, [UInt8])] = [("root", Array(try rootSecret(fixture).utf8))]
        let user = try store.addPrincipalWithAccessKey(account: Self.account, kind: .user, name: "alice", identityPolicy: Self.policy)
        secrets.append(("user", user.secretAccessKey.unsafeBytes))
        let role = try store.addPrincipalWithAccessKey(account: Self.otherAccount, kind: .role, name: "ci")
        secrets.append(("role", role.secretAccessKey.unsafeBytes))
        secrets.append(("rotated", try store.rotateAccessKey(principalARN: role.principal.arn).secretAccessKey.unsafeBytes))
        secrets.append(("second", try store.createAccessKey(principalARN: user.principal.arn).secretAccessKey.unsafeBytes))
        _ = try fixture.reopen().principals()

        let files = try fixture.databaseFileContents()
        #expect(!files.isEmpty)
        var searched = 0
        for (name, bytes) in files {
            for (label, secret) in secrets {
                #expect(secret.count == 40)
                #expect(bytes.range(of: Data(secret)) == nil, "the \(label) secret is in \(name)")
                // Half of it, in case it were stored split or re-encoded around the middle.
                #expect(bytes.range(of: Data(secret.prefix(20))) == nil, "half the \(label) secret is in \(name)")
                searched += 1
            }
        }
        // The ids are stored in the clear: the search itself works.
        #expect(files.contains { $0.bytes.range(of: Data(user.accessKeyID.utf8)) != nil })
        #expect(searched == files.count * secrets.count)
    }

    // MARK: - Helpers

    func rootAccessKeyID(_ fixture: StoreFixture) throws -> String {
        let text = try String(contentsOf: fixture.opening.credentialsFile, encoding: .utf8)
        return try #require(text.split(separator: "\n").first { $0.hasPrefix("aws_access_key_id = ") }.map { String($0.dropFirst(20)) })
    }

    func rootSecret(_ fixture: StoreFixture) throws -> String {
        let text = try String(contentsOf: fixture.opening.credentialsFile, encoding: .utf8)
        return try #require(
            text.split(separator: "\n").first { $0.hasPrefix("aws_secret_access_key = ") }.map { String($0.dropFirst(24)) })
    }
}
