import Foundation
import SigilCrypto
import SigilKMS
import SigilTestSupport
import Testing

/// botocore (the AWS CLI's and boto3's signer), driven through tools/interop/sigv4_sign.py
/// with the interpreter of the repository's `.venv`.
enum Botocore {
    static let python = TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
    static let script = TestSupport.packageRoot.appendingPathComponent("tools/interop/sigv4_sign.py").path
    static let missingMessage =
        "no botocore at .venv/bin/python (tools/test makes it; by hand: "
        + "source tools/lib/setup.sh; source tools/lib/venv.sh; sigil_setup_venv)"

    /// Whether botocore is there; when it is not, says so, then fails under CI=true and
    /// skips otherwise.
    static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        try TestSupport.require(
            FileManager.default.isExecutableFile(atPath: python), missing: missingMessage, sourceLocation: sourceLocation)
    }

    struct SignJob: Encodable {
        var mode = "sign"
        var access_key: String
        var secret_key: String
        var token: String?
        var region: String
        var service: String
        var method: String
        var url: String
        var headers: [[String]]
        var body_b64: String
        var timestamp: String
    }

    struct CaptureJob: Encodable {
        var mode = "capture"
        var access_key: String
        var secret_key: String
        var region: String
        var endpoint: String
        var operation: String
        var params: [String: JSONValue]
    }

    /// Just enough JSON to write boto3 parameters.
    enum JSONValue: Encodable {
        case string(String), int(Int), bool(Bool), object([String: JSONValue]), array([JSONValue])
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .object(let value): try container.encode(value)
            case .array(let value): try container.encode(value)
            }
        }
    }

    struct Result: Decodable {
        var headers: [[String]]
        var method: String?
        var url: String?
        var body_b64: String?
        var canonical_request: String?
        var string_to_sign: String?

        func header(_ name: String) -> String? {
            headers.first { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    static func run(_ jobs: some Encodable) async throws -> [Result] {
        let input = try JSONEncoder().encode(jobs)
        let output = try await TestSupport.run(python, [script], input: input)
        guard output.status == 0 else {
            throw TestFailure("sigv4_sign.py failed (\(output.status)): \(output.stderrText)")
        }
        return try JSONDecoder().decode([Result].self, from: output.standardOutput)
    }
}

@Suite struct BotocoreSigV4Tests {
    struct Case: CustomStringConvertible {
        var name: String
        var accessKey = "AKIAIOSFODNN7EXAMPLE"
        var secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String?
        var region = "us-east-1"
        var url = "http://127.0.0.1:4599/"
        var host = "127.0.0.1:4599"
        var headers: [[String]] = [
            ["Content-Type", KMSOperation.contentType], ["X-Amz-Target", KMSOperation.sign.target],
        ]
        var body = Data(#"{"KeyId": "alias/release", "Message": "AAEC"}"#.utf8)
        var timestamp = "20240305T101112Z"
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a KMS Sign call"),
        Case(name: "an empty body", body: Data()),
        Case(name: "an https endpoint on the default port", url: "https://kms.example.test/", host: "kms.example.test"),
        Case(name: "another region and date", region: "eu-central-1", timestamp: "20391231T235959Z"),
        Case(name: "a session token", token: "FwoGZXIvYXdzEXAMPLE//token+with/slashes="),
        Case(name: "a secret with symbols", secret: "a+b/c=d~e%f g"),
        Case(
            name: "headers needing trimming and an unsigned user agent",
            headers: [
                ["Content-Type", "  application/x-amz-json-1.1  "], ["X-Amz-Target", "TrentService.Decrypt"],
                ["X-Custom-Spaces", "a    b \t c"], ["User-Agent", "aws-cli/2 test"],
            ]),
        Case(name: "a path and a query", url: "http://127.0.0.1:4599/a/./b/../c?z=1&a=x%20y&a=b", host: "127.0.0.1:4599"),
        Case(name: "a large binary body", body: Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })),
    ]

    static func sigilRequest(for testCase: Case, headers: [[String]]) -> SigV4.Request {
        let url = URLComponents(string: testCase.url)!
        return SigV4.Request(
            method: "POST", path: url.percentEncodedPath, query: url.percentEncodedQuery ?? "",
            headers: [.init("Host", testCase.host)] + headers.map { .init($0[0], $0[1]) }, body: testCase.body)
    }

    @Test func sigilSignsExactlyAsBotocoreAndVerifiesBotocoresRequests() async throws {
        guard try Botocore.isAvailable() else { return }
        let jobs = Self.cases.map {
            Botocore.SignJob(
                access_key: $0.accessKey, secret_key: $0.secret, token: $0.token, region: $0.region, service: "kms",
                method: "POST", url: $0.url, headers: $0.headers, body_b64: $0.body.base64EncodedString(),
                timestamp: $0.timestamp)
        }
        let results = try await Botocore.run(jobs)
        #expect(results.count == Self.cases.count)
        for (testCase, botocore) in zip(Self.cases, results) {
            let credentials = AWSCredentials(
                accessKeyId: testCase.accessKey, secretAccessKey: testCase.secret, sessionToken: testCase.token)
            let date = SigV4.parseAmzDate(testCase.timestamp)!

            // Sigil's signer, given what botocore was given, writes the same header.
            var ours = Self.sigilRequest(for: testCase, headers: testCase.headers)
            try SigV4.Signer(credentials: credentials, region: testCase.region).sign(&ours, date: date)
            #expect(
                ours.value(of: "authorization") == botocore.header("authorization"),
                "\(testCase): botocore's canonical request was\n\(botocore.canonical_request ?? "?")")
            #expect(ours.value(of: "x-amz-date") == testCase.timestamp)

            // Sigil's verifier accepts botocore's request as botocore left it.
            let theirs = Self.sigilRequest(for: testCase, headers: botocore.headers)
            let verified = try SigV4.Verifier(region: testCase.region)
                .verify(theirs, now: date.addingTimeInterval(42)) { id in
                    id == testCase.accessKey ? credentials.secretAccessKey : nil
                }
            #expect(verified.accessKeyId == testCase.accessKey, "\(testCase)")
        }
    }

    @Test func verifierRefusesTamperedBotocoreRequests() async throws {
        guard try Botocore.isAvailable() else { return }
        let testCase = Self.cases[0]
        let result = try await Botocore.run([
            Botocore.SignJob(
                access_key: testCase.accessKey, secret_key: testCase.secret, region: testCase.region, service: "kms",
                method: "POST", url: testCase.url, headers: testCase.headers,
                body_b64: testCase.body.base64EncodedString(), timestamp: testCase.timestamp)
        ])[0]
        let date = SigV4.parseAmzDate(testCase.timestamp)!
        let verifier = SigV4.Verifier(region: "us-east-1")
        let good = Self.sigilRequest(for: testCase, headers: result.headers)

        func refusal(_ request: SigV4.Request, now: Date = date, verifier: SigV4.Verifier = verifier,
            secret: SecureBytes? = nil) -> String? {
            do {
                _ = try verifier.verify(request, now: now) { $0 == testCase.accessKey ? (secret ?? SecureBytes(Array(testCase.secret.utf8))) : nil }
                return nil
            } catch let error as KMSError {
                return error.type + ": " + error.message
            } catch {
                return "\(error)"
            }
        }

        #expect(refusal(good) == nil)
        let authorization = good.value(of: "authorization")!
        let flipped = authorization.dropLast() + (authorization.last == "a" ? "b" : "a")
        #expect(refusal(SignedFixture.replacing("Authorization", with: String(flipped), in: good))?
            .hasPrefix("InvalidSignatureException") == true)
        #expect(refusal(good, secret: SecureBytes(Array("another secret".utf8)))?.hasPrefix("InvalidSignatureException") == true)
        #expect(refusal(good, now: date.addingTimeInterval(600))?.hasPrefix("InvalidSignatureException: Signature expired") == true)
        #expect(refusal(good, verifier: SigV4.Verifier(region: "us-west-2"))?.contains("valid region") == true)
        var noAuthorization = good
        noAuthorization.headers.removeAll { $0.name.lowercased() == "authorization" }
        #expect(refusal(noAuthorization)?.hasPrefix("MissingAuthenticationTokenException") == true)
        var otherBody = good
        otherBody.payloadHash = SigV4.payloadHash(Array(#"{"KeyId": "alias/other", "Message": "AAEC"}"#.utf8))
        #expect(refusal(otherBody)?.hasPrefix("InvalidSignatureException") == true)
        #expect(refusal(SignedFixture.replacing("X-Amz-Target", with: "TrentService.Decrypt", in: good))?
            .hasPrefix("InvalidSignatureException") == true)
        #expect(refusal(SignedFixture.replacing("Host", with: "evil.example:4599", in: good))?
            .hasPrefix("InvalidSignatureException") == true)
        do {
            _ = try verifier.verify(good, now: date) { _ in nil }
            Issue.record("an unknown access key was accepted")
        } catch let error as KMSError {
            #expect(error.type == "UnrecognizedClientException")
        }
    }

    /// What a real boto3 KMS client sends (user agent, SDK headers, its JSON) verifies,
    /// and its body decodes into Sigil's request types with the same values.
    @Test func verifiesAndDecodesRealBoto3Requests() async throws {
        guard try Botocore.isAvailable() else { return }
        let digest = Base64Blob((0..<32).map { UInt8($0) })
        let jobs: [(String, [String: Botocore.JSONValue])] = [
            ("Sign", ["KeyId": .string("alias/release"), "Message": .string("b64:" + digest.base64EncodedString),
                "MessageType": .string("DIGEST"), "SigningAlgorithm": .string("ECDSA_SHA_256")]),
            ("Encrypt", ["KeyId": .string("1234abcd-12ab-34cd-56ef-1234567890ab"), "Plaintext": .string("b64:aGVsbG8="),
                "EncryptionContext": .object(["purpose": .string("test"), "é": .string("ü")])]),
            ("CreateKey", ["KeySpec": .string("RSA_3072"), "KeyUsage": .string("ENCRYPT_DECRYPT"),
                "Description": .string("a key"), "Tags": .array([.object(["TagKey": .string("team"), "TagValue": .string("x")])])]),
            ("ListKeys", ["Limit": .int(10)]),
            ("ScheduleKeyDeletion", ["KeyId": .string("k"), "PendingWindowInDays": .int(7)]),
        ]
        let results = try await Botocore.run(jobs.map {
            Botocore.CaptureJob(
                access_key: "AKIDBOTO3", secret_key: "boto3/secret", region: "eu-west-1", endpoint: "http://127.0.0.1:4599",
                operation: $0.0, params: $0.1)
        })
        let verifier = SigV4.Verifier(region: "eu-west-1", requiredSignedHeaders: ["host", "x-amz-date", "x-amz-target"])
        for ((operation, _), result) in zip(jobs, results) {
            let body = Data(base64Encoded: result.body_b64!)!
            let url = URLComponents(string: result.url!)!
            let request = SigV4.Request(
                method: result.method!, path: url.percentEncodedPath, query: url.percentEncodedQuery ?? "",
                headers: [.init("Host", "127.0.0.1:4599")] + result.headers.map { .init($0[0], $0[1]) }, body: body)
            let date = SigV4.parseAmzDate(result.header("x-amz-date")!)!
            let verified = try verifier.verify(request, now: date) { _ in SecureBytes(Array("boto3/secret".utf8)) }
            #expect(verified.accessKeyId == "AKIDBOTO3")
            #expect(KMSOperation(target: result.header("x-amz-target")!)?.name == operation)
            #expect(result.header("content-type") == KMSOperation.contentType)
            switch operation {
            case "Sign":
                let sign = try KMSJSON.decode(KMS.SignRequest.self, from: body)
                #expect(sign.message == digest && sign.messageType == .digest && sign.signingAlgorithm == .ecdsaSha256)
            case "Encrypt":
                let encrypt = try KMSJSON.decode(KMS.EncryptRequest.self, from: body)
                #expect(encrypt.plaintext.bytes == Array("hello".utf8))
                #expect(encrypt.encryptionContext == ["purpose": "test", "é": "ü"])
            case "CreateKey":
                let create = try KMSJSON.decode(KMS.CreateKeyRequest.self, from: body)
                #expect(create.keySpec == .rsa3072 && create.keyUsage == .encryptDecrypt && create.description == "a key")
                #expect(create.tags == [KMS.Tag(tagKey: "team", tagValue: "x")])
            case "ListKeys":
                #expect(try KMSJSON.decode(KMS.ListKeysRequest.self, from: body).limit == 10)
            default:
                #expect(try KMSJSON.decode(KMS.ScheduleKeyDeletionRequest.self, from: body).pendingWindowInDays == 7)
            }
        }
    }
}
