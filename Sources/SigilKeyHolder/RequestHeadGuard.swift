import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

// Hummingbird's HTTP/1 channel closes connections idle between requests, and NIO's
// decoder caps the header fields it has parsed; neither bounds the time a request head
// may take (a slowloris sending a byte a second is never idle), and neither counts a
// request line that never ends. Two handlers add that: one before the HTTP decoder,
// which sees every byte, and one after it, which sees where each request's head ends
// and when its response is finished.

/// HTTP/1.1 whose request heads are bounded in time and size (see ``ConnectionLimits``),
/// and whose idle connections are closed.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    private let base: HTTP1Channel
    private let limits: ConnectionLimits

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits) {
        // The decoder's own caps stop a head that arrives whole in one read; the watch
        // stops one that arrives in pieces.
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maximumHeaderBytes, maxHeaderListSize: limits.maximumHeaderBytes)
        base = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [RequestHeadProgress()], idleTimeout: TimeAmount(limits.idleTimeout),
                httpDecoderConfiguration: decoder))
        self.limits = limits
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // First in the pipeline (after TLS, when there is TLS): it sees decrypted bytes
            // before the decoder, and its clock runs from the connection's opening, so a
            // handshake that never finishes is cut too.
            try channel.pipeline.syncOperations.addHandler(
                RequestHeadWatch(timeout: TimeAmount(limits.headerTimeout), maximumBytes: limits.maximumHeaderBytes, logger: logger))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 under ``ConnectionLimits`` (all but the connection cap, which is the
    /// server's, not a connection's).
    static func guardedHTTP1(_ limits: ConnectionLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits) }
    }
}

/// A request head grew past the limit before it was complete.
struct RequestHeadTooLarge: Error {}

/// Before the HTTP decoder: runs the head's clock and counts its bytes.
///
/// A head is awaited from the connection's opening, and again from the first byte that
/// follows a finished exchange (the wait for that byte is the idle timeout's business).
/// If the head is not complete when ``timeout`` runs out the connection is closed; if it
/// is still incomplete after more than ``maximumBytes`` bytes, ``RequestHeadTooLarge`` goes
/// down the pipeline to ``RequestHeadProgress``, which answers 431.
final class RequestHeadWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase {
        /// Not yet active.
        case opening
        /// Reading a head, this many bytes of it so far; the clock runs.
        case awaitingHead(bytes: Int)
        /// A head arrived; its request or response is not finished.
        case inExchange
        /// Every request read and answered: waiting for the next request's first byte.
        case idle
        /// Refused (too large or too slow): further bytes are dropped.
        case refused
    }

    private let timeout: TimeAmount
    private let maximumBytes: Int
    private let logger: Logger
    private var phase = Phase.opening
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, maximumBytes: Int, logger: Logger) {
        self.timeout = timeout
        self.maximumBytes = maximumBytes
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { awaitHead(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopClock()
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .opening = phase { awaitHead(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopClock()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .refused:
            return
        case .idle, .opening:
            awaitHead(context)
        case .awaitingHead, .inExchange:
            break
        }
        let count = unwrapInboundIn(data).readableBytes
        if case .awaitingHead(let bytes) = phase { phase = .awaitingHead(bytes: bytes + count) }
        context.fireChannelRead(data)
        // The decoder has had these bytes: if the head is still incomplete, all of them are head.
        if case .awaitingHead(let bytes) = phase, bytes > maximumBytes {
            phase = .refused
            stopClock()
            context.fireErrorCaught(RequestHeadTooLarge())
        }
    }

    /// A request's head has been decoded: its clock stops.
    func headArrived() {
        guard case .awaitingHead = phase else { return }
        stopClock()
        phase = .inExchange
    }

    /// Every request so far has been read to its end and answered.
    func exchangesFinished() {
        guard case .inExchange = phase else { return }
        phase = .idle
    }

    private func awaitHead(_ context: ChannelHandlerContext) {
        phase = .awaitingHead(bytes: 0)
        stopClock()
        let logger = logger
        let timeout = timeout
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard case .awaitingHead(let bytes) = phase else { return }
            phase = .refused
            logger.debug(
                "closing a connection whose request head did not arrive in time",
                metadata: ["timeout": "\(timeout)", "bytes": "\(bytes)", "peer": "\(context.remoteAddress.map { "\($0)" } ?? "-")"])
            context.close(promise: nil)
        }
    }

    private func stopClock() {
        deadline?.cancel()
        deadline = nil
    }
}

/// After the HTTP decoder: tells ``RequestHeadWatch`` where heads end and exchanges
/// finish, and answers a head that is too large with 431 and a closed connection.
final class RequestHeadProgress: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var watch: RequestHeadWatch?
    /// Requests whose head has arrived but not their end.
    private var requestsBeingRead = 0
    /// Requests not yet answered to the end.
    private var responsesOwed = 0
    /// Whether a head was refused (the connection is closing).
    private var refused = false

    func handlerAdded(context: ChannelHandlerContext) {
        watch = try? context.pipeline.syncOperations.handler(type: RequestHeadWatch.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsBeingRead += 1
            responsesOwed += 1
            watch?.headArrived()
        case .body:
            break
        case .end:
            requestsBeingRead -= 1
            settle()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesOwed -= 1
            settle()
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is RequestHeadTooLarge || (error as? HTTPParserError) == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder and the watch may both find the same head too large: answer once.
        guard !refused else { return }
        refused = true
        // Answer only when no response is under way on this connection: a 431 must not
        // land in the middle of another response's bytes.
        if responsesOwed == 0 {
            let head = HTTPResponse(
                status: .requestHeaderFieldsTooLarge, headerFields: [.connection: "close", .contentLength: "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    private func settle() {
        if requestsBeingRead == 0, responsesOwed == 0 { watch?.exchangesFinished() }
    }
}
