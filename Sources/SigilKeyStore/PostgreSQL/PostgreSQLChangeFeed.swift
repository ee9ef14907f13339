internal import Foundation
internal import SigilCrypto
public import PostgresNIO

/// How a node hears of the state changes other nodes commit (issue 11, item 3), so that
/// its caches never serve a disabled key, a replaced policy or a removed principal for
/// long: PostgreSQL's LISTEN/NOTIFY on one channel.
///
/// A writer announces a change inside the transaction that makes it; PostgreSQL delivers
/// the announcement to every listener when that transaction commits, and never when it
/// rolls back. A listener holds one connection of its own. While that connection is down
/// announcements are lost, so the listener says so (``Event/interrupted``), and says when
/// it listens again (``Event/listening``): a cache trusts nothing it holds from the first
/// until the second, which bounds its staleness by the time it takes to notice the loss.
///
/// A connection can die without a word (a peer gone, a firewall dropping its state, a
/// server that hangs): nothing arrives, and nothing says so. So the listener asks the
/// server a trivial question every ``probeInterval`` on the same connection, and takes a
/// missing answer after ``probeTimeout`` as a lost connection.
public enum PostgreSQLChangeFeed {
    /// The one channel of the key holders' announcements.
    static let channel = "sigil_changes"
    /// How often the listener checks that its connection still answers.
    static let probeInterval = Duration.milliseconds(250)
    /// How long an answer may take before the connection counts as lost.
    static let probeTimeout = Duration.milliseconds(500)

    /// A probe that got no answer in time.
    struct Unanswered: Error {}

    /// What a listener hears.
    public enum Event: Sendable, Equatable {
        /// Listening (again): anything may have changed before this, unannounced.
        case listening
        /// A change committed, as its writer described it (such as `key/ID`).
        case changed(String)
        /// The connection was lost: announcements are missed until ``listening``.
        case interrupted
    }

    /// Where the listener runs: on a thread of its own, so that tasks blocking Swift's
    /// cooperative threads delay neither what it hears nor its probes.
    static let executor = DedicatedThreadExecutor(name: "sigil-change-feed")

    /// Listens until the task is cancelled: connects with `configuration`, reports
    /// ``Event/listening``, then each announcement; on losing the connection reports
    /// ``Event/interrupted`` and connects again, every `retryInterval` until it can.
    ///
    /// The listener, its probes and `handle` run on ``executor``, not on Swift's cooperative
    /// threads: `handle` must not block.
    public static func listen(
        configuration: PostgresConnection.Configuration, retryInterval: Duration = .milliseconds(250), logger: Logger,
        _ handle: @escaping @Sendable (Event) async -> Void
    ) async {
        await withTaskExecutorPreference(executor) {
            await listenHere(configuration: configuration, retryInterval: retryInterval, logger: logger, handle)
        }
    }

    /// ``listen(configuration:retryInterval:logger:_:)`` on whichever executor the caller prefers.
    private static func listenHere(
        configuration: PostgresConnection.Configuration, retryInterval: Duration, logger: Logger,
        _ handle: @escaping @Sendable (Event) async -> Void
    ) async {
        var connectionID = 0
        while !Task.isCancelled {
            // Whether this connection listened, and whether its loss was reported already.
            let state = Locked((listening: false, reported: false))
            @Sendable func interrupted() async {
                let first = state.withLock { state -> Bool in
                    defer { state.reported = true }
                    return state.listening && !state.reported
                }
                if first { await handle(.interrupted) }
            }
            do {
                connectionID += 1
                let connection = try await PostgresConnection.connect(configuration: configuration, id: connectionID, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notifications in
                    state.withLock { $0.listening = true }
                    await handle(.listening)
                    // Whichever ends first ends both: the notifications (the connection
                    // closed) or the probes (it stopped answering). A failed probe reports
                    // the loss at once, however long the connection takes to wind down.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            defer {
                                // The connection ended: said at once, not after it winds down.
                                if !Task.isCancelled { Task { await interrupted() } }
                            }
                            for try await notification in notifications {
                                await handle(.changed(notification.payload))
                            }
                        }
                        group.addTask {
                            do {
                                try await probe(connection, logger: logger)
                            } catch {
                                // Cancelled: the listener stops, or the connection already ended.
                                if !Task.isCancelled { await interrupted() }
                                throw error
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("the change feed's connection failed: \(error)")
            }
            if Task.isCancelled { return }
            // The sequence ended or the connection failed: either way nothing is heard now.
            await interrupted()
            try? await Task.sleep(for: retryInterval)
        }
    }

    /// Asks `connection` for `SELECT 1` every ``probeInterval`` until it fails to answer
    /// within ``probeTimeout`` (then closes it and throws) or the task is cancelled.
    ///
    /// The answer is awaited through a promise that the answer or a timer completes,
    /// whichever comes first: a query on a connection that died may never complete, and
    /// nothing may wait for it.
    private static func probe(_ connection: PostgresConnection, logger: Logger) async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: probeInterval)
            let loop = connection.eventLoop
            let answer = loop.makePromise(of: Void.self)
            // Read and written on the connection's event loop only, where both callbacks run.
            final class Outcome: @unchecked Sendable { var settled = false }
            let outcome = Outcome()
            let timer = loop.scheduleTask(in: .milliseconds(probeTimeout.components.seconds * 1000
                + probeTimeout.components.attoseconds / 1_000_000_000_000_000)) {
                guard !outcome.settled else { return }
                outcome.settled = true
                answer.fail(Unanswered())
            }
            connection.query("SELECT 1", logger: logger).whenComplete { result in
                timer.cancel()
                guard !outcome.settled else { return }
                outcome.settled = true
                switch result {
                case .success: answer.succeed(())
                case .failure(let error): answer.fail(error)
                }
            }
            do {
                try await answer.futureResult.get()
            } catch {
                logger.debug("the change feed's connection did not answer: \(error)")
                // Closed here, so that waiting for notifications on it ends too.
                let _: EventLoopFuture<Void> = connection.close()
                throw error
            }
        }
    }
}
