import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigilKMS

/// `POST /`: the KMS JSON 1.1 protocol, as a pipeline of middleware whose order is read
/// here, in ``addRoutes(to:service:configuration:logger:refusalLimits:)``:
///
/// 1. ``RequestIdentityMiddleware``: the request id and origin; the answer as KMS JSON
///    (errors as `{"__type", "message"}` with KMS's statuses, anything unexpected as a
///    logged 500 with no internals in the body); the metrics.
/// 2. ``BodyLimitMiddleware``: the body, read whole up to the configured size.
/// 3. ``SigV4AuthenticationMiddleware``: the operation (`X-Amz-Target`) and the caller.
/// 4. ``AuditStage``, the route's responder: runs the operation
///    (``KeyHolderService/perform(_:body:caller:)``, which authorizes the caller on the key
///    it names against the key policy, the identity policy and the account's request
///    quota, and does the work) and records the event of every request from what the
///    operation returned or threw, durable before the answer leaves; refusals of the
///    stages before it are recorded here too.
///
/// Quotas are counted with authorization, inside the operation, rather than as a stage of
/// their own: a request is charged to the account that owns the key it uses, which only
/// the operation finds out.
enum KMSEndpoint {
    static let contentType = "application/x-amz-json-1.1"
    /// The header naming the operation.
    static let targetHeader = HTTPField.Name("X-Amz-Target")!
    /// The most UTF-8 bytes kept of the text an anonymous caller controls (its user
    /// agent, an error message quoting its headers) in the event of a refusal before
    /// authentication.
    static let maximumAnonymousField = 256
    /// What the audit log records of a request that failed inside the key holder.
    static let internalFailure = KMSError.internalFailure("The key holder failed to process the request")

    /// Installs the pipeline and the operation on `router`.
    static func addRoutes(
        to router: Router<KeyHolderRequestContext>, service: KeyHolderService, configuration: KeyHolderConfiguration,
        logger: Logger, refusalLimits: RefusalSummaries.Limits = .init()
    ) {
        _ = fileSizeSignalIgnored
        // A group: the pipeline is the one route's, and any other path or method is
        // answered 404 by the router without it.
        router.group()
            .add(middleware: RequestIdentityMiddleware(configuration: configuration, metrics: service.metrics))
            .add(middleware: BodyLimitMiddleware(maximumBodySize: configuration.maximumBodySize))
            .add(middleware: SigV4AuthenticationMiddleware(service: service, region: configuration.region))
            .post(
                "/",
                use: AuditStage(
                    service: service, configuration: configuration, refusals: RefusalSummaries(limits: refusalLimits),
                    logger: logger
                ).respond)
    }

    /// A write past the process's file-size limit (`ulimit -f`) must fail with EFBIG —
    /// which the store reports and the request then fails on, closed — rather than kill
    /// the server with SIGXFSZ.
    private static let fileSizeSignalIgnored: Void = { _ = signal(SIGXFSZ, SIG_IGN) }()
}
