public import Foundation
public import Hummingbird
public import Logging
public import NIOCore
import ServiceLifecycle
import SigilKMS
public import SigilKeyStore

/// The request context: who called, and under which request id.
public struct KeyHolderRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address the request came from.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress.map { "\($0)" }
    }
}

/// What ``buildApplication(_:)`` opened: the application to run and facts to print.
public struct KeyHolder: Sendable {
    /// The key store.
    public let store: KeyStore
    /// Whether the data directory was initialised now.
    public let initialized: Bool
    /// The credentials file written on initialisation.
    public let credentialsFile: URL
}

/// Opens the data directory (initialising it when empty) and builds the application.
///
/// - Returns: The application, ready for `runService()` or `test(_:)`, and the store.
/// - Throws: ``SigilError`` when the data directory is unusable.
public func buildApplication(
    _ configuration: KeyHolderConfiguration, logger: Logger = Logger(label: "sigil-keyholder"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> (some ApplicationProtocol, KeyHolder) {
    let opening = try KeyStore.open(
        directory: configuration.dataDirectory, account: configuration.accountID, now: configuration.now())
    let service = KeyHolderService(store: opening.store, configuration: configuration)
    let endpoint = KMSEndpoint(service: service, configuration: configuration, logger: logger)
    let router = Router(context: KeyHolderRequestContext.self)
    router.post("/") { request, context in
        await endpoint.respond(to: request, context: context)
    }
    let application = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sigil-keyholder"),
        services: [DeletionScheduler(store: opening.store, configuration: configuration, logger: logger)],
        onServerRunning: onServerRunning,
        logger: logger)
    return (application, KeyHolder(store: opening.store, initialized: opening.initialized, credentialsFile: opening.credentialsFile))
}

/// Carries out key deletions whose waiting period has ended, and automatic rotations
/// that fell due, on a timer.
struct DeletionScheduler: Service {
    let store: KeyStore
    let configuration: KeyHolderConfiguration
    let logger: Logger

    func run() async throws {
        // Stop between rounds when the service group shuts down.
        try? await cancelWhenGracefulShutdown { try await self.loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                let deleted = try store.deleteKeysDue(now: configuration.now())
                for id in deleted { logger.info("deleted key at the end of its waiting period", metadata: ["key": "\(id)"]) }
                let rotated = try store.rotateKeysDue(now: configuration.now())
                for rotation in rotated {
                    logger.info("rotated key", metadata: ["key": "\(rotation.keyID)", "version": "\(rotation.version)"])
                }
            } catch {
                logger.error("scheduled deletion or rotation failed", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: configuration.deletionCheckInterval)
        }
    }
}
