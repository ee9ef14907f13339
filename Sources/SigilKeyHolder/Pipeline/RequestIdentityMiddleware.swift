import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigilKMS

/// The first stage of every request: gives it an id and an origin, answers what the
/// stages after it return or throw as KMS JSON, and counts it in the metrics.
///
/// A ``KMSError`` becomes `{"__type", "message"}` with its status; anything else is logged
/// and answered as a 500 that holds the request id and nothing of use to an attacker.
struct RequestIdentityMiddleware: RouterMiddleware {
    typealias Context = KeyHolderRequestContext

    let configuration: KeyHolderConfiguration
    let metrics: KeyHolderMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        context.requestID = RequestID.next()
        // Every line logged for this request names it, as its response and audit event do.
        context.logger[metadataKey: "request"] = .string(context.requestID)
        context.origin = RequestOrigin(request, context: context, configuration: configuration)
        var response: Response
        var failure: KMSError? = nil
        do {
            response = try await next(request, context)
        } catch let error as KMSError {
            failure = error
            context.logger.debug(
                "request refused", metadata: ["operation": "\(Self.operation(of: request))", "error": "\(error.type)"])
            response = Self.reply(.init(code: error.httpStatus), error.jsonBody)
        } catch {
            let internalError = KMSEndpoint.internalFailure
            failure = internalError
            // A request whose event could not be recorded was logged where that happened.
            if !(error is AuditStage.Unrecorded) {
                context.logger.error(
                    "internal failure", metadata: ["operation": "\(Self.operation(of: request))", "error": "\(error)"])
            }
            let shown = KMSError.internalFailure("\(internalError.message) (request id \(context.requestID))")
            response = Self.reply(.internalServerError, shown.jsonBody)
        }
        response.headers[.init("x-amzn-RequestId")!] = context.requestID
        // A body the key holder would not read names no operation, as it was never looked at.
        let label = failure?.type == KMSError.requestEntityTooLargeType ? "unknown" : Self.operation(of: request)
        metrics.recordRequest(
            operation: label, outcome: failure?.type ?? "success", duration: ContinuousClock.now - started)
        return response
    }

    /// The operation `X-Amz-Target` names, or `unknown`.
    static func operation(of request: Request) -> String {
        request.headers[KMSEndpoint.targetHeader].flatMap(KMSOperation.init(target:))?.rawValue ?? "unknown"
    }

    static func reply(_ status: HTTPResponse.Status, _ body: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = KMSEndpoint.contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
