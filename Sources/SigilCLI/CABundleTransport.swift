import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Sigil
import SigilKMS
import SigilCrypto

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends KMS requests over HTTPS trusting the certificates of a PEM bundle
/// (`--ca-bundle`, `$AWS_CA_BUNDLE`), as the AWS CLI's option of the same name does.
///
/// URLSession on Linux takes no trust roots of its own (checked: neither SSL_CERT_FILE
/// nor CURL_CA_BUNDLE reaches it), so a key holder with a private CA needs this client.
struct CABundleTransport: KMSTransport {
    let client: HTTPClient
    let bundle: String

    /// The most a response body may be; KMS responses are a few KiB.
    static let maximumResponse = 4 << 20

    /// A transport trusting the certificates in `bundle`, which must exist and be PEM.
    init(bundle: String) throws {
        guard FileManager.default.isReadableFile(atPath: bundle) else {
            throw SigilError(.invalidArgument, "the CA bundle \(bundle) cannot be read")
        }
        do {
            _ = try NIOSSLCertificate.fromPEMFile(bundle)
        } catch {
            throw SigilError(.invalidArgument, "the CA bundle \(bundle) is not a PEM certificate file: \(error)")
        }
        self.bundle = bundle
        self.client = Self.client(trusting: bundle)
    }

    /// One client per bundle for the life of the process (an HTTPClient must be shut
    /// down before it is released; kept here, it never is).
    private static let clients = Locked<[String: HTTPClient]>([:])

    private static func client(trusting bundle: String) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[bundle] { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(bundle)
            tls.minimumTLSVersion = .tlsv12
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
            clients[bundle] = client
            return client
        }
    }

    func send(_ request: URLRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        guard let url = request.url else { throw SigilError(.invalidArgument, "a request without a URL") }
        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.httpMethod ?? "POST")
        for (name, value) in request.allHTTPHeaderFields ?? [:] {
            outgoing.headers.add(name: name, value: value)
        }
        if let body = request.httpBody {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = TimeAmount.seconds(Int64(max(1, request.timeoutInterval.rounded())))
        let response = try await client.execute(outgoing, deadline: .now() + timeout)
        let body = try await response.body.collect(upTo: Self.maximumResponse)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name] = header.value }
        return (Int(response.status.code), headers, Data(body.readableBytesView))
    }
}
