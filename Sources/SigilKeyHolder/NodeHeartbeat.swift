import Foundation
import Logging
import ServiceLifecycle
import SigilKeyStore

/// Tells the other key holders of a shared store that this one serves it, every second,
/// and learns from the same answer how many do, so that each takes its share of the
/// request quotas (``RequestQuotas``). A node that stops without a word stops counting
/// after ``KeyStore/nodeLifetime`` seconds; one that stops gracefully says so at once.
struct NodeHeartbeat: Service {
    let service: KeyHolderService
    let nodeID = UUID().uuidString.lowercased()
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var last = 1
            while !Task.isCancelled {
                do {
                    let nodes = try service.store.heartbeat(nodeID: nodeID)
                    if nodes != last {
                        logger.info("nodes serving the store: \(nodes); each admits 1/\(nodes) of every quota")
                        last = nodes
                    }
                    service.quotas.setNodeCount(nodes)
                } catch {
                    // Unheard from, this node keeps the share it had: the store is likely
                    // unreachable for every node alike.
                    logger.warning("the node heartbeat failed: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        try? service.store.departed(nodeID: nodeID)
    }
}
