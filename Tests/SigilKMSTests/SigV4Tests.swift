import Foundation
import SigilCrypto
import SigilKMS
import Testing

/// A request signed by Sigil's own signer, and the verifier that should accept it.
struct SignedFixture {
    static let credentials = AWSCredentials(accessKeyId: "AKIDSIGILTEST", secretAccessKey: "s3cr3t/with+chars=")
    static let date = SigV4.parseAmzDate("20240305T101112Z")!
    static let body = Data(#"{"KeyId":"alias/release","Message":"AAEC","SigningAlgorithm":"ECDSA_SHA_256"}"#.utf8)

    static func request(body: Data = body) throws -> SigV4.Request {
        var request = SigV4.Request(
            method: "POST", path: "/",
            headers: [
                .init("Host", "127.0.0.1:4599"), .init("Content-Type", KMSOperation.contentType),
                .init("X-Amz-Target", KMSOperation.sign.target), .init("User-Agent", "test/1.0"),
            ],
            body: body)
        try SigV4.Signer(credentials: credentials, region: "us-east-1").sign(&request, date: date)
        return request
    }

    static func secrets(_ id: String) -> SecureBytes? {
        id == credentials.accessKeyId ? credentials.secretAccessKey : nil
    }

    static func replacing(_ name: String, with value: String, in request: SigV4.Request) -> SigV4.Request {
        var copy = request
        copy.headers = copy.headers.map { $0.name.lowercased() == name.lowercased() ? .init($0.name, value) : $0 }
        return copy
    }
}

@Suite struct SigV4Tests {
    let verifier = SigV4.Verifier(region: "us-east-1")

    func expectKMSError(_ type: String, containing text: String? = nil, _ body: () throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(type), nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as KMSError {
            #expect(error.type == type, "\(error)", sourceLocation: sourceLocation)
            if let text { #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation) }
            #expect(error.httpStatus == 400, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(type), got \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Published values

    @Test func matchesAWSGetVanillaExample() throws {
        var request = SigV4.Request(method: "GET", path: "/", headers: [.init("Host", "example.amazonaws.com")], body: Data())
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        try SigV4.Signer(credentials: credentials, region: "us-east-1", service: "service")
            .sign(&request, date: SigV4.parseAmzDate("20150830T123600Z")!)
        #expect(
            request.value(of: "authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func derivesAWSDocumentedSigningKey() throws {
        let key = try SigV4.signingKey(
            secretAccessKey: SecureBytes(Array("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".utf8)),
            scope: .init(date: "20120215", region: "us-east-1", service: "iam"))
        #expect(hex(key.unsafeBytes) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    @Test func hmacMatchesRFC4231AndPython() throws {
        func mac(_ key: [UInt8], _ message: String, _ hash: HashFunction) throws -> String {
            hex(try HMAC.authenticationCode(for: Array(message.utf8), using: SecureBytes(key), hash: hash).unsafeBytes)
        }
        #expect(try mac(Array("Jefe".utf8), "what do ya want for nothing?", .sha256)
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(try mac([], "", .sha256) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(try mac([UInt8](repeating: 0x0b, count: 20), "Hi There", .sha512)
            == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
        #expect(try mac([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First", .sha384)
            == "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952")
        let key = SecureBytes(Array("Jefe".utf8))
        let good = try HMAC.authenticationCode(for: Array("m".utf8), using: key, hash: .sha256).unsafeBytes
        #expect(try HMAC.isValidAuthenticationCode(good, for: Array("m".utf8), using: key, hash: .sha256))
        #expect(try !HMAC.isValidAuthenticationCode(flip(good), for: Array("m".utf8), using: key, hash: .sha256))
        #expect(try !HMAC.isValidAuthenticationCode(good.dropLast(), for: Array("m".utf8), using: key, hash: .sha256))
    }

    // MARK: Canonical forms

    @Test func normalizesPathsLikeBotocore() {
        #expect(SigV4.canonicalURI("") == "/")
        #expect(SigV4.canonicalURI("/") == "/")
        #expect(SigV4.canonicalURI("//a/./b/../c//") == "/a/c/")
        #expect(SigV4.canonicalURI("/a b/%2F") == "/a%20b/%252F")
        #expect(SigV4.canonicalURI("/~x-y_z.") == "/~x-y_z.")
    }

    @Test func sortsAndEncodesQueries() {
        #expect(SigV4.canonicalQuery("") == "")
        #expect(SigV4.canonicalQuery("b=2&a=1&a=0") == "a=0&a=1&b=2")
        #expect(SigV4.canonicalQuery("x=a%20b&flag") == "flag=&x=a%20b")
        #expect(SigV4.canonicalQuery("k=%7e/") == "k=~%2F")
        // Sorted by bytes: upper case before lower case.
        #expect(SigV4.canonicalQuery("b=1&B=2&a=3") == "B=2&a=3&b=1")
    }

    /// Escapes decode to bytes, as clients sign them: not to text, which `%FF` is not.
    @Test func decodesQueryEscapesPerByte() {
        #expect(SigV4.canonicalQuery("k=%FF") == "k=%FF")
        #expect(SigV4.canonicalQuery("%c3%A9=\u{E9}") == "%C3%A9=%C3%A9")
        // A `%` that starts no escape is a literal `%`, and the valid escapes beside it still decode.
        #expect(SigV4.canonicalQuery("k=50%&k=%zz%41") == "k=%25zzA&k=50%25")
    }

    @Test func squeezesHeaderWhitespace() {
        #expect(SigV4.canonicalHeaderValue("  a   b\t c  ") == "a b c")
        #expect(SigV4.canonicalHeaderValue("") == "")
    }

    @Test func parsesOnlyStrictAmzDates() {
        #expect(SigV4.parseAmzDate("20240229T235959Z") != nil)
        #expect(SigV4.amzDate(SigV4.parseAmzDate("20240229T235959Z")!) == "20240229T235959Z")
        for bad in ["", "20240230T000000Z", "20241301T000000Z", "20240101 000000Z", "20240101T000000", "2024-01-01T00:00:00Z",
            "20240101T240000Z", "2024010lT000000Z", "20240101T000000z"] {
            #expect(SigV4.parseAmzDate(bad) == nil, "\(bad)")
        }
    }

    // MARK: Round trip

    @Test func verifiesWhatItSigns() throws {
        let request = try SignedFixture.request()
        let verified = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        #expect(verified.accessKeyId == "AKIDSIGILTEST")
        #expect(verified.date == SignedFixture.date)
        #expect(verified.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
        #expect(request.value(of: "x-amz-security-token") == nil)
    }

    @Test func acceptsClockSkewUpToFiveMinutesEitherWay() throws {
        let request = try SignedFixture.request()
        for offset in [-300.0, -1, 0, 1, 300] {
            _ = try verifier.verify(request, now: SignedFixture.date.addingTimeInterval(offset), secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func asyncLookupVerifiesToo() async throws {
        let request = try SignedFixture.request()
        let verified = try await verifier.verify(request, now: SignedFixture.date) { id async throws -> SecureBytes? in
            SignedFixture.secrets(id)
        }
        #expect(verified.accessKeyId == SignedFixture.credentials.accessKeyId)
    }

    @Test func signsAndSendsSessionToken() throws {
        let credentials = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "x", sessionToken: "token-1")
        var request = SigV4.Request(method: "POST", path: "/", headers: [.init("Host", "h")], body: Data())
        try SigV4.Signer(credentials: credentials, region: "us-east-1").sign(&request, date: SignedFixture.date)
        #expect(request.value(of: "x-amz-security-token") == "token-1")
        #expect(request.value(of: "authorization")!.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        _ = try verifier.verify(request, now: SignedFixture.date) { _ in credentials.secretAccessKey }
    }

    // MARK: Refusals

    @Test func rejectsAFlippedSignatureCharacter() throws {
        let request = try SignedFixture.request()
        let header = request.value(of: "authorization")!
        let last = header.last!
        let tampered = SignedFixture.replacing(
            "Authorization", with: header.dropLast() + (last == "0" ? "1" : "0"), in: request)
        expectKMSError("InvalidSignatureException", containing: "does not match") {
            _ = try verifier.verify(tampered, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsAnotherSecret() throws {
        let request = try SignedFixture.request()
        expectKMSError("InvalidSignatureException", containing: "does not match") {
            _ = try verifier.verify(request, now: SignedFixture.date) { _ in SecureBytes(Array("other".utf8)) }
        }
    }

    @Test func aChangedSecretNeverVerifiesThroughTheSigningKeyCache() throws {
        let request = try SignedFixture.request()
        // The same verifier first derives and keeps the day's signing key for the right
        // secret, then is handed another secret for the same access key id.
        _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        expectKMSError("InvalidSignatureException", containing: "does not match") {
            _ = try verifier.verify(request, now: SignedFixture.date) { _ in SecureBytes(Array("another secret".utf8)) }
        }
        _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
    }

    @Test func rejectsAnUnknownAccessKey() throws {
        let request = try SignedFixture.request()
        expectKMSError("UnrecognizedClientException") {
            _ = try verifier.verify(request, now: SignedFixture.date) { _ in nil }
        }
    }

    @Test func rejectsExpiredAndFutureRequests() throws {
        let request = try SignedFixture.request()
        expectKMSError(
            "InvalidSignatureException",
            containing: "Signature expired: 20240305T101112Z is now earlier than 20240305T101113Z (20240305T101613Z - 5 min.)"
        ) {
            _ = try verifier.verify(request, now: SignedFixture.date.addingTimeInterval(301), secretAccessKey: SignedFixture.secrets)
        }
        expectKMSError("InvalidSignatureException", containing: "Signature not yet current") {
            _ = try verifier.verify(request, now: SignedFixture.date.addingTimeInterval(-301), secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsAnotherRegionOrService() throws {
        let request = try SignedFixture.request()
        expectKMSError("InvalidSignatureException", containing: "scoped to a valid region, not 'us-east-1'") {
            _ = try SigV4.Verifier(region: "eu-west-1").verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
        expectKMSError("InvalidSignatureException", containing: "correct service: 'sts'") {
            _ = try SigV4.Verifier(region: "us-east-1", service: "sts")
                .verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsAMissingAuthorizationHeader() throws {
        var request = try SignedFixture.request()
        request.headers.removeAll { $0.name == "Authorization" }
        do {
            _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
            Issue.record("accepted")
        } catch let error as KMSError {
            #expect(error.type == "MissingAuthenticationTokenException")
        }
    }

    @Test func rejectsATamperedBody() throws {
        var request = try SignedFixture.request()
        request.payloadHash = SigV4.payloadHash(Array(#"{"KeyId":"alias/other"}"#.utf8))
        expectKMSError("InvalidSignatureException") {
            _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsATamperedSignedHeaderButIgnoresUnsignedOnes() throws {
        let request = try SignedFixture.request()
        let tampered = SignedFixture.replacing("X-Amz-Target", with: KMSOperation.decrypt.target, in: request)
        expectKMSError("InvalidSignatureException") {
            _ = try verifier.verify(tampered, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
        let otherAgent = SignedFixture.replacing("User-Agent", with: "proxy/2", in: request)
        _ = try verifier.verify(otherAgent, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        var droppedHeader = request
        droppedHeader.headers.removeAll { $0.name == "Content-Type" }
        expectKMSError("InvalidSignatureException", containing: "'content-type' is not in the request") {
            _ = try verifier.verify(droppedHeader, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsAContentHashHeaderThatIsNotTheBodys() throws {
        var request = try SignedFixture.request()
        request.headers.append(.init("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"))
        expectKMSError("InvalidSignatureException", containing: "x-amz-content-sha256") {
            _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test func rejectsABadOrMissingDate() throws {
        let request = try SignedFixture.request()
        expectKMSError("IncompleteSignatureException", containing: "ISO-8601") {
            _ = try verifier.verify(
                SignedFixture.replacing("X-Amz-Date", with: "2024-03-05T10:11:12Z", in: request), now: SignedFixture.date,
                secretAccessKey: SignedFixture.secrets)
        }
        var noDate = request
        noDate.headers.removeAll { $0.name == "X-Amz-Date" }
        expectKMSError("IncompleteSignatureException", containing: "X-Amz-Date") {
            _ = try verifier.verify(noDate, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
        // A date that parses but is not the scope's day.
        expectKMSError("InvalidSignatureException", containing: "Date in Credential scope") {
            let moved = SignedFixture.replacing("X-Amz-Date", with: "20240306T000100Z", in: request)
            _ = try verifier.verify(moved, now: SigV4.parseAmzDate("20240306T000100Z")!, secretAccessKey: SignedFixture.secrets)
        }
    }

    @Test(arguments: [
        ("", "MissingAuthenticationTokenException"),
        ("AWS4-HMAC-SHA256", "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA1 Credential=a/20240305/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature="
            + String(repeating: "a", count: 64), "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date",
            "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms, SignedHeaders=host;x-amz-date, Signature="
            + String(repeating: "a", count: 64), "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws5_request, SignedHeaders=host;x-amz-date, Signature="
            + String(repeating: "a", count: 64), "InvalidSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=XYZ",
            "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws4_request, SignedHeaders=x-amz-date, Signature="
            + String(repeating: "a", count: 64), "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws4_request, SignedHeaders=Host;x-amz-date, Signature="
            + String(repeating: "a", count: 64), "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256 Credential=a/20240305/us-east-1/kms/aws4_request, Credential=b, SignedHeaders=host;x-amz-date, "
            + "Signature=" + String(repeating: "a", count: 64), "IncompleteSignatureException"),
    ])
    func rejectsMalformedAuthorizationHeaders(_ header: String, _ type: String) throws {
        let request = SignedFixture.replacing("Authorization", with: header, in: try SignedFixture.request())
        expectKMSError(type) {
            _ = try verifier.verify(request, now: SignedFixture.date, secretAccessKey: SignedFixture.secrets)
        }
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func flip(_ bytes: [UInt8]) -> [UInt8] {
    var copy = bytes
    copy[0] ^= 1
    return copy
}
