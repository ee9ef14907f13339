import Foundation
import HTTPTypes
import HummingbirdTesting
import SigilCrypto
import SigilKMS
import SigilKeyHolder
@testable import SigilKeyStore
import SigilTestSupport
import Synchronization
import Testing

/// The audit log fails closed: a request whose event cannot be made durable fails with
/// KMSInternalException and releases nothing.
@Suite("The audit log fails closed")
struct AuditFailClosedTests {
    /// The operations that release something a caller wants.
    enum Releasing: String, CaseIterable, Sendable {
        case sign = "Sign"
        case decrypt = "Decrypt"
        case generateDataKey = "GenerateDataKey"
        case encrypt = "Encrypt"
    }

    /// The keys and ciphertext a request of each kind needs, made while the log works.
    struct Material {
        let symmetric: String
        let signing: String
        let ciphertext: [UInt8]

        static let plaintext = Array("the plaintext a broken log must not release".utf8)

        init(_ kms: KMSTestClient) async throws {
            symmetric = try await kms.createKey().keyId
            signing = try await kms.createKey(.eccNistP256, usage: .signVerify).keyId
            ciphertext = try await kms.encrypt(symmetric, Self.plaintext)
        }

        /// Sends one request of `kind`.
        func send(_ kind: Releasing, with kms: KMSTestClient) async throws -> TestResponse {
            switch kind {
            case .sign:
                return try await Self.send(
                    KMS.SignRequest(keyId: signing, message: Base64Blob(Self.plaintext), signingAlgorithm: .ecdsaSha256),
                    with: kms)
            case .decrypt:
                return try await Self.send(KMS.DecryptRequest(ciphertextBlob: Base64Blob(ciphertext)), with: kms)
            case .generateDataKey:
                return try await Self.send(KMS.GenerateDataKeyRequest(keyId: symmetric, keySpec: .aes256), with: kms)
            case .encrypt:
                return try await Self.send(
                    KMS.EncryptRequest(keyId: symmetric, plaintext: Base64Blob(Self.plaintext)), with: kms)
            }
        }

        static func send<Request: KMSRequest>(_ request: Request, with kms: KMSTestClient) async throws -> TestResponse {
            try await kms.raw(target: Request.operation.target, body: try KMSJSON.encode(request))
        }
    }

    static func requestID(of response: TestResponse) throws -> String {
        try #require(response.headers[HTTPField.Name("x-amzn-RequestId")!])
    }

    @Test(
        "a writer whose commit throws fails the request with KMSInternalException, nothing released",
        arguments: StoreBackend.allCases, Releasing.allCases)
    func injectedWriterFailure(backend: StoreBackend, kind: Releasing) async throws {
        try await withKeyHolder(backend) { kms, holder in
            let store = holder.store
            let material = try await Material(kms)
            try store.flushAudit()
            let eventsBefore = try store.auditEvents().count
            let attempts = Atomic<Int>(0)
            store.auditWriter.injectFault { _ in
                attempts.add(1, ordering: .relaxed)
                throw KeyStoreError(.storageFailure, "No space left on device (injected)")
            }

            let refused = try await material.send(kind, with: kms)
            store.auditWriter.injectFault(nil)
            #expect(attempts.load(ordering: .relaxed) >= 1, "the request never waited for the log")
            #expect(refused.status.code == 500)
            let body = Data(buffer: refused.body)
            let fields = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            // Only the error's two fields: no Signature, Plaintext, CiphertextBlob or KeyId.
            #expect(Set(fields.keys) == ["__type", "message"])
            #expect(fields["__type"] as? String == "KMSInternalException")
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains(Data(Material.plaintext).base64EncodedString()))
            #expect(!text.contains("No space left"), "the failure's internals reach the client")
            // The request is not in the log: it released nothing, so nothing happened.
            try store.flushAudit()
            let refusedID = try Self.requestID(of: refused)
            #expect(try store.auditEvents().count == eventsBefore)
            #expect(try !store.auditEvents().contains { $0.event.requestID == refusedID })

            // Once the log works again, so does the request, with its event.
            let served = try await material.send(kind, with: kms)
            #expect(served.status == .ok)
            let servedID = try Self.requestID(of: served)
            #expect(try store.auditEvents().filter { $0.event.requestID == servedID }.map(\.event.operation) == [kind.rawValue])
            #expect(try store.verifyAuditLog().isIntact)
        }
    }

    @Test(
        "a released result's event is already durable when the response arrives",
        arguments: StoreBackend.allCases, Releasing.allCases)
    func resultWaitsForItsEvent(backend: StoreBackend, kind: Releasing) async throws {
        try await withKeyHolder(backend) { kms, holder in
            let material = try await Material(kms)
            for _ in 0..<10 {
                let served = try await material.send(kind, with: kms)
                #expect(served.status == .ok)
                let id = try Self.requestID(of: served)
                // No flush: what the response vouches for is committed already.
                #expect(try holder.store.auditEvents(after: 0, limit: 10_000).contains { $0.event.requestID == id })
            }
        }
    }
}
