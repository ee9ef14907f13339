public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// Sends an HTTP request and returns the status, headers and body: the one thing
/// ``KMSClient`` needs from an HTTP stack, so that tests can stand in for the network.
public protocol KMSTransport: Sendable {
    /// Sends a request.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The response's status, headers (names as received) and body.
    /// - Throws: Whatever the HTTP stack throws (connection refused, timeout).
    func send(_ request: URLRequest) async throws -> (status: Int, headers: [String: String], body: Data)
}

/// ``KMSTransport`` over Foundation's `URLSession` (libcurl on Linux).
public struct URLSessionTransport: KMSTransport {
    /// The session in use.
    public let session: URLSession

    /// Creates a transport.
    ///
    /// - Parameter session: The session; an ephemeral one (no cookies, no cache) by default.
    public init(session: URLSession = URLSession(configuration: .ephemeral)) {
        self.session = session
    }

    public func send(_ request: URLRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        let (body, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else {
            throw KMSError(type: "HTTPError", message: "the response to \(request.url?.absoluteString ?? "?") is not HTTP", httpStatus: 0)
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return (http.statusCode, headers, body)
    }
}

/// An async client of the key holder (or of AWS KMS itself), over the KMS JSON protocol
/// with SigV4.
///
/// Every call is `POST /` with `Content-Type: application/x-amz-json-1.1` and
/// `X-Amz-Target: TrentService.<Operation>`, signed for service `kms` in ``region``. An
/// error response is thrown as ``KMSError``; a failure to connect is thrown as the
/// transport's error.
public struct KMSClient: Sendable {
    /// The key holder's URL, such as `http://127.0.0.1:4599`.
    public let endpoint: URL
    /// The region requests are signed for.
    public let region: String
    /// What signs the requests.
    public let signer: SigV4.Signer
    /// What carries them.
    public let transport: any KMSTransport
    /// The clock used for `X-Amz-Date`; the system clock by default.
    public let clock: @Sendable () -> Date

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoint: The key holder's URL (scheme, host, optional port; a path is kept).
    ///   - region: The region to sign for; must match the key holder's.
    ///   - credentials: The access key.
    ///   - transport: The HTTP stack; `URLSession` by default.
    ///   - clock: The signing clock; the system clock by default.
    public init(
        endpoint: URL, region: String, credentials: AWSCredentials,
        transport: any KMSTransport = URLSessionTransport(), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint
        self.region = region
        self.signer = SigV4.Signer(credentials: credentials, region: region, service: "kms")
        self.transport = transport
        self.clock = clock
    }

    /// Sends any operation with any request and response types.
    ///
    /// - Parameters:
    ///   - operation: The operation.
    ///   - request: Its input.
    /// - Returns: Its output.
    /// - Throws: ``KMSError`` for an error response or an undecodable one; the
    ///   transport's error when the key holder cannot be reached.
    public func send<Request: Encodable, Response: Decodable>(
        _ operation: KMSOperation, _ request: Request
    ) async throws -> Response {
        let urlRequest = try makeURLRequest(operation, body: KMSJSON.encode(request), date: clock())
        let (status, headers, body) = try await transport.send(urlRequest)
        return try Self.decodeResponse(Response.self, status: status, headers: headers, body: body)
    }

    /// Sends a typed request; the operation and response type come from the request type.
    ///
    /// - Parameter request: The input, such as ``KMS/SignRequest``.
    /// - Returns: The output, such as ``KMS/SignResponse``.
    /// - Throws: As ``send(_:_:)``.
    public func send<Request: KMSRequest>(_ request: Request) async throws -> Request.Response {
        try await send(Request.operation, request)
    }

    /// Builds the signed HTTP request for an operation (what ``send(_:_:)`` sends).
    ///
    /// - Parameters:
    ///   - operation: The operation.
    ///   - body: The JSON body.
    ///   - date: The signing time.
    /// - Returns: The request, with `Host`, `Content-Type`, `X-Amz-Target`,
    ///   `X-Amz-Date` and `Authorization` set.
    /// - Throws: ``KMSError`` if the endpoint has no host; ``SigilError`` if OpenSSL fails.
    public func makeURLRequest(_ operation: KMSOperation, body: Data, date: Date) throws -> URLRequest {
        guard let components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false),
            let host = components.host, !host.isEmpty
        else {
            throw KMSError(type: "InvalidEndpoint", message: "the endpoint \(endpoint) has no host", httpStatus: 0)
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        var signed = SigV4.Request(
            method: "POST", path: path, query: components.percentEncodedQuery ?? "",
            headers: [
                .init("Host", Self.hostHeader(components)),
                .init("Content-Type", KMSOperation.contentType),
                .init("X-Amz-Target", operation.target),
            ],
            body: body)
        try signer.sign(&signed, date: date)
        var url = components
        url.percentEncodedPath = path
        var request = URLRequest(url: url.url ?? endpoint)
        request.httpMethod = "POST"
        request.httpBody = body
        for header in signed.headers {
            request.setValue(header.value, forHTTPHeaderField: header.name)
        }
        return request
    }

    /// Decodes a response: the output on 2xx, a thrown ``KMSError`` otherwise.
    ///
    /// - Parameters:
    ///   - type: The output type.
    ///   - status: The HTTP status.
    ///   - headers: The response headers (for `x-amzn-ErrorType`).
    ///   - body: The body.
    /// - Returns: The output.
    /// - Throws: ``KMSError``: the key holder's error, or `SerializationException` for a
    ///   2xx body that does not decode.
    public static func decodeResponse<Response: Decodable>(
        _ type: Response.Type, status: Int, headers: [String: String] = [:], body: Data
    ) throws(KMSError) -> Response {
        guard (200..<300).contains(status) else {
            let errorType = headers.first { $0.key.lowercased() == "x-amzn-errortype" }?.value
            throw KMSError(httpStatus: status, body: body, errorTypeHeader: errorType)
        }
        do {
            return try KMSJSON.decode(type, from: body)
        } catch {
            throw KMSError(
                type: error.type, message: "the key holder's response did not decode: \(error.message)",
                httpStatus: status)
        }
    }

    /// The Host header as botocore and libcurl write it: lowercase host, the port only
    /// when it is not the scheme's default, IPv6 in brackets.
    static func hostHeader(_ components: URLComponents) -> String {
        var host = (components.host ?? "").lowercased()
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort = components.scheme?.lowercased() == "https" ? 443 : 80
        if let port = components.port, port != defaultPort { host += ":\(port)" }
        return host
    }
}

// MARK: - The operations the CLI uses

extension KMSClient {
    /// CreateKey.
    public func createKey(_ request: KMS.CreateKeyRequest) async throws -> KMS.CreateKeyResponse {
        try await send(request)
    }

    /// DescribeKey of a key id, ARN, alias name or alias ARN.
    public func describeKey(keyId: String) async throws -> KMS.DescribeKeyResponse {
        try await send(KMS.DescribeKeyRequest(keyId: keyId))
    }

    /// One page of ListKeys.
    public func listKeys(limit: Int? = nil, marker: String? = nil) async throws -> KMS.ListKeysResponse {
        try await send(KMS.ListKeysRequest(limit: limit, marker: marker))
    }

    /// GetPublicKey: the DER SubjectPublicKeyInfo and what the key may do.
    public func getPublicKey(keyId: String) async throws -> KMS.GetPublicKeyResponse {
        try await send(KMS.GetPublicKeyRequest(keyId: keyId))
    }

    /// Sign a message or, with `messageType: .digest`, a digest.
    public func sign(
        keyId: String, message: some Sequence<UInt8>, messageType: KMS.MessageType = .raw,
        signingAlgorithm: KMS.SigningAlgorithm
    ) async throws -> KMS.SignResponse {
        try await send(
            KMS.SignRequest(
                keyId: keyId, message: Base64Blob(message), messageType: messageType, signingAlgorithm: signingAlgorithm))
    }

    /// Verify; an invalid signature throws ``KMSError`` `KMSInvalidSignatureException`.
    public func verify(
        keyId: String, message: some Sequence<UInt8>, messageType: KMS.MessageType = .raw,
        signature: some Sequence<UInt8>, signingAlgorithm: KMS.SigningAlgorithm
    ) async throws -> KMS.VerifyResponse {
        try await send(
            KMS.VerifyRequest(
                keyId: keyId, message: Base64Blob(message), messageType: messageType, signature: Base64Blob(signature),
                signingAlgorithm: signingAlgorithm))
    }

    /// Encrypt.
    public func encrypt(
        keyId: String, plaintext: some Sequence<UInt8>, encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
        encryptionContext: [String: String]? = nil
    ) async throws -> KMS.EncryptResponse {
        try await send(
            KMS.EncryptRequest(
                keyId: keyId, plaintext: Base64Blob(plaintext), encryptionContext: encryptionContext,
                encryptionAlgorithm: encryptionAlgorithm))
    }

    /// Decrypt (the key id is required by KMS for asymmetric keys).
    public func decrypt(
        ciphertextBlob: some Sequence<UInt8>, keyId: String? = nil, encryptionAlgorithm: KMS.EncryptionAlgorithm? = nil,
        encryptionContext: [String: String]? = nil
    ) async throws -> KMS.DecryptResponse {
        try await send(
            KMS.DecryptRequest(
                ciphertextBlob: Base64Blob(ciphertextBlob), encryptionContext: encryptionContext, keyId: keyId,
                encryptionAlgorithm: encryptionAlgorithm))
    }

    /// EnableKey.
    public func enableKey(keyId: String) async throws {
        _ = try await send(KMS.EnableKeyRequest(keyId: keyId))
    }

    /// DisableKey.
    public func disableKey(keyId: String) async throws {
        _ = try await send(KMS.DisableKeyRequest(keyId: keyId))
    }

    /// ScheduleKeyDeletion, after `pendingWindowInDays` (7–30; 30 when `nil`).
    public func scheduleKeyDeletion(keyId: String, pendingWindowInDays: Int? = nil) async throws
        -> KMS.ScheduleKeyDeletionResponse
    {
        try await send(KMS.ScheduleKeyDeletionRequest(keyId: keyId, pendingWindowInDays: pendingWindowInDays))
    }

    /// CancelKeyDeletion (the key is left Disabled).
    public func cancelKeyDeletion(keyId: String) async throws -> KMS.CancelKeyDeletionResponse {
        try await send(KMS.CancelKeyDeletionRequest(keyId: keyId))
    }

    /// CreateAlias (`aliasName` begins with `alias/`).
    public func createAlias(aliasName: String, targetKeyId: String) async throws {
        _ = try await send(KMS.CreateAliasRequest(aliasName: aliasName, targetKeyId: targetKeyId))
    }

    /// UpdateAlias: point an alias at another key.
    public func updateAlias(aliasName: String, targetKeyId: String) async throws {
        _ = try await send(KMS.UpdateAliasRequest(aliasName: aliasName, targetKeyId: targetKeyId))
    }

    /// DeleteAlias.
    public func deleteAlias(aliasName: String) async throws {
        _ = try await send(KMS.DeleteAliasRequest(aliasName: aliasName))
    }

    /// One page of ListAliases, of one key or of all.
    public func listAliases(keyId: String? = nil, limit: Int? = nil, marker: String? = nil) async throws
        -> KMS.ListAliasesResponse
    {
        try await send(KMS.ListAliasesRequest(keyId: keyId, limit: limit, marker: marker))
    }
}
