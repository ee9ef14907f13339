import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigilCrypto
import SigilKMS
import SigilKeyStore
import Synchronization

/// `POST /`: the KMS JSON 1.1 protocol. Reads the body (bounded), names the operation
/// from `X-Amz-Target`, verifies SigV4 against the store's access keys, performs the
/// operation, records the request in the audit log, and only then answers JSON — errors
/// as `{"__type", "message"}` with KMS's statuses, anything unexpected as a logged 500
/// with no internals in the body.
///
/// The audit log fails closed: a request whose event cannot be made durable (the disk
/// is full, the log is broken, the writer's queue is full) is answered with
/// `KMSInternalException` instead of its result, so no signature, plaintext or data key
/// leaves without its event in the log. Refusals before authentication are the
/// exception that proves the rule: only the first few from each source are recorded
/// one by one, the rest are counted into summaries (see ``RefusalSummaries``).
struct KMSEndpoint: Sendable {
    let service: KeyHolderService
    let configuration: KeyHolderConfiguration
    let logger: Logger
    let verifier: SigV4.Verifier
    let refusals: RefusalSummaries

    static let contentType = "application/x-amz-json-1.1"
    /// The most UTF-8 bytes kept of the text an anonymous caller controls (its user
    /// agent, an error message quoting its headers) in the event of a refusal before
    /// authentication.
    static let maximumAnonymousField = 256

    init(
        service: KeyHolderService, configuration: KeyHolderConfiguration, logger: Logger,
        refusalLimits: RefusalSummaries.Limits = .init()
    ) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        // The operation name must be signed too, so a captured request cannot be replayed
        // as another operation within the five-minute window (every AWS SDK signs it).
        self.verifier = SigV4.Verifier(
            region: configuration.region, requiredSignedHeaders: ["host", "x-amz-date", "x-amz-target"])
        self.refusals = RefusalSummaries(limits: refusalLimits)
        _ = Self.fileSizeSignalIgnored
    }

    /// A write past the process's file-size limit (`ulimit -f`) must fail with EFBIG —
    /// which the store reports and the request then fails on, closed — rather than kill
    /// the server with SIGXFSZ.
    private static let fileSizeSignalIgnored: Void = { _ = signal(SIGXFSZ, SIG_IGN) }()

    /// How a request ended, before its event is recorded.
    struct Answer {
        var status: HTTPResponse.Status
        var body: Data
        /// The error the audit event records; `nil` for a success.
        var failure: KMSError?
        /// The outcome the metrics count: `success` or the error type.
        var outcome: String

        /// The answer to a request that failed inside the key holder: a 500 whose body
        /// holds the request id and nothing else of use.
        static func internalFailure(requestID: String) -> Answer {
            let failure = KMSError.internalFailure("The key holder failed to process the request")
            let shown = KMSError.internalFailure("The key holder failed to process the request (request id \(requestID))")
            return Answer(
                status: .internalServerError, body: KMSEndpoint.errorBody(shown), failure: failure,
                outcome: failure.type)
        }
    }

    func respond(to request: Request, context: KeyHolderRequestContext) async -> Response {
        let started = ContinuousClock.now
        let requestID = RequestID.next()
        // Every line logged for this request names it, as its response and audit event do.
        var logger = self.logger
        logger[metadataKey: "request"] = .string(requestID)
        let origin = RequestOrigin(request, context: context, configuration: configuration)
        recordSummaries(refusals.endedSummaries(at: origin.time))
        var operationName = "unknown"
        var call: Call? = nil
        var answer = await perform(
            request, requestID: requestID, origin: origin, logger: logger, operation: &operationName, call: &call)
        do {
            try await record(
                call: call, operation: operationName, failure: answer.failure, requestID: requestID, request: request,
                origin: origin)
        } catch {
            // Whatever the answer held (a signature, a plaintext, a data key) is dropped here.
            logger.error(
                "the request's audit event could not be recorded, so it fails and releases nothing",
                metadata: ["operation": "\(operationName)", "error": "\(error)"])
            answer = .internalFailure(requestID: requestID)
        }
        service.metrics.recordRequest(
            operation: operationName, outcome: answer.outcome, duration: ContinuousClock.now - started)
        return reply(answer.status, answer.body, requestID: requestID)
    }

    /// Reads, authenticates and performs the request; names its operation and, once
    /// SigV4 has named the caller, its ``Call``, for the audit event.
    ///
    /// - Parameter logger: The request's logger, its id already in the metadata.
    func perform(
        _ request: Request, requestID: String, origin: RequestOrigin, logger: Logger,
        operation operationName: inout String, call: inout Call?
    ) async -> Answer {
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
            let principal = try await authenticate(request, body: bytes, now: origin.time)
            let thisCall = Call(
                principal: principal, operation: operation, requestID: requestID, origin: origin,
                userAgent: request.headers[.userAgent])
            call = thisCall
            let response = try await service.perform(operation, body: bytes, caller: thisCall)
            return Answer(status: .ok, body: response, failure: nil, outcome: "success")
        } catch let error as KMSError {
            logger.debug("request refused", metadata: ["operation": "\(operationName)", "error": "\(error.type)"])
            return Answer(
                status: .init(code: error.httpStatus), body: Self.errorBody(error), failure: error, outcome: error.type)
        } catch {
            logger.error("internal failure", metadata: ["operation": "\(operationName)", "error": "\(error)"])
            return .internalFailure(requestID: requestID)
        }
    }

    /// Appends the request's event to the audit log and returns once it is durable —
    /// unless the request changed state and its event went in with the change, or it was
    /// refused before authentication and only counted (see ``RefusalSummaries``).
    ///
    /// - Throws: When the event cannot be recorded; the request must then fail.
    func record(
        call: Call?, operation: String, failure: KMSError?, requestID: String, request: Request, origin: RequestOrigin
    ) async throws {
        let event: AuditEvent
        if let call {
            guard failure != nil || !call.gathered.recorded else { return }
            event = KeyHolderService.auditEvent(
                call: call, region: configuration.region, account: configuration.accountID, now: configuration.now(),
                error: failure)
        } else {
            // Refused before SigV4 named a caller: who claimed to call is not known, and
            // what the request carries is the sender's to choose, so it is kept short.
            let (admission, ended) = refusals.admit(source: origin.sourceAddress, at: origin.time)
            recordSummaries(ended)
            if case .counted(let opensSummary) = admission {
                if opensSummary { scheduleSummaries(after: origin.time) }
                return
            }
            let limit = Self.maximumAnonymousField
            event = AuditEvent(
                time: origin.time, requestID: requestID, region: configuration.region,
                account: configuration.accountID, sourceAddress: origin.sourceAddress,
                userAgent: request.headers[.userAgent].map { AuditEvent.truncated($0, toUTF8Bytes: limit) },
                operation: operation, outcome: failure.map(KeyHolderService.outcome(of:)) ?? .failed,
                errorCode: failure.map { AuditEvent.truncated($0.type, toUTF8Bytes: limit) },
                errorMessage: failure.map { AuditEvent.truncated($0.message, toUTF8Bytes: limit) })
        }
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
        let endpoint = self
        Task {
            try? await Task.sleep(for: .seconds(delay + 0.1))
            endpoint.recordSummaries(endpoint.refusals.endedSummaries(at: endpoint.configuration.now()))
        }
    }

    func authenticate(_ request: Request, body: Data, now: Date) async throws -> Principal {
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


    static func errorBody(_ error: KMSError) -> Data {
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
