public import Foundation

/// An error of the KMS JSON protocol: the `__type` and `message` of the response body,
/// and the HTTP status it travels with.
///
/// The key holder throws these to answer a request; ``KMSClient`` throws them when the
/// key holder answers with one. Two errors are equal when their types are equal; the
/// message is for people.
///
/// Statuses follow AWS KMS: 400 for every client error type; `KMSInternalException`,
/// `DependencyTimeoutException` and `KeyUnavailableException` 500; and, for a body the key
/// holder will not read, `RequestEntityTooLarge` 413.
public struct KMSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error type without a namespace, such as `NotFoundException`.
    public let type: String
    /// The explanation for people. Never holds key material.
    public let message: String
    /// The HTTP status of the response that carries the error.
    public let httpStatus: Int

    /// Creates an error with the status its type calls for.
    ///
    /// - Parameters:
    ///   - type: The error type, such as `ValidationException`; a namespace prefix
    ///     (`com.amazonaws.kms#`) is removed.
    ///   - message: The explanation for people.
    public init(type: String, message: String) {
        let bare = Self.bareType(type)
        self.type = bare
        self.message = message
        self.httpStatus = Self.status(ofBare: bare)
    }

    /// Creates an error with an explicit status, as read from a response.
    ///
    /// - Parameters:
    ///   - type: The error type; a namespace prefix is removed.
    ///   - message: The explanation for people.
    ///   - httpStatus: The status it came with.
    public init(type: String, message: String, httpStatus: Int) {
        self.type = Self.bareType(type)
        self.message = message
        self.httpStatus = httpStatus
    }

    /// `Type: message`, or the type alone for an error AWS sends without a message.
    public var description: String { message.isEmpty ? type : "\(type): \(message)" }

    public static func == (lhs: KMSError, rhs: KMSError) -> Bool { lhs.type == rhs.type }

    public func hash(into hasher: inout Hasher) { hasher.combine(type) }

    /// The status for a type, as AWS KMS answers: 400 for every client error (NotFound,
    /// Disabled, KMSInvalidState and AlreadyExists included), 5xx only for its own failures.
    public static func defaultStatus(for type: String) -> Int {
        status(ofBare: bareType(type))
    }

    private static func status(ofBare type: String) -> Int {
        switch type {
        case "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException": return 500
        case requestEntityTooLargeType: return 413
        default: return 400
        }
    }

    /// `com.amazonaws.kms#NotFoundException` and `NotFoundException:http://…` (the
    /// `x-amzn-ErrorType` header's form) both become `NotFoundException`, as botocore
    /// reads them.
    ///
    /// Every error the key holder makes passes through here, so a type that is bare
    /// already (the usual case) is returned as it is, without a copy.
    static func bareType(_ type: String) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let bytes = type.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: ":") || isSpace($0) }) else {
            return type
        }
        var bare = Substring(type)
        if let hash = bare.lastIndex(of: "#") { bare = bare[bare.index(after: hash)...] }
        if let colon = bare.firstIndex(of: ":") { bare = bare[..<colon] }
        let start = bare.utf8.firstIndex { !isSpace($0) } ?? bare.utf8.endIndex
        let end = bare.utf8.lastIndex { !isSpace($0) }.map { bare.utf8.index(after: $0) } ?? start
        return String(bare[start..<end])
    }
}

// MARK: - The body

extension KMSError {
    private struct Body: Codable {
        var type: String?
        var message: String?
        var capitalizedMessage: String?

        enum CodingKeys: String, CodingKey {
            case type = "__type"
            case message
            case capitalizedMessage = "Message"
        }
    }

    /// The response body: `{"__type":"…","message":"…"}`, or `{"__type":"…"}` alone for an
    /// error without a message (InvalidCiphertextException, KMSInvalidSignatureException),
    /// as AWS KMS sends them: the members AWS sends and no others.
    public var jsonBody: Data {
        let body = Body(type: type, message: message.isEmpty ? nil : message)
        // Encoding two optional strings cannot fail.
        return (try? Self.bodyEncoder.encode(body)) ?? Data("{\"__type\":\"KMSInternalException\"}".utf8)
    }

    private static let bodyEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Reads the error of a failed response.
    ///
    /// Accepts `__type` with or without a namespace, `message` or `Message`, and the
    /// `x-amzn-ErrorType` header when the body names no type. A body that is not a KMS
    /// error (a proxy's HTML page, say) becomes an error of type `HTTP<status>` quoting
    /// the start of the body.
    ///
    /// - Parameters:
    ///   - httpStatus: The response's status.
    ///   - body: The response body.
    ///   - errorTypeHeader: The `x-amzn-ErrorType` header, if any.
    public init(httpStatus: Int, body: Data, errorTypeHeader: String? = nil) {
        let parsed = try? JSONDecoder().decode(Body.self, from: body)
        let message = parsed?.message ?? parsed?.capitalizedMessage ?? ""
        if let type = parsed?.type ?? errorTypeHeader, !Self.bareType(type).isEmpty {
            self.init(type: type, message: message, httpStatus: httpStatus)
        } else {
            let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            self.init(
                type: "HTTP\(httpStatus)",
                message: "HTTP status \(httpStatus) without a KMS error body" + (excerpt.isEmpty ? "" : ": \(excerpt)"),
                httpStatus: httpStatus)
        }
    }
}

// MARK: - The types

extension KMSError {
    /// `NotFoundException` (400): no such key or alias.
    public static func notFound(_ message: String = "The specified resource does not exist.") -> KMSError {
        KMSError(type: "NotFoundException", message: message)
    }
    /// `DisabledException` (400): the key is disabled.
    public static func disabled(_ message: String = "The key is disabled.") -> KMSError {
        KMSError(type: "DisabledException", message: message)
    }
    /// `KMSInvalidStateException` (400): the key's state does not allow the operation
    /// (pending deletion, for example).
    public static func invalidState(_ message: String = "The key is not in a valid state for this operation.")
        -> KMSError
    {
        KMSError(type: "KMSInvalidStateException", message: message)
    }
    /// `AlreadyExistsException` (400): the alias exists already.
    public static func alreadyExists(_ message: String = "The resource already exists.") -> KMSError {
        KMSError(type: "AlreadyExistsException", message: message)
    }
    /// `InvalidCiphertextException` (400): the ciphertext or its encryption context is not
    /// right. Without a message, as AWS KMS sends it: a caller probing ciphertexts learns
    /// nothing from the text.
    public static func invalidCiphertext() -> KMSError {
        KMSError(type: "InvalidCiphertextException", message: "")
    }
    /// `IncorrectKeyException` (400): the ciphertext was made under another key than the one
    /// named; the message is AWS's.
    public static func incorrectKey(
        _ message: String = "The key ID in the request does not identify a CMK that can perform this operation."
    ) -> KMSError {
        KMSError(type: "IncorrectKeyException", message: message)
    }
    /// `InvalidKeyUsageException` (400): the key's usage or spec does not allow the operation or algorithm.
    public static func invalidKeyUsage(_ message: String = "The key usage does not allow this operation.") -> KMSError {
        KMSError(type: "InvalidKeyUsageException", message: message)
    }
    /// `KMSInvalidSignatureException` (400): Verify found the signature invalid. Without a
    /// message, as AWS KMS sends it.
    public static func invalidSignature() -> KMSError {
        KMSError(type: "KMSInvalidSignatureException", message: "")
    }
    /// `UnsupportedOperationException` (400): the operation is not supported for this key or by Sigil.
    public static func unsupportedOperation(_ message: String = "The operation is not supported.") -> KMSError {
        KMSError(type: "UnsupportedOperationException", message: message)
    }
    /// `ValidationException` (400): a member is missing, out of range or not an allowed value.
    public static func validation(_ message: String) -> KMSError {
        KMSError(type: "ValidationException", message: message)
    }
    /// `SerializationException` (400): the body is not JSON, or a member has the wrong JSON type.
    public static func serialization(_ message: String) -> KMSError {
        KMSError(type: "SerializationException", message: message)
    }
    /// `AccessDeniedException` (400): the key policy does not allow the caller.
    public static func accessDenied(_ message: String) -> KMSError {
        KMSError(type: "AccessDeniedException", message: message)
    }
    /// `ThrottlingException` (400): over the request rate; the AWS SDKs retry it.
    public static func throttling(_ message: String = "Rate exceeded") -> KMSError {
        KMSError(type: "ThrottlingException", message: message)
    }
    /// `UnknownOperationException` (400): the `X-Amz-Target` names no operation Sigil serves.
    public static func unknownOperation(_ message: String = "The requested operation is not supported.") -> KMSError {
        KMSError(type: "UnknownOperationException", message: message)
    }
    /// `InvalidSignatureException` (400): the SigV4 signature does not match, has expired,
    /// or is scoped to another region or service.
    public static func invalidRequestSignature(_ message: String) -> KMSError {
        KMSError(type: "InvalidSignatureException", message: message)
    }
    /// `IncompleteSignatureException` (400): the `Authorization` header or `X-Amz-Date` is malformed.
    public static func incompleteSignature(_ message: String) -> KMSError {
        KMSError(type: "IncompleteSignatureException", message: message)
    }
    /// `MissingAuthenticationTokenException` (400): no `Authorization` header.
    public static func missingAuthenticationToken(_ message: String = "Request is missing Authentication Token") -> KMSError {
        KMSError(type: "MissingAuthenticationTokenException", message: message)
    }
    /// `UnrecognizedClientException` (400): the access key id is not known.
    public static func unrecognizedClient(_ message: String = "The security token included in the request is invalid.") -> KMSError {
        KMSError(type: "UnrecognizedClientException", message: message)
    }
    /// `KMSInternalException` (500): something failed inside the key holder. The message
    /// must not reveal internals.
    public static func internalFailure(_ message: String = "An internal error occurred.") -> KMSError {
        KMSError(type: "KMSInternalException", message: message)
    }
    /// `DependencyTimeoutException` (500): a dependency (the store) did not answer in time.
    public static func dependencyTimeout(_ message: String = "The system timed out while trying to fulfill the request.") -> KMSError {
        KMSError(type: "DependencyTimeoutException", message: message)
    }
    /// `KeyUnavailableException` (500): the key material cannot be reached now.
    public static func keyUnavailable(_ message: String = "The key is unavailable.") -> KMSError {
        KMSError(type: "KeyUnavailableException", message: message)
    }
    /// `LimitExceededException` (400): a quota on the number of keys, aliases or tags.
    public static func limitExceeded(_ message: String) -> KMSError {
        KMSError(type: "LimitExceededException", message: message)
    }
    /// `InvalidAliasNameException` (400): the alias name is malformed or reserved (`alias/aws/`).
    public static func invalidAliasName(_ message: String) -> KMSError {
        KMSError(type: "InvalidAliasNameException", message: message)
    }
    /// `InvalidArnException` (400): an ARN is malformed or names another region or account.
    public static func invalidArn(_ message: String) -> KMSError {
        KMSError(type: "InvalidArnException", message: message)
    }
    /// `InvalidMarkerException` (400): the paging `Marker` is not one Sigil gave out.
    public static func invalidMarker(_ message: String = "The marker is not valid.") -> KMSError {
        KMSError(type: "InvalidMarkerException", message: message)
    }
    /// `InvalidGrantTokenException` (400): a grant token is not valid.
    public static func invalidGrantToken(_ message: String) -> KMSError {
        KMSError(type: "InvalidGrantTokenException", message: message)
    }
    /// `TagException` (400): a tag key or value is not valid.
    public static func tag(_ message: String) -> KMSError {
        KMSError(type: "TagException", message: message)
    }
    /// `MalformedPolicyDocumentException` (400): the key policy is not a valid policy.
    public static func malformedPolicyDocument(_ message: String) -> KMSError {
        KMSError(type: "MalformedPolicyDocumentException", message: message)
    }
    /// `RequestEntityTooLarge` (413): the body is over the key holder's limit.
    public static func requestEntityTooLarge(_ message: String = "Request body is too large.") -> KMSError {
        KMSError(type: requestEntityTooLargeType, message: message)
    }
    /// The type of ``requestEntityTooLarge(_:)``.
    public static let requestEntityTooLargeType = "RequestEntityTooLarge"
}
