import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SigilKMS
@testable import SigilKeyHolder
import SigilKeyStore
import SigilCrypto
import SigilTestSupport
import Testing

/// Requests refused before authentication are audited without letting an anonymous
/// client grow the store at will; authenticated requests keep one event each.
@Suite("Unauthenticated traffic in the audit trail")
struct UnauthenticatedTrafficTests {
    /// Text an attacker puts in its Authorization headers; it must never come back.
    static let marker = "ECHOMARKER"

    /// The kinds of Authorization header an anonymous client sends, each malformed in a
    /// way SigV4 explains, each about `size` bytes and full of ``marker``.
    static func authorization(_ kind: Int, size: Int) -> String? {
        let filler = String(repeating: marker, count: size / marker.count)
        switch kind % 5 {
        case 0: return nil  // missing
        case 1: return "AWS4-HMAC-SHA256" + filler  // no parameters at all
        case 2: return "AWS4-HMAC-SHA256 \(filler)"  // a parameter that is not name=value
        case 3:
            return "AWS4-HMAC-SHA256 Credential=\(filler), SignedHeaders=host;x-amz-date;x-amz-target, "
                + "Signature=\(String(repeating: "a", count: 64))"
        default:
            return "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/kms/aws4_request, SignedHeaders=\(filler), "
                + "Signature=\(String(repeating: "b", count: 64))"
        }
    }

    /// The header fields and body of an unauthenticated request of about 7 KB.
    static func anonymousRequestParts(_ index: Int) -> (headers: [(name: String, value: String)], body: String) {
        var headers: [(name: String, value: String)] = [
            ("User-Agent", "flood/\(index) " + String(repeating: "u", count: 3000)),
            ("Content-Type", KMSOperation.contentType),
            ("X-Amz-Target",
             index % 7 == 6 ? "TrentService.NoSuchOperation" + String(repeating: "x", count: 500) : KMSOperation.sign.target),
            ("X-Amz-Date", "20260101T000000Z"),
        ]
        if let value = authorization(index, size: 3500) { headers.append(("Authorization", value)) }
        return (headers, "{\"KeyId\":\"alias/anything\",\"Message\":\"\(String(repeating: "A", count: 600))\"}")
    }

    /// An unauthenticated request of about 7 KB, through the test client.
    static func anonymousRequest(_ index: Int, client: KMSTestClient) async throws -> TestResponse {
        let (headers, body) = anonymousRequestParts(index)
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await client.client.execute(uri: "/", method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    /// Sends unauthenticated requests `indices` over one connection to `port` (a new one
    /// only when the server closes it), on a thread of the test's own: the flood must not
    /// wait on, or be timed out by, the test process's busy cooperative pool. A response
    /// may take up to a minute on a loaded machine.
    ///
    /// - Returns: The count of each status code, and how many responses held ``marker``.
    static func flood(port: Int, indices: Range<Int>) async throws -> (statuses: [Int: Int], echoes: Int) {
        try await TestSupport.onOwnThread {
            var statuses: [Int: Int] = [:]
            var echoes = 0
            var connection = try RawConnection(port: port)
            for index in indices {
                let (headers, body) = anonymousRequestParts(index)
                guard connection.send(RawConnection.post(headers: headers, body: body)) else {
                    throw TestFailure("request \(index): the server stopped reading")
                }
                let response = connection.receiveResponse(timeout: .seconds(60))
                guard RawConnection.isCompleteResponse(response.text), let status = RawConnection.status(of: response.text) else {
                    throw TestFailure("request \(index): no whole response within a minute: \(response.text.prefix(200))")
                }
                statuses[status, default: 0] += 1
                if response.text.contains(marker) { echoes += 1 }
                if response.closed || response.text.lowercased().contains("\r\nconnection: close") {
                    connection = try RawConnection(port: port)
                }
            }
            return (statuses, echoes)
        }
    }

    static func storeBytes(_ directory: URL) throws -> Int {
        try ["keyholder.sqlite", "keyholder.sqlite-wal"].reduce(0) { total, name in
            let path = directory.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { return total }
            return total + ((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
    }

    // SQLite only: it measures the store's growth by the size of the SQLite files.
    @Test("3,000 unauthenticated 7 KB requests over one connection grow the store by under 2 MB; then it serves")
    func floodIsBounded() async throws {
        try await withKeyHolder(configure: { $0.quotas = .unlimited }, setup: .live) { kms, holder in
            let store = holder.store
            let key = try await kms.createKey()
            try store.flushAudit()
            let before = try Self.storeBytes(store.directory)
            let started = Date()
            let port = try #require(kms.client.port, "a live key holder has a port")
            let (statuses, echoes) = try await Self.flood(port: port, indices: 0..<3000)
            #expect(statuses.keys.allSatisfy { (400..<500).contains($0) }, "\(statuses)")
            #expect(echoes == 0, "the Authorization header came back in \(echoes) responses")

            // The service works normally.
            let plaintext = Array("still served".utf8)
            #expect(try await kms.decrypt(try await kms.encrypt(key.keyId, plaintext)) == plaintext)
            try store.flushAudit()
            let grown = try Self.storeBytes(store.directory) - before
            print("unauthenticated flood: 3000 requests, store grew by \(grown) bytes, statuses \(statuses)")
            #expect(grown < 2 * 1024 * 1024)
            #expect(try store.verifyAuditLog().isIntact)

            let events = try store.auditEvents(after: 0, limit: 10_000).map(\.event)
            let anonymous = events.filter { $0.principalARN == nil }
            // Bounded by the windows the flood spanned, not by its 3,000 requests: per window,
            // the first few individually and one summary (a slow, loaded run spans several).
            #expect(anonymous.count <= Self.anonymousEventBound(since: started))
            #expect(anonymous.count > 0)
            for event in anonymous {
                #expect((event.userAgent?.utf8.count ?? 0) <= KMSEndpoint.maximumAnonymousField)
                #expect((event.errorMessage?.utf8.count ?? 0) <= KMSEndpoint.maximumAnonymousField)
                #expect(!(event.errorMessage ?? "").contains(Self.marker))
            }
            #expect(events.filter { $0.principalARN != nil }.map(\.operation) == ["CreateKey", "Encrypt", "Decrypt"])
        }
    }

    @Test("no refusal quotes the Authorization header, to the client or the log", arguments: StoreBackend.allCases, 1...4)
    func authorizationIsNeverEchoed(backend: StoreBackend, kind: Int) async throws {
        try await withKeyHolder(backend) { kms, holder in
            let response = try await Self.anonymousRequest(kind, client: kms)
            let error = KMSTestClient.error(of: response)
            #expect(["IncompleteSignatureException", "InvalidSignatureException"].contains(error.type), "\(error)")
            #expect(!error.message.contains(Self.marker), "\(error.message.prefix(200))")
            try holder.store.flushAudit()
            let event = try #require(try holder.store.auditEvents().last?.event)
            #expect(event.errorCode == error.type)
            #expect(!(event.errorMessage ?? "").contains(Self.marker))
        }
    }

    @Test(
        "authenticated requests keep one event each, however many refusals surround them",
        arguments: StoreBackend.allCases)
    func authenticatedRequestsKeepTheirEvents(backend: StoreBackend) async throws {
        try await withKeyHolder(backend, configure: { $0.quotas = .unlimited }) { kms, holder in
            let key = try await kms.createKey()
            var ids: [String] = []
            let started = Date()
            for index in 0..<40 {
                _ = try await Self.anonymousRequest(index, client: kms)
                _ = try await kms.raw(target: KMSOperation.listKeys.target, body: Data("{}".utf8), signing: .wrongSignature)
                let described = try await kms.raw(
                    target: KMSOperation.describeKey.target, body: try KMSJSON.encode(KMS.DescribeKeyRequest(keyId: key.keyId)))
                #expect(described.status == .ok)
                ids.append(try #require(described.headers[HTTPField.Name("x-amzn-RequestId")!]))
            }
            try holder.store.flushAudit()
            let events = try holder.store.auditEvents(after: 0, limit: 10_000).map(\.event)
            let authenticated = events.filter { $0.principalARN != nil && $0.operation == "DescribeKey" }
            #expect(authenticated.map(\.requestID) == ids)
            let anonymous = events.filter { $0.principalARN == nil }.count
            #expect(anonymous >= RefusalSummaries.Limits().perSource)
            #expect(anonymous <= Self.anonymousEventBound(since: started))
        }
    }

    /// The most events anonymous refusals from one source may leave since `start`: per
    /// window they touched, the individually recorded ones and one summary.
    static func anonymousEventBound(since start: Date) -> Int {
        let limits = RefusalSummaries.Limits()
        let windows = Int(Date().timeIntervalSince(start) / limits.interval) + 2
        return windows * (limits.perSource + 1)
    }

    @Test("refusals past the limit are counted, and the summary event carries the count", arguments: StoreBackend.allCases)
    func summaryCarriesTheCount(backend: StoreBackend) async throws {
        let interval = RefusalSummaries.Limits().interval
        let windowStart = (Date().timeIntervalSince1970 / interval).rounded(.down) * interval
        let clock = Locked(Date(timeIntervalSince1970: windowStart + 1))
        try await withKeyHolder(backend, configure: { $0.now = { clock.withLock { $0 } } }) { client, holder in
            var kms = client
            kms.signingTime = { clock.withLock { $0 } }
            let perSource = RefusalSummaries.Limits().perSource
            let refused = perSource + 17
            for _ in 0..<refused {
                let response = try await kms.raw(target: KMSOperation.listKeys.target, body: Data("{}".utf8), signing: .unsigned)
                #expect(KMSTestClient.error(of: response).type == "MissingAuthenticationTokenException")
            }
            try holder.store.flushAudit()
            #expect(try holder.store.auditEvents().count == perSource)

            // The window ends; the next request, whoever sends it, writes its summary.
            clock.withLock { $0 = $0.addingTimeInterval(interval) }
            _ = try await kms.send(KMS.ListKeysRequest())
            try holder.store.flushAudit()
            let events = try holder.store.auditEvents().map(\.event)
            let summaries = events.filter { $0.operation == RefusalSummaries.Summary.operation }
            #expect(summaries.count == 1)
            let summary = try #require(summaries.first)
            #expect(summary.outcome == .denied && summary.principalARN == nil)
            #expect(summary.errorMessage?.hasPrefix("17 more requests") == true, "\(summary.errorMessage ?? "")")
            #expect(events.map(\.operation) == Array(repeating: "ListKeys", count: perSource) + [RefusalSummaries.Summary.operation, "ListKeys"])
            #expect(try holder.store.verifyAuditLog().isIntact)
        }
    }
}
