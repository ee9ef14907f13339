import Foundation
import Logging
import ServiceLifecycle
import SigilKeyStore

/// What the key holder does on its own schedule, with no request behind it: deletes keys
/// whose waiting period ended and rotates keys whose rotation is due (each with its own
/// audit event, once across the nodes that share a store), every
/// ``KeyHolderConfiguration/deletionCheckInterval``; and at shutdown, after the server has
/// stopped, commits what the audit writer still holds.
struct ScheduledKeyWork: Service {
    let store: KeyStore
    let configuration: KeyHolderConfiguration
    let logger: Logger

    func run() async throws {
        // Stop between rounds when the service group shuts down.
        try? await cancelWhenGracefulShutdown { try await self.loop() }
        // The server stops before this service does (services stop in reverse order):
        // whatever the audit writer still holds is committed before the process ends.
        do {
            try store.auditWriter.flush()
        } catch {
            logger.error("the audit log could not be flushed at shutdown", metadata: ["error": "\(error)"])
        }
    }

    /// The audit event of something the key holder did on its own schedule: no caller.
    private func event(_ operation: String, _ key: KeyRecord) -> AuditEvent {
        AuditEvent(
            time: configuration.now(), requestID: RequestID.next(), region: configuration.region,
            account: key.account, userAgent: "sigil-keyholder (scheduled)", operation: operation, keyARN: key.arn)
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                let deleted = try store.deleteKeysDue(now: configuration.now()) { event("DeleteKey", $0) }
                for id in deleted { logger.info("deleted key at the end of its waiting period", metadata: ["key": "\(id)"]) }
                let rotated = try store.rotateKeysDue(now: configuration.now()) { event("RotateKey", $0) }
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
