import Foundation
import HummingbirdTesting
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilPolicy
import SigilTestSupport
import Testing

/// The global condition keys (`aws:SecureTransport`, `aws:SourceIp`, `aws:CurrentTime`,
/// `aws:EpochTime`, `aws:RequestedRegion`, `aws:userid`, `aws:Principal*`) are supplied
/// from every request, over plain HTTP and over HTTPS, so that a statement naming them
/// fires as written — in an Allow and in a Deny, with and without IfExists. A key the
/// key holder cannot supply is refused when the policy is set, naming it.
@Suite("Global condition keys, supplied from the request over HTTP and HTTPS")
struct GlobalConditionKeyTests {
    /// A condition and whether it holds for a request from 127.0.0.1 by the account root,
    /// in us-east-1, now (after 2020), over the given transport.
    struct Case: Sendable, CustomStringConvertible {
        let condition: String
        let holdsOverHTTP: Bool
        let holdsOverHTTPS: Bool

        init(_ condition: String, http: Bool, https: Bool? = nil) {
            self.condition = condition
            holdsOverHTTP = http
            holdsOverHTTPS = https ?? http
        }

        var description: String { condition }
    }

    static let cases: [Case] = [
        Case(#"{"Bool":{"aws:SecureTransport":"false"}}"#, http: true, https: false),
        Case(#"{"Bool":{"aws:SecureTransport":"true"}}"#, http: false, https: true),
        Case(#"{"BoolIfExists":{"aws:SecureTransport":"false"}}"#, http: true, https: false),
        Case(#"{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}"#, http: true),
        Case(#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#, http: false),
        Case(#"{"NotIpAddress":{"aws:SourceIp":"127.0.0.1/32"}}"#, http: false),
        Case(#"{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#, http: true),
        Case(#"{"IpAddressIfExists":{"aws:SourceIp":"127.0.0.1"}}"#, http: true),
        Case(#"{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, http: true),
        Case(#"{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, http: false),
        Case(#"{"DateGreaterThanIfExists":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}"#, http: true),
        Case(#"{"NumericGreaterThan":{"aws:EpochTime":"1577836800"}}"#, http: true),
        Case(#"{"NumericLessThanEquals":{"aws:EpochTime":"1577836800"}}"#, http: false),
        Case(#"{"NumericGreaterThanIfExists":{"aws:EpochTime":"1577836800"}}"#, http: true),
        Case(#"{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#, http: true),
        Case(#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#, http: false),
        Case(#"{"StringNotEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}"#, http: false),
        Case(#"{"StringEquals":{"aws:userid":"111122223333"}}"#, http: true),
        Case(#"{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:root"}}"#, http: true),
        Case(#"{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}"#, http: false),
        Case(#"{"StringEquals":{"aws:PrincipalType":"Account"}}"#, http: true),
    ]

    /// Allow: the root may do everything but Encrypt unconditionally, and Encrypt only
    /// under the condition. Deny: the root may do everything, and a Deny on Encrypt under
    /// the condition overrides it.
    static func policy(_ condition: String, deny: Bool) -> String {
        let root = #""Principal":{"AWS":"arn:aws:iam::111122223333:root"}"#
        return deny
            ? """
            {"Version":"2012-10-17","Statement":[
             {"Effect":"Allow",\(root),"Action":"kms:*","Resource":"*"},
             {"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":\(condition)}]}
            """
            : """
            {"Version":"2012-10-17","Statement":[
             {"Effect":"Allow",\(root),"NotAction":"kms:Encrypt","Resource":"*"},
             {"Effect":"Allow",\(root),"Action":"kms:Encrypt","Resource":"*","Condition":\(condition)}]}
            """
    }

    /// Runs every case as an Allow and as a Deny through `client`.
    static func runCases(_ client: KMSTestClient, secure: Bool) async throws -> Int {
        let key = try await client.createKey()
        var checked = 0
        for testCase in cases {
            let holds = secure ? testCase.holdsOverHTTPS : testCase.holdsOverHTTP
            for deny in [false, true] {
                _ = try await client.send(
                    KMS.PutKeyPolicyRequest(
                        keyId: key.keyId, policy: policy(testCase.condition, deny: deny), bypassPolicyLockoutSafetyCheck: true))
                let allowed = holds != deny
                do {
                    _ = try await client.encrypt(key.keyId, [1])
                    #expect(allowed, "\(deny ? "Deny" : "Allow") \(testCase) over \(secure ? "HTTPS" : "HTTP"): allowed")
                } catch let error as KMSError {
                    #expect(!allowed, "\(deny ? "Deny" : "Allow") \(testCase) over \(secure ? "HTTPS" : "HTTP"): \(error)")
                    #expect(error.type == "AccessDeniedException", "\(error)")
                }
                checked += 1
            }
        }
        return checked
    }

    @Test("every global key in an Allow and a Deny, over plain HTTP", arguments: StoreBackend.allCases)
    func overHTTP(backend: StoreBackend) async throws {
        try await withKeyHolder(backend, setup: .live) { client, _ in
            let checked = try await Self.runCases(client, secure: false)
            #expect(checked == Self.cases.count * 2)
        }
    }

    @Test("every global key in an Allow and a Deny, over HTTPS", arguments: StoreBackend.allCases)
    func overHTTPS(backend: StoreBackend) async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try await TestSupport.makeTestCertificates(in: folder)
        try await withKeyHolder(
            backend, configure: {
                $0.tls = (URL(fileURLWithPath: files.certificate), URL(fileURLWithPath: files.key))
            }, setup: .ahc(.https)
        ) { client, _ in
            let port = try #require(client.client.port)
            let secure = KMSTestClient(client: client.client, signer: client.signer, host: "localhost:\(port)")
            let checked = try await Self.runCases(secure, secure: true)
            #expect(checked == Self.cases.count * 2)
        }
    }

    @Test(
        "aws:SourceIp: X-Forwarded-For is read only from a trusted proxy, and only past trusted hops",
        arguments: StoreBackend.allCases)
    func trustedProxies(backend: StoreBackend) async throws {
        let denyDocumentationNet = Self.policy(#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, deny: true)
        for trusting in [false, true] {
            try await withKeyHolder(
                backend,
                configure: { if trusting { $0.trustedProxies = [IPNetwork("127.0.0.0/8")!, IPNetwork("10.0.0.0/8")!] } },
                setup: .live
            ) { client, _ in
                let key = try await client.createKey()
                _ = try await client.send(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: denyDocumentationNet))
                var forwarded = client
                // The client, then a trusted internal proxy, then the proxy that connects.
                forwarded.unsignedHeaders = ["X-Forwarded-For": "203.0.113.9, 10.1.2.3"]
                if trusting {
                    try await forwarded.expectFailure(
                        KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
                } else {
                    _ = try await forwarded.encrypt(key.keyId, [1])
                }
                // A hop that is not a trusted proxy ends the walk: 203.0.113.9 was only its claim.
                forwarded.unsignedHeaders = ["X-Forwarded-For": "203.0.113.9, 198.51.100.7"]
                _ = try await forwarded.encrypt(key.keyId, [1])
                forwarded.unsignedHeaders = ["X-Forwarded-For": "not-an-address"]
                _ = try await forwarded.encrypt(key.keyId, [1])
            }
        }
    }

    @Test("aws:userid tells a user from the root, stable for the user's access keys", arguments: StoreBackend.allCases)
    func userIDs(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let store = holder.store
            let encrypter = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#
            let alice = try AuthorizationTests.client(
                root, store, account: AuthorizationTests.accountA, user: "alice", identityPolicy: encrypter)
            let key = try await root.createKey()
            // Denies the users' unique ids (AIDA…), not the root's (its account id).
            let policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
                 {"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*"}}}]}
                """
            _ = try await root.send(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: policy))
            _ = try await root.encrypt(key.keyId, [1])
            try await alice.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
        }
    }

    @Test(
        "a stored policy that no longer parses lets the account repair it and do nothing else, its Denies never dropped",
        arguments: StoreBackend.allCases)
    func unreadableStoredPolicy(backend: StoreBackend) async throws {
        try await withKeyHolder(backend) { root, holder in
            let everything = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#
            let alice = try AuthorizationTests.client(
                root, holder.store, account: AuthorizationTests.accountA, user: "alice", identityPolicy: everything)
            let key = try await root.createKey()
            // As a policy written before a stricter parser: its Deny names a key no longer accepted.
            let stale = Self.policy(#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#, deny: true)
            _ = try holder.store.setPolicy(id: key.keyId, stale)
            try await root.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
            try await alice.expectFailure(KMS.EncryptRequest(keyId: key.keyId, plaintext: Base64Blob([1])), "AccessDeniedException")
            try await alice.expectFailure(KMS.DisableKeyRequest(keyId: key.keyId), "AccessDeniedException")
            #expect(try await root.send(KMS.GetKeyPolicyRequest(keyId: key.keyId)).policy == stale)
            _ = try await root.send(KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: Self.policy(#"{"Bool":{"aws:SecureTransport":"true"}}"#, deny: true)))
            _ = try await root.encrypt(key.keyId, [1])
        }
    }

    @Test(
        "a condition key the key holder cannot supply is refused when the policy is set, naming it",
        arguments: StoreBackend.allCases,
        ["aws:SourceVpc", "aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "kms:ViaService"])
    func unsuppliedKeysRefused(backend: StoreBackend, _ conditionKey: String) async throws {
        try await withKeyHolder(backend) { root, _ in
            let key = try await root.createKey()
            let original = try await root.send(KMS.GetKeyPolicyRequest(keyId: key.keyId)).policy
            let policy = Self.policy(#"{"StringEquals":{"\#(conditionKey)":"x"}}"#, deny: true)
            let error = try await root.expectFailure(
                KMS.PutKeyPolicyRequest(keyId: key.keyId, policy: policy), "MalformedPolicyDocumentException")
            #expect(error?.message.contains(conditionKey) == true, "\(error?.message ?? "")")
            #expect(try await root.send(KMS.GetKeyPolicyRequest(keyId: key.keyId)).policy == original)
        }
    }
}
