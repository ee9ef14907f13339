import Foundation
public import Hummingbird
import Logging
import NIOCore
import SigilKMS

/// What one request carries through the key holder's pipeline (``KMSEndpoint``): set by
/// each middleware for the ones after it, never read back by the ones before.
public struct KeyHolderRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The IP address of the connection's peer.
    public let remoteAddress: String?
    /// The request's id, as `x-amzn-RequestId` and its audit event carry it
    /// (``RequestIdentityMiddleware``).
    var requestID = ""
    /// Where and when the request came from (``RequestIdentityMiddleware``).
    var origin = RequestOrigin(sourceAddress: nil, secureTransport: false, time: .distantPast)
    /// The request body, read whole up to the limit (``BodyLimitMiddleware``).
    var body = Data()
    /// Whether the request may go on, and who calls (``BodyLimitMiddleware``,
    /// ``SigV4AuthenticationMiddleware``).
    var admission = Admission.pending

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// How far a request got before the operation: the audit middleware records a refusal,
/// or lets an authenticated call through to the operation.
enum Admission: Sendable {
    /// Nothing has decided yet.
    case pending
    /// Refused before a caller was known: the body was too large, the operation unknown,
    /// or the signature did not verify. `operation` is what the audit event names.
    case refused(any Error, operation: String)
    /// SigV4 named the caller.
    case authenticated(Call)
}
