import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The answer to every request: a JSON object of exactly 200 bytes, sent as KMS sends its
/// answers. Its content is padding; only its size and headers matter to the client.
let answer: ByteBuffer = {
    let opening = #"{"Floor":""#
    let closing = #""}"#
    let padding = String(repeating: "x", count: 200 - opening.utf8.count - closing.utf8.count)
    return ByteBuffer(string: opening + padding + closing)
}()

/// The largest request body read, as the key holder's default `maximumBodySize`.
let maximumBodySize = 1 << 20

/// One route, `POST /`: read the whole request body, as the key holder does before it
/// authenticates, then answer ``answer``.
func buildRouter() -> Router<BasicRequestContext> {
    let router = Router()
    router.post("/") { request, _ -> Response in
        _ = try await request.body.collect(upTo: maximumBodySize)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.1"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: answer))
    }
    return router
}

/// The floor server on 127.0.0.1:`port`, HTTP/1.1 without TLS, on half the cores' worth of
/// event loops (at least one): the key holder's `connectionThreads`
/// (Sources/SigilKeyHolder/KeyHolderApplication.swift).
func buildApplication(port: Int) -> some ApplicationProtocol {
    var logger = Logger(label: "hummingbird-floor")
    logger.logLevel = .warning
    return Application(
        router: buildRouter(),
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "hummingbird-floor"),
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))),
        logger: logger)
}
