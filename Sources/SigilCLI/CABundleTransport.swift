import AsyncHTTPClient
import Foundation
import NIOSSL
import Sigil
import SigilCommands
import SigilKMS

/// The transport for a key holder whose certificate a PEM bundle vouches for
/// (`--ca-bundle`, `$AWS_CA_BUNDLE`), as the AWS CLI's option of the same name does.
enum CABundleTransport {
    /// A transport trusting the certificates in `bundle`, which must exist and be PEM.
    static func make(bundle: String) throws -> HTTPClientTransport {
        guard FileManager.default.isReadableFile(atPath: bundle) else {
            throw SigilError(.invalidArgument, "the CA bundle \(bundle) cannot be read")
        }
        do {
            _ = try NIOSSLCertificate.fromPEMFile(bundle)
        } catch {
            throw SigilError(.invalidArgument, "the CA bundle \(bundle) is not a PEM certificate file: \(error)")
        }
        return HTTPClientTransport(client: client(trusting: bundle))
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
}
