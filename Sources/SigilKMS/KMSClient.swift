public import Foundation

/// An HTTP request as ``KMSClient`` builds it: signed, ready to send. Transport-neutral,
/// so that the client needs no URLSession (and so no libcurl on Linux).
public struct KMSHTTPRequest: Sendable {
    /// The URL: the endpoint with its path.
    public var url: URL
    /// The method; always `POST` for KMS.
    public var httpMethod: String
    /// The headers, in the order signed.
    public var headers: [SigV4.Request.Header]
    /// The JSON body.
    public var httpBody: Data

    /// Creates a request.
    public init(url: URL, httpMethod: String, headers: [SigV4.Request.Header], httpBody: Data) {
        self.url = url
        self.httpMethod = httpMethod
        self.headers = headers
        self.httpBody = httpBody
    }

    /// The value of the header `name` (compared without case), as URLRequest answers it.
    public func value(forHTTPHeaderField name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends an HTTP request and returns the status, headers and body: the one thing
/// ``KMSClient`` needs from an HTTP stack, so that tests can stand in for the network.
public protocol KMSTransport: Sendable {
    /// Sends a request.
    ///
    /// - Parameter request: The signed request.
    /// - Returns: The response's status, headers (names as received) and body.
    /// - Throws: Whatever the HTTP stack throws (connection refused, timeout).
    func send(_ request: KMSHTTPRequest) async throws -> (status: Int, headers: [String: String], body: Data)
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
    ///   - transport: The HTTP stack; AsyncHTTPClient's shared client by default.
    ///   - clock: The signing clock; the system clock by default.
    public init(
        endpoint: URL, region: String, credentials: AWSCredentials,
        transport: any KMSTransport = KMSClient.defaultTransport(), clock: @escaping @Sendable () -> Date = { Date() }
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
        let httpRequest = try makeRequest(operation, body: KMSJSON.encode(request), date: clock())
        let (status, headers, body) = try await transport.send(httpRequest)
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
    public func makeRequest(_ operation: KMSOperation, body: Data, date: Date) throws -> KMSHTTPRequest {
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
        return KMSHTTPRequest(url: url.url ?? endpoint, httpMethod: "POST", headers: signed.headers, httpBody: body)
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
