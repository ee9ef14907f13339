// AsyncHTTPClient is the CLI's and the tests' HTTP stack. The fuzz harnesses build
// SigilKMS with swiftc alone, without the package's dependencies: there the client has
// no default transport (as SigilCrypto's P256Verifier has no swift-crypto there).
#if canImport(AsyncHTTPClient)
public import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// ``KMSTransport`` over AsyncHTTPClient (SwiftNIO; TLS through swift-nio-ssl).
public struct HTTPClientTransport: KMSTransport {
    /// The client in use.
    public let client: HTTPClient
    /// How long one request may take, connecting included.
    public let timeout: Duration

    /// The most a response body may be; KMS responses are a few KiB.
    public static let maximumResponse = 4 << 20

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - client: The client; the process-wide shared one (system trust roots) by default.
    ///     A client made here must be shut down by its owner, after the last request.
    ///   - timeout: The deadline of each request; 60 seconds, as URLRequest's default.
    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(60)) {
        self.client = client
        self.timeout = timeout
    }

    public func send(_ request: KMSHTTPRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.httpMethod)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        outgoing.body = .bytes(ByteBuffer(bytes: request.httpBody))
        let response = try await client.execute(outgoing, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: Self.maximumResponse)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name] = header.value }
        return (Int(response.status.code), headers, Data(body.readableBytesView))
    }
}

extension KMSClient {
    /// The transport a client gets when given none: AsyncHTTPClient's shared client.
    @usableFromInline
    static func defaultTransport() -> any KMSTransport { HTTPClientTransport() }
}
#else
internal import Foundation

extension KMSClient {
    /// No HTTP stack in this build: a transport must be given.
    @usableFromInline
    static func defaultTransport() -> any KMSTransport { MissingTransport() }
}

/// What a client without a transport sends with: nothing.
struct MissingTransport: KMSTransport {
    func send(_ request: KMSHTTPRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        throw KMSError(type: "HTTPError", message: "this build has no HTTP client; give KMSClient a transport", httpStatus: 0)
    }
}
#endif
