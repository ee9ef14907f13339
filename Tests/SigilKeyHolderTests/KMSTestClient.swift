import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SigilKMS
import SigilKeyHolder
import SigilKeyStore
import SigilTestSupport
import Testing

/// Signs and sends KMS requests to a key holder under test, the way an AWS SDK would:
/// `POST /`, `X-Amz-Target: TrentService.<Op>`, JSON 1.1, SigV4 with the root
/// principal's access key from the data directory.
struct KMSTestClient: Sendable {
    let client: any TestClientProtocol
    let signer: SigV4.Signer
    /// The Host the request is signed for: the in-process and live test clients send
    /// `localhost`; AsyncHTTPClient (`.ahc`) sends `localhost:PORT`.
    var host = "localhost"
    /// Headers added after signing, as a proxy adds `X-Forwarded-For`.
    var unsignedHeaders: [String: String] = [:]
    /// The time requests are signed at: now, unless a test runs the key holder on a clock
    /// of its own (then requests must be signed on that clock, or a slow run drifts past
    /// SigV4's five minutes of allowed skew).
    var signingTime: @Sendable () -> Date = { Date() }

    /// How a raw request is (mis)signed.
    enum Signing: Sendable {
        /// Signed properly.
        case signed
        /// No `Authorization` header at all.
        case unsigned
        /// Signed, then the signature's last hex digit changed.
        case wrongSignature
        /// Signed with a secret the key holder does not know, for its access key id.
        case wrongSecret
    }

    /// Sends bytes as a request body, with whatever target and signing a test needs.
    func raw(
        target: String?, body: Data, signing: Signing = .signed, contentType: String = KMSOperation.contentType
    ) async throws -> TestResponse {
        var headers = [SigV4.Request.Header("Host", host), SigV4.Request.Header("Content-Type", contentType)]
        if let target { headers.append(SigV4.Request.Header("X-Amz-Target", target)) }
        var request = SigV4.Request(method: "POST", path: "/", headers: headers, body: body)
        switch signing {
        case .signed:
            try signer.sign(&request, date: signingTime())
        case .unsigned:
            break
        case .wrongSignature:
            try signer.sign(&request, date: signingTime())
            request.headers = request.headers.map { header in
                guard header.name == "Authorization" else { return header }
                let last = header.value.last == "0" ? "1" : "0"
                return SigV4.Request.Header(header.name, String(header.value.dropLast()) + last)
            }
        case .wrongSecret:
            let impostor = SigV4.Signer(
                credentials: AWSCredentials(
                    accessKeyId: signer.credentials.accessKeyId,
                    secretAccessKey: String(repeating: "x", count: 40)),
                region: signer.region)
            try impostor.sign(&request, date: signingTime())
        }
        var fields = HTTPFields()
        // The test framework gives every request the authority `localhost`, which the
        // key holder reads as the Host it was signed with.
        for header in request.headers where header.name.lowercased() != "host" {
            fields.append(HTTPField(name: HTTPField.Name(header.name)!, value: header.value))
        }
        for (name, value) in unsignedHeaders {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        return try await client.execute(uri: "/", method: .post, headers: fields, body: ByteBuffer(bytes: body))
    }

    /// Sends a request and decodes its response.
    ///
    /// - Throws: ``KMSError`` read from the `{__type, message}` body of a failed response.
    func send<Request: KMSRequest>(_ request: Request) async throws -> Request.Response {
        let response = try await raw(target: Request.operation.target, body: try KMSJSON.encode(request))
        let body = Data(buffer: response.body)
        #expect(response.headers[HTTPField.Name("x-amzn-RequestId")!] != nil)
        guard response.status == .ok else {
            throw KMSError(httpStatus: response.status.code, body: body)
        }
        return try KMSJSON.decode(Request.Response.self, from: body)
    }

    /// Sends a request that must fail with this error type and HTTP status.
    ///
    /// - Returns: The error, for a closer look at its message.
    @discardableResult
    func expectFailure<Request: KMSRequest>(
        _ request: Request, _ type: String, status: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> KMSError? {
        do {
            _ = try await send(request)
            Issue.record("\(Request.operation) succeeded; expected \(type)", sourceLocation: sourceLocation)
            return nil
        } catch let error as KMSError {
            #expect(error.type == type, "\(error.message)", sourceLocation: sourceLocation)
            #expect(
                error.httpStatus == (status ?? KMSError.defaultStatus(for: type)), "\(error)",
                sourceLocation: sourceLocation)
            return error
        }
    }

    /// Reads a raw response's KMS error.
    static func error(of response: TestResponse) -> KMSError {
        KMSError(httpStatus: response.status.code, body: Data(buffer: response.body))
    }

    // MARK: Conveniences

    func createKey(
        _ spec: KMS.KeySpec = .symmetricDefault, usage: KMS.KeyUsage = .encryptDecrypt
    ) async throws -> KMS.KeyMetadata {
        let response = try await send(KMS.CreateKeyRequest(keyUsage: usage, keySpec: spec))
        return try #require(response.keyMetadata)
    }

    func encrypt(
        _ keyId: String, _ plaintext: [UInt8], context: [String: String]? = nil
    ) async throws -> [UInt8] {
        let response = try await send(
            KMS.EncryptRequest(keyId: keyId, plaintext: Base64Blob(plaintext), encryptionContext: context))
        return try #require(response.ciphertextBlob).bytes
    }

    func decrypt(_ blob: [UInt8], keyId: String? = nil, context: [String: String]? = nil) async throws -> [UInt8] {
        let response = try await send(
            KMS.DecryptRequest(ciphertextBlob: Base64Blob(blob), encryptionContext: context, keyId: keyId))
        return try #require(response.plaintext).bytes
    }
}

/// Opens a key holder on a fresh data directory (its store in SQLite there, or in a fresh
/// PostgreSQL database) and runs `body` against its router (or, with `setup: .live`,
/// against the running application with its services).
func withKeyHolder(
    _ backend: StoreBackend = .sqlite, configure: (inout KeyHolderConfiguration) -> Void = { _ in },
    setup: TestingSetup = .router, _ body: @Sendable (KMSTestClient, KeyHolder) async throws -> Void
) async throws {
    guard backend == .postgreSQL else {
        return try await withKeyHolder(storeLocation: .dataDirectory, configure: configure, setup: setup, body)
    }
    try await PostgreSQLHolders.gate.withPermit {
        // Skipped (or failed under CI) when PostgreSQL is not installed.
        guard let database = try await SharedPostgreSQL.shared.newDatabase() else { return }
        let location = StoreLocation.postgreSQL(try PostgreSQLURL(database.url), password: database.password)
        try await withKeyHolder(storeLocation: location, configure: configure, setup: setup, body)
    }
}

private func withKeyHolder(
    storeLocation: StoreLocation, configure: (inout KeyHolderConfiguration) -> Void, setup: TestingSetup,
    _ body: @Sendable (KMSTestClient, KeyHolder) async throws -> Void
) async throws {
    let directory = try TestSupport.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = KeyHolderConfiguration(dataDirectory: directory, port: 0)
    configuration.storeLocation = storeLocation
    // A live test's client keeps one connection for the whole test, and on a loaded
    // machine (every test of the package at once on two cores) a minute can pass between
    // two of its requests: the server must not close it as idle meanwhile.
    configuration.connectionLimits.idleTimeout = .seconds(600)
    configure(&configuration)
    let (application, holder) = try buildApplication(configuration)
    let credentials = try AWSConfiguration(environment: [
        "AWS_SHARED_CREDENTIALS_FILE": holder.credentialsFile.path,
        "AWS_CONFIG_FILE": directory.appendingPathComponent("no-config").path,
    ]).credentials(profile: "default")
    let signer = SigV4.Signer(credentials: credentials, region: "us-east-1")
    try await application.test(setup) { client in
        try await body(KMSTestClient(client: client, signer: signer), holder)
    }
}

/// How many key holders over PostgreSQL the suites open at once. Each holds about three
/// connections to the shared cluster (its store's pool, and while live its change feed
/// and heartbeat), whose `max_connections` is PostgreSQL's default of 100, shared with
/// the key store's suites: with every case of these suites at once the cluster refused
/// connections ("too many clients already").
enum PostgreSQLHolders {
    static let gate = Gate(permits: 8)
}

/// Lets at most `permits` callers in at once; the others wait, in the order they came.
actor Gate {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        available = permits
    }

    private func enter() async {
        if available > 0 {
            available -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    private func leave() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` once a permit is free, and frees it after, whether `body` throws or not.
    nonisolated func withPermit(_ body: () async throws -> Void) async throws {
        await enter()
        do {
            try await body()
        } catch {
            await leave()
            throw error
        }
        await leave()
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
