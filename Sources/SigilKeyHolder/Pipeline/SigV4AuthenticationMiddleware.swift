import Foundation
import Hummingbird
import SigilKMS
import SigilKeyStore

/// Names the operation (`X-Amz-Target`) and the caller (SigV4 against the store's access
/// keys, the operation's name among the signed headers): the request goes on as an
/// authenticated ``Call``, or refused, for the audit middleware to record. SigV4's
/// refusals never quote the request's `Authorization` header (``redacting(_:authorization:)``).
struct SigV4AuthenticationMiddleware: RouterMiddleware {
    typealias Context = KeyHolderRequestContext

    let service: KeyHolderService
    let verifier: SigV4.Verifier

    init(service: KeyHolderService, region: String) {
        self.service = service
        // The operation name must be signed too, so a captured request cannot be replayed
        // as another operation within the five-minute window (every AWS SDK signs it).
        verifier = SigV4.Verifier(region: region, requiredSignedHeaders: ["host", "x-amz-date", "x-amz-target"])
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard case .pending = context.admission else { return try await next(request, context) }
        var context = context
        var operationName = "unknown"
        do {
            guard let target = request.headers[KMSEndpoint.targetHeader] else {
                throw KMSError.unknownOperation("The request has no X-Amz-Target header naming the operation")
            }
            guard let operation = KMSOperation(target: target) else {
                throw KMSError.unknownOperation("Unknown operation \(target)")
            }
            operationName = operation.rawValue
            let principal = try authenticate(request, body: context.body, now: context.origin.time)
            context.admission = .authenticated(
                Call(
                    principal: principal, operation: operation, requestID: context.requestID, origin: context.origin,
                    userAgent: request.headers[.userAgent]))
        } catch {
            context.admission = .refused(error, operation: operationName)
        }
        return try await next(request, context)
    }

    func authenticate(_ request: Request, body: Data, now: Date) throws -> Principal {
        var headers = request.headers.map { SigV4.Request.Header($0.name.rawName, $0.value) }
        // HTTP/1.1's Host header arrives as the request's authority.
        if let authority = request.head.authority, !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.append(SigV4.Request.Header("host", authority))
        }
        let signed = SigV4.Request(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: body)
        let store = service.store
        var found: Credential? = nil
        do {
            _ = try verifier.verify(signed, now: now) { accessKeyID in
                found = try service.cache.credential(accessKeyID: accessKeyID, now: now) {
                    try store.credential(accessKeyID: accessKeyID)
                }
                return found?.secretAccessKey
            }
        } catch let error as KMSError {
            throw Self.redacting(error, authorization: request.headers[values: .authorization])
        }
        guard let credential = found else { throw KMSError.unrecognizedClient() }
        return Principal(
            arn: credential.principal, account: credential.account, uniqueID: credential.principalUniqueID,
            accessKeyID: credential.accessKeyID, identityPolicy: credential.identityPolicy)
    }

    /// `error` with every piece of the request's `Authorization` header that its message
    /// quotes replaced by `[redacted]`: some of SigV4's refusals quote the header, or a
    /// parameter of it, and neither the client's response (which proxies log) nor the
    /// audit log may echo a signature or a credential.
    ///
    /// The pieces are the whole value, each comma-separated parameter, each parameter's
    /// value, and each token between separators, of eight characters or more, replaced
    /// longest first (the first, when quoted whole, leaves little to search).
    static func redacting(_ error: KMSError, authorization values: [String]) -> KMSError {
        var pieces: Set<String> = []
        for value in values {
            pieces.insert(value)
            pieces.insert(SigV4.trimmingSpaces(value))
            for parameter in value.split(separator: ",") {
                let trimmed = SigV4.trimmingSpaces(parameter)
                pieces.insert(trimmed)
                if let equals = trimmed.firstIndex(of: "=") { pieces.insert(String(trimmed[trimmed.index(after: equals)...])) }
            }
            for token in value.split(whereSeparator: { " ,=/;'\"".contains($0) }) { pieces.insert(String(token)) }
        }
        var message = error.message
        for piece in pieces.filter({ $0.count >= 8 }).sorted(by: { $0.count > $1.count })
        where piece.count <= message.count && message.contains(piece) {
            message = message.replacingOccurrences(of: piece, with: "[redacted]")
        }
        guard message != error.message else { return error }
        return KMSError(type: error.type, message: message, httpStatus: error.httpStatus)
    }
}
