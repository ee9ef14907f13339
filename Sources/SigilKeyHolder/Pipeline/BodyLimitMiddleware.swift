import Foundation
import Hummingbird
import SigilKMS

/// Reads the request body whole, up to ``KeyHolderConfiguration/maximumBodySize``; a
/// larger one refuses the request (for the audit middleware to record) without being
/// read further.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = KeyHolderRequestContext

    let maximumBodySize: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        do {
            context.body = Data(try await request.body.collect(upTo: maximumBodySize).readableBytesView)
        } catch {
            context.admission = .refused(
                KMSError.requestEntityTooLarge("The request body is larger than \(maximumBodySize) bytes"),
                operation: "unknown")
        }
        return try await next(request, context)
    }
}
