import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigilKMS
import SigilKeyStore

/// `POST /`: the KMS JSON 1.1 protocol. Reads the body (bounded), names the operation
/// from `X-Amz-Target`, verifies SigV4 against the store's access keys, performs the
/// operation, and answers JSON — errors as `{"__type", "message"}` with KMS's statuses,
/// anything unexpected as a logged 500 with no internals in the body.
struct KMSEndpoint: Sendable {
    let service: KeyHolderService
    let configuration: KeyHolderConfiguration
    let logger: Logger
    let verifier: SigV4.Verifier

    static let contentType = "application/x-amz-json-1.1"

    init(service: KeyHolderService, configuration: KeyHolderConfiguration, logger: Logger) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        // The operation name must be signed too, so a captured request cannot be replayed
        // as another operation within the five-minute window (every AWS SDK signs it).
        self.verifier = SigV4.Verifier(
            region: configuration.region, requiredSignedHeaders: ["host", "x-amz-date", "x-amz-target"])
    }

    func respond(to request: Request, context: KeyHolderRequestContext) async -> Response {
        let requestID = UUID().uuidString.lowercased()
        var operationName = "unknown"
        do {
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: configuration.maximumBodySize)
            } catch {
                throw KMSError.requestEntityTooLarge(
                    "The request body is larger than \(configuration.maximumBodySize) bytes")
            }
            let bytes = Data(body.readableBytesView)
            guard let target = request.headers[.init("X-Amz-Target")!] else {
                throw KMSError.unknownOperation("The request has no X-Amz-Target header naming the operation")
            }
            guard let operation = KMSOperation(target: target) else {
                throw KMSError.unknownOperation("Unknown operation \(target)")
            }
            operationName = operation.rawValue
            let caller = try await authenticate(request, body: bytes)
            let response = try await service.perform(operation, body: bytes, caller: caller)
            return reply(.ok, response, requestID: requestID)
        } catch let error as KMSError {
            logger.debug("request refused", metadata: ["operation": "\(operationName)", "error": "\(error.type)", "request": "\(requestID)"])
            return reply(.init(code: error.httpStatus), errorBody(error), requestID: requestID)
        } catch {
            logger.error("internal failure", metadata: ["operation": "\(operationName)", "error": "\(error)", "request": "\(requestID)"])
            let failure = KMSError.internalFailure("The key holder failed to process the request (request id \(requestID))")
            return reply(.internalServerError, errorBody(failure), requestID: requestID)
        }
    }

    func authenticate(_ request: Request, body: Data) async throws -> Principal {
        var headers = request.headers.map { SigV4.Request.Header($0.name.rawName, $0.value) }
        // HTTP/1.1's Host header arrives as the request's authority.
        if let authority = request.head.authority, !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.append(SigV4.Request.Header("host", authority))
        }
        let signed = SigV4.Request(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: body)
        let store = service.store
        let now = configuration.now()
        var found: Credential? = nil
        _ = try verifier.verify(signed, now: now) { accessKeyID in
            found = try service.cache.credential(accessKeyID: accessKeyID, now: now) {
                try store.credential(accessKeyID: accessKeyID)
            }
            return found?.secretAccessKey
        }
        guard let credential = found else { throw KMSError.unrecognizedClient() }
        return Principal(arn: credential.principal, account: credential.account, accessKeyID: credential.accessKeyID)
    }

    func errorBody(_ error: KMSError) -> Data {
        (try? JSONSerialization.data(withJSONObject: ["__type": error.type, "message": error.message], options: [.sortedKeys]))
            ?? Data("{}".utf8)
    }

    func reply(_ status: HTTPResponse.Status, _ body: Data, requestID: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        headers[.init("x-amzn-RequestId")!] = requestID
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
