import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SigilCrypto
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
        let requestID = Self.makeRequestID()
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

    /// A random (version 4) UUID in lowercase, as AWS request ids are. Made from
    /// OpenSSL's generator: Foundation's `UUID()` reads the kernel's on each call, which
    /// showed as 4% of a GenerateDataKey under load.
    static func makeRequestID() -> String {
        var bytes = (try? SecureRandom.bytes(count: 16)) ?? Array(UUID().uuidString.utf8.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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
