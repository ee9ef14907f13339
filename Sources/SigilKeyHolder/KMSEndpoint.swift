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
        let started = ContinuousClock.now
        let requestID = Self.makeRequestID()
        var operationName = "unknown"
        var outcome = "success"
        var call: Call? = nil
        var failure: KMSError? = nil
        defer {
            record(call: call, operation: operationName, failure: failure, requestID: requestID, request: request, context: context)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            service.metrics.recordRequest(operation: operationName, outcome: outcome, seconds: seconds)
        }
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
            let principal = try await authenticate(request, body: bytes)
            let thisCall = Call(
                principal: principal, operation: operation, requestID: requestID, sourceAddress: context.remoteAddress,
                userAgent: request.headers[.userAgent])
            call = thisCall
            let response = try await service.perform(operation, body: bytes, caller: thisCall)
            return reply(.ok, response, requestID: requestID)
        } catch let error as KMSError {
            outcome = error.type
            failure = error
            logger.debug("request refused", metadata: ["operation": "\(operationName)", "error": "\(error.type)", "request": "\(requestID)"])
            return reply(.init(code: error.httpStatus), errorBody(error), requestID: requestID)
        } catch {
            outcome = "KMSInternalException"
            failure = KMSError.internalFailure("The key holder failed to process the request")
            logger.error("internal failure", metadata: ["operation": "\(operationName)", "error": "\(error)", "request": "\(requestID)"])
            let failure = KMSError.internalFailure("The key holder failed to process the request (request id \(requestID))")
            return reply(.internalServerError, errorBody(failure), requestID: requestID)
        }
    }

    /// Appends the request's event to the audit log: through the group-commit writer,
    /// unless the request changed state and its event went in with the change.
    func record(
        call: Call?, operation: String, failure: KMSError?, requestID: String, request: Request,
        context: KeyHolderRequestContext
    ) {
        let event: AuditEvent
        if let call {
            guard failure != nil || !call.gathered.recorded else { return }
            event = KeyHolderService.auditEvent(
                call: call, region: configuration.region, account: configuration.accountID, now: configuration.now(),
                error: failure)
        } else {
            // Refused before SigV4 named a caller: who claimed to call is not known.
            event = AuditEvent(
                time: configuration.now(), requestID: requestID, region: configuration.region,
                account: configuration.accountID, sourceAddress: context.remoteAddress,
                userAgent: request.headers[.userAgent], operation: operation,
                outcome: failure.map(KeyHolderService.outcome(of:)) ?? .failed, errorCode: failure?.type,
                errorMessage: failure?.message)
        }
        do {
            try service.store.auditWriter.record(event)
        } catch {
            logger.error("the audit log refused an event", metadata: ["request": "\(requestID)", "error": "\(error)"])
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
        return Principal(
            arn: credential.principal, account: credential.account, accessKeyID: credential.accessKeyID,
            identityPolicy: credential.identityPolicy)
    }

    /// A request id in the form of a lowercase UUID, as AWS request ids are: a random
    /// 64-bit prefix chosen once per process, then a counter, so that ids never repeat
    /// within a process and are unlikely to across restarts. Not a secret, so not drawn
    /// from the random generator per request (which showed in the key holder's profile).
    static func makeRequestID() -> String {
        let sequence = requestCounter.add(1, ordering: .relaxed).newValue
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, value) in [requestPrefix, sequence].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { text.append(UInt8(ascii: "-")) }
                text.append(digits[Int((value >> UInt64(60 - 4 * nibble)) & 0xF)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let requestPrefix = UInt64.random(in: .min ... .max)
    private static let requestCounter = Atomic<UInt64>(0)

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
