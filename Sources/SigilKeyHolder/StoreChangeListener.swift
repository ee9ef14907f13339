import Logging
import PostgresNIO
import ServiceLifecycle
import SigilKeyStore

/// Keeps this node's caches true to a store shared with other nodes (issue 11, item 3):
/// every write on any node that could make what a node holds stale announces itself when
/// it commits (``PostgreSQLChangeFeed``; a new key cannot, see ``StoreChange``), and each
/// announcement empties the caches that could hold what it changed: resolved key records
/// (state, policy, aliases) and access-key secrets. Key material is not dropped: it never
/// changes for a key and version, and a deleted key no longer resolves.
///
/// While the feed's connection is down nothing is heard, so nothing cached is trusted for
/// long: key records already expire after 1 second (``KeyStore``), and credentials are
/// held for 1 second instead of 30 until the feed listens again, when every cache is
/// emptied once more (announcements made meanwhile were missed).
struct StoreChangeListener: Service {
    let service: KeyHolderService
    let connection: PostgresConnection.Configuration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await PostgreSQLChangeFeed.listen(configuration: connection, logger: logger) { event in
                switch event {
                case .listening:
                    forget()
                    service.cache.setHearsOtherNodes(true)
                    logger.info("listening for changes made by other key holders")
                case .changed:
                    forget()
                case .interrupted:
                    service.cache.setHearsOtherNodes(false)
                    forget()
                    logger.warning("lost the change feed: cached credentials are trusted for 1 s until it is back")
                }
            }
        }
    }

    private func forget() {
        service.store.forgetCachedRecords()
        service.cache.forgetCredentials()
    }
}
