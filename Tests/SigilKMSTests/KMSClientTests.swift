import Foundation
import SigilCrypto
import SigilKMS
import Testing

/// A key holder stand-in: verifies each request as the server will, records it, and
/// answers with what the test queued.
final class RecordingTransport: KMSTransport, @unchecked Sendable {
    // @unchecked Sendable: every field is touched under `lock`.
    private let lock = NSLock()
    private var answers: [(Int, [String: String], Data)] = []
    private(set) var requests: [KMSHTTPRequest] = []
    private(set) var verified: [SigV4.VerifiedRequest] = []
    let verifier: SigV4.Verifier
    let secret: SecureBytes

    init(region: String, secret: String) {
        verifier = SigV4.Verifier(region: region, requiredSignedHeaders: ["host", "x-amz-date", "x-amz-target", "content-type"])
        self.secret = SecureBytes(Array(secret.utf8))
    }

    func answer(_ status: Int, _ body: String, headers: [String: String] = [:]) {
        lock.withLock { answers.append((status, headers, Data(body.utf8))) }
    }

    func send(_ request: KMSHTTPRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        // The Host header is the one the client signed; it must be among the headers signed.
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)!
        let signed = SigV4.Request(
            method: request.httpMethod, path: components.percentEncodedPath,
            query: components.percentEncodedQuery ?? "", headers: request.headers, body: request.httpBody)
        let date = SigV4.parseAmzDate(signed.value(of: "x-amz-date") ?? "") ?? Date()
        let verified = try verifier.verify(signed, now: date) { [secret] _ in secret }
        return lock.withLock {
            requests.append(request)
            self.verified.append(verified)
            return answers.isEmpty ? (200, [:], Data()) : answers.removeFirst()
        }
    }
}

@Suite struct KMSClientTests {
    let transport = RecordingTransport(region: "eu-west-3", secret: "client-secret")
    let date = SigV4.parseAmzDate("20250102T030405Z")!

    var client: KMSClient {
        let date = self.date
        return KMSClient(
            endpoint: URL(string: "http://127.0.0.1:4599")!, region: "eu-west-3",
            credentials: AWSCredentials(accessKeyId: "AKIDCLIENT", secretAccessKey: "client-secret"),
            transport: transport, clock: { date })
    }

    @Test func buildsSignedKMSRequests() throws {
        let request = try client.makeRequest(.getPublicKey, body: Data(#"{"KeyId":"k"}"#.utf8), date: date)
        #expect(request.httpMethod == "POST")
        #expect(request.url.absoluteString == "http://127.0.0.1:4599/")
        #expect(request.value(forHTTPHeaderField: "X-Amz-Target") == "TrentService.GetPublicKey")
        #expect(request.value(forHTTPHeaderField: "Content-Type") == "application/x-amz-json-1.1")
        #expect(request.value(forHTTPHeaderField: "Host") == "127.0.0.1:4599")
        #expect(request.value(forHTTPHeaderField: "X-Amz-Date") == "20250102T030405Z")
        let authorization = request.value(forHTTPHeaderField: "Authorization") ?? ""
        #expect(authorization.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIDCLIENT/20250102/eu-west-3/kms/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="))
        #expect(request.httpBody == Data(#"{"KeyId":"k"}"#.utf8))
    }

    @Test func hostHeaderLeavesOutDefaultPorts() throws {
        for (endpoint, host) in [("https://KMS.example.test:443", "kms.example.test"), ("http://h:80/", "h"),
            ("https://h:8443", "h:8443"), ("http://[::1]:4599", "[::1]:4599")] {
            let client = KMSClient(
                endpoint: URL(string: endpoint)!, region: "r", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "s"))
            #expect(try client.makeRequest(.listKeys, body: Data("{}".utf8), date: date)
                .value(forHTTPHeaderField: "Host") == host, "\(endpoint)")
        }
        let noHost = KMSClient(endpoint: URL(string: "file:///tmp")!, region: "r", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "s"))
        #expect(throws: KMSError.self) { try noHost.makeRequest(.listKeys, body: Data(), date: date) }
    }

    @Test func signsDecodesAndThrowsThroughAVerifyingServer() async throws {
        transport.answer(
            200,
            #"{"KeyId":"arn:aws:kms:eu-west-3:111122223333:key/k","Signature":"MEUCIQ==","SigningAlgorithm":"ECDSA_SHA_256"}"#)
        let signature = try await client.sign(
            keyId: "alias/release", message: [UInt8](repeating: 7, count: 32), messageType: .digest, signingAlgorithm: .ecdsaSha256)
        #expect(signature.signature?.bytes == [0x30, 0x45, 0x02, 0x21])
        #expect(signature.signingAlgorithm == .ecdsaSha256)

        transport.answer(404, #"{"__type":"NotFoundException","message":"Key 'arn:…' does not exist"}"#)
        do {
            _ = try await client.describeKey(keyId: "alias/none")
            Issue.record("no error thrown")
        } catch let error as KMSError {
            #expect(error == .notFound() && error.httpStatus == 404 && error.message.contains("does not exist"))
        }

        transport.answer(400, #"{"__type":"KMSInvalidSignatureException","message":null}"#)
        await #expect(throws: KMSError.invalidSignature()) {
            _ = try await client.verify(
                keyId: "k", message: [1], signature: [2], signingAlgorithm: .rsassaPssSha256)
        }

        transport.answer(200, "")
        try await client.enableKey(keyId: "k")

        transport.answer(200, #"{"KeyMetadata":{"KeyId":"k","CreationDate":1735787045.5,"KeySpec":"RSA_3072"}}"#)
        let created = try await client.createKey(.init(keyUsage: .encryptDecrypt, keySpec: .rsa3072))
        #expect(created.keyMetadata?.creationDate == Date(timeIntervalSince1970: 1_735_787_045.5))

        transport.answer(200, #"{"KeyId":5}"#)
        do {
            _ = try await client.cancelKeyDeletion(keyId: "k")
            Issue.record("no error thrown")
        } catch let error as KMSError {
            #expect(error.type == "SerializationException" && error.message.contains("response did not decode"))
        }

        let targets = transport.requests.map { $0.value(forHTTPHeaderField: "X-Amz-Target") }
        #expect(targets == [
            "TrentService.Sign", "TrentService.DescribeKey", "TrentService.Verify", "TrentService.EnableKey",
            "TrentService.CreateKey", "TrentService.CancelKeyDeletion",
        ])
        #expect(transport.verified.allSatisfy { $0.accessKeyId == "AKIDCLIENT" && $0.date == date })
        let signBody = try KMSJSON.decode(KMS.SignRequest.self, from: transport.requests[0].httpBody)
        #expect(signBody.keyId == "alias/release" && signBody.messageType == .digest && signBody.message.count == 32)
    }

    @Test func genericSendTakesAnyOperation() async throws {
        transport.answer(200, #"{"Plaintext":"AAECAw=="}"#)
        let random: KMS.GenerateRandomResponse = try await client.send(.generateRandom, KMS.GenerateRandomRequest(numberOfBytes: 4))
        #expect(random.plaintext?.bytes == [0, 1, 2, 3])
        transport.answer(200, #"{"Aliases":[{"AliasName":"alias/a","TargetKeyId":"k"}],"Truncated":false}"#)
        let aliases = try await client.listAliases()
        #expect(aliases.aliases?.first?.aliasName == "alias/a" && aliases.truncated == false)
    }
}
