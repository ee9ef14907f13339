import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import SigilKMS
import SigilKeyStore

/// The last stage: runs the operation of an authenticated request, and records every
/// request in the audit log before it is answered, from how it ended — the facts the
/// operation returned with its response or threw with its error, or the refusal an
/// earlier stage decided on.
///
/// The log fails closed: a request whose event cannot be made durable (the disk is full,
/// the log is broken, the writer's queue is full) fails with an internal error instead
/// of its result, so no signature, plaintext or data key leaves without its event in the
/// log. A request that changed state had its event appended with the change, and gets
/// no second one unless it fails after all. Refusals before authentication are the
/// exception that proves the rule: only the first few from each source are recorded one
/// by one, the rest are counted into summaries (see ``RefusalSummaries``).
///
/// It is the route's responder rather than a middleware: the operation's facts come back
/// as values from the call it makes, where a middleware would only see the response.
struct AuditStage: Sendable {
    typealias Context = KeyHolderRequestContext

    /// Why a request failed that had everything but its audit event.
    struct Unrecorded: Error {}

    let service: KeyHolderService
    let configuration: KeyHolderConfiguration
    let refusals: RefusalSummaries
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        recordSummaries(refusals.endedSummaries(at: context.origin.time))
        switch context.admission {
        case .pending:
            preconditionFailure("the audit stage runs after authentication has decided")
        case .refused(let error, let operation):
            try await recording(context, operation: operation) { try await recordRefusal(error, operation: operation, request, context) }
            throw error
        case .authenticated(let call):
            let performed: KeyHolderService.Performed
            do {
                performed = try await service.perform(call.operation, body: context.body, caller: call)
            } catch {
                try await recording(context, operation: call.operation.rawValue) {
                    try await record(call, error.facts, failure: Self.failure(error.error))
                }
                throw error.error
            }
            if !performed.facts.recorded {
                try await recording(context, operation: call.operation.rawValue) { try await record(call, performed.facts, failure: nil) }
            }
            var headers = HTTPFields()
            headers[.contentType] = KMSEndpoint.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: performed.body)))
        }
    }

    /// How an error reads in the audit log: itself when it is a KMS error, otherwise the
    /// internal failure its caller is answered with.
    static func failure(_ error: any Error) -> KMSError {
        error as? KMSError ?? KMSEndpoint.internalFailure
    }

    /// Runs `record`; when it fails, logs that and throws ``Unrecorded``, so that whatever
    /// the answer held (a signature, a plaintext, a data key) is dropped.
    private func recording(_ context: Context, operation: String, _ record: () async throws -> Void) async throws {
        do {
            try await record()
        } catch {
            context.logger.error(
                "the request's audit event could not be recorded, so it fails and releases nothing",
                metadata: ["operation": "\(operation)", "error": "\(error)"])
            throw Unrecorded()
        }
    }

    /// Appends the event of an authenticated request and returns once it is durable.
    private func record(_ call: Call, _ facts: Call.Facts, failure: KMSError?) async throws {
        let event = KeyHolderService.auditEvent(
            call: call, facts: facts, region: configuration.region, account: configuration.accountID,
            now: configuration.now(), error: failure)
        try await service.store.recordAuditDurably(event)
    }

    /// Appends the event of a request refused before SigV4 named a caller, or counts it.
    /// Who claimed to call is not known, and what the request carries is the sender's to
    /// choose, so it is kept short.
    private func recordRefusal(_ error: any Error, operation: String, _ request: Request, _ context: Context) async throws {
        let origin = context.origin
        let (admission, ended) = refusals.admit(source: origin.sourceAddress, at: origin.time)
        recordSummaries(ended)
        if case .counted(let opensSummary) = admission {
            if opensSummary { scheduleSummaries(after: origin.time) }
            return
        }
        let failure = Self.failure(error)
        let limit = KMSEndpoint.maximumAnonymousField
        let event = AuditEvent(
            time: origin.time, requestID: context.requestID, region: configuration.region,
            account: configuration.accountID, sourceAddress: origin.sourceAddress,
            userAgent: request.headers[.userAgent].map { AuditEvent.truncated($0, toUTF8Bytes: limit) },
            operation: operation, outcome: KeyHolderService.outcome(of: failure),
            errorCode: AuditEvent.truncated(failure.type, toUTF8Bytes: limit),
            errorMessage: AuditEvent.truncated(failure.message, toUTF8Bytes: limit))
        try await service.store.recordAuditDurably(event)
    }

    /// Queues the summaries of refusals counted in windows that ended. Nothing waits for
    /// them, so they go through the writer's retrying queue.
    func recordSummaries(_ summaries: [RefusalSummaries.Summary]) {
        for summary in summaries {
            let event = summary.event(
                requestID: RequestID.next(), region: configuration.region, account: configuration.accountID,
                now: configuration.now())
            do {
                try service.store.recordAudit(event)
            } catch {
                logger.error("the audit log refused a summary of refusals", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes the current window's summaries when it ends, even if no request comes
    /// then to notice.
    func scheduleSummaries(after now: Date) {
        let delay = min(max(refusals.endOfWindow(at: now).timeIntervalSince(now), 0), refusals.limits.interval)
        let audit = self
        Task {
            try? await Task.sleep(for: .seconds(delay + 0.1))
            audit.recordSummaries(audit.refusals.endedSummaries(at: audit.configuration.now()))
        }
    }
}
