public import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import SigilCrypto
public import Logging
public import NIOCore
import NIOPosix
import ServiceLifecycle
import SigilKMS
public import SigilKeyStore


/// What ``buildApplication(_:)`` opened: the application to run and facts to print.
public struct KeyHolder: Sendable {
    /// The key store.
    public let store: KeyStore
    /// Whether the data directory was initialised now.
    public let initialized: Bool
    /// The credentials file written on initialisation.
    public let credentialsFile: URL
    /// How many connections are served at once, and the open-file limit that decided it.
    public let connections: ConnectionLimits.DescriptorBudget
}

/// Opens the data directory (initialising it when empty) and builds the application.
///
/// - Returns: The application, ready for `runService()` or `test(_:)`, and the store.
/// - Throws: ``SigilError`` when the data directory is unusable.
public func buildApplication(
    _ configuration: KeyHolderConfiguration, logger: Logger = Logger(label: "sigil-keyholder"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
    onMetricsRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> (some ApplicationProtocol, KeyHolder) {
    let opening = try KeyStore.open(
        directory: configuration.dataDirectory, account: configuration.accountID, now: configuration.now(),
        location: configuration.storeLocation)
    let service = KeyHolderService(store: opening.store, configuration: configuration)
    let router = Router(context: KeyHolderRequestContext.self)
    KMSEndpoint.addRoutes(to: router, service: service, configuration: configuration, logger: logger)
    let connections = configuration.connectionLimits.fittingDescriptorLimit()
    var services: [any Service] = [ScheduledKeyWork(store: opening.store, configuration: configuration, logger: logger)]
    if case .postgreSQL(let url, let password) = configuration.storeLocation {
        services.append(
            StoreChangeListener(
                service: service, connection: try url.connectionConfiguration(password: password), logger: logger))
        services.append(NodeHeartbeat(service: service, logger: logger))
    }
    if let metricsAddress = configuration.metricsAddress {
        services.append(
            metricsApplication(
                service: service, host: metricsAddress.host, port: metricsAddress.port,
                limits: configuration.connectionLimits, logger: logger, onServerRunning: onMetricsRunning))
    }
    let application = Application(
        router: router,
        server: try serverBuilder(configuration),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "sigil-keyholder",
            availableConnectionsDelegate: MaximumAvailableConnections(connections.connections, logger: logger)),
        services: services,
        onServerRunning: onServerRunning,
        eventLoopGroupProvider: .shared(connectionThreads),
        logger: logger)
    return (
        application,
        KeyHolder(
            store: opening.store, initialized: opening.initialized, credentialsFile: opening.credentialsFile,
            connections: connections)
    )
}

/// The threads that serve connections: half the cores (at least one). A request spends
/// most of its time in SigV4, JSON and cryptography on Swift's executor and the thread
/// pool, not on its connection's event loop; with one event loop per core as well, the
/// threads outnumbered the cores and A/B runs on two cores measured 5 % fewer RSA
/// signatures and 7 % fewer data keys a second than with one event loop.
let connectionThreads = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))

/// HTTP/1.1 under the configuration's connection limits, inside TLS 1.2 or 1.3 when the
/// configuration names a certificate and key.
///
/// - Throws: ``SigilError`` (`invalidArgument`) naming a certificate or key file that
///   cannot be read or parsed.
func serverBuilder(_ configuration: KeyHolderConfiguration) throws -> HTTPServerBuilder {
    let http1 = HTTPServerBuilder.guardedHTTP1(configuration.connectionLimits)
    guard let tls = configuration.tls else { return http1 }
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
    do {
        chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain.path)
    } catch {
        throw SigilError(.invalidArgument, "\(tls.certificateChain.path) is not a readable PEM certificate chain: \(error)")
    }
    guard !chain.isEmpty else {
        throw SigilError(.invalidArgument, "\(tls.certificateChain.path) holds no PEM certificate")
    }
    do {
        key = try NIOSSLPrivateKey(file: tls.privateKey.path, format: .pem)
    } catch {
        throw SigilError(.invalidArgument, "\(tls.privateKey.path) is not a readable, unencrypted PEM private key: \(error)")
    }
    var tlsConfiguration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    tlsConfiguration.minimumTLSVersion = .tlsv12
    tlsConfiguration.maximumTLSVersion = .tlsv13
    return try .tls(http1, tlsConfiguration: tlsConfiguration)
}

/// The Prometheus endpoint, `GET /metrics`, on its own address so that it can be
/// exposed to a monitoring network without exposing the KMS API (and never needs SigV4).
/// Its connections are bounded as the KMS port's are, and capped at
/// ``ConnectionLimits/metricsConnections`` (counted in the descriptors kept in reserve).
func metricsApplication(
    service: KeyHolderService, host: String, port: Int, limits: ConnectionLimits, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void
) -> some Service {
    let router = Router()
    router.get("/metrics") { _, _ -> Response in
        let counts = (try? service.store.keyCountsByState()) ?? [:]
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        let text = service.metrics.render(keyCounts: counts)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    return Application(
        router: router,
        server: .guardedHTTP1(limits),
        configuration: .init(
            address: .hostname(host, port: port), serverName: "sigil-keyholder-metrics",
            availableConnectionsDelegate: MaximumAvailableConnections(ConnectionLimits.metricsConnections, logger: logger)),
        onServerRunning: onServerRunning,
        logger: logger)
}
