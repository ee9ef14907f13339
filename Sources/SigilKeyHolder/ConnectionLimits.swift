internal import Glibc

/// What one connection may cost the key holder before it has proved anything: how long
/// its request head may take, how long it may sit idle between requests, how large its
/// head may be, and how many connections are open at once.
///
/// A client that opens connections and never finishes its headers (a slowloris) holds a
/// file descriptor each; without these bounds a few thousand of them starve everyone.
public struct ConnectionLimits: Sendable, Equatable {
    /// How long a request head (request line and headers) may take to arrive: counted
    /// from the connection's opening for its first request (the TLS handshake included),
    /// and from the first byte of each later request. A client trickling one byte a
    /// second is cut when this runs out, however busy it looks.
    public var headerTimeout: Duration
    /// How long a connection may wait, between a response and the first byte of the next
    /// request, before it is closed (and how long a request may go without a byte once
    /// its head has arrived).
    public var idleTimeout: Duration
    /// The largest request head accepted, in bytes; a larger one is answered 431 and the
    /// connection closed.
    public var maximumHeaderBytes: Int
    /// The most connections served at once; more wait in the listening socket's backlog
    /// until one closes. ``fittingDescriptorLimit()`` lowers it to what the process's
    /// open-file limit allows.
    public var maximumConnections: Int

    /// The key holder's defaults: a 10 s head, 60 s idle, 16 KiB heads, 1,000 connections.
    public static let defaults = ConnectionLimits(
        headerTimeout: .seconds(10), idleTimeout: .seconds(60), maximumHeaderBytes: 16 * 1024, maximumConnections: 1000)

    /// File descriptors kept back from connections for everything else the process holds
    /// open: the database and its WAL and shared-memory files (one set per reader), the
    /// root key and credentials while they are read, standard streams, the listening
    /// sockets, the event loops' epoll and wake-up descriptors, and the metrics port's
    /// own connections.
    public static let reservedDescriptors = 64

    /// The metrics port's connection cap: a scraper or two, never a crowd.
    public static let metricsConnections = 16

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - headerTimeout: How long a request head may take; more than zero.
    ///   - idleTimeout: How long a connection may idle between requests; more than zero.
    ///   - maximumHeaderBytes: The largest request head; at least 1,024 bytes.
    ///   - maximumConnections: The most connections at once; at least 1.
    public init(headerTimeout: Duration, idleTimeout: Duration, maximumHeaderBytes: Int, maximumConnections: Int) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumConnections = maximumConnections
    }

    /// The process's open-file limit, and how many connections fit under it.
    public struct DescriptorBudget: Sendable, Equatable {
        /// The soft `RLIMIT_NOFILE` in force (after any raise).
        public var descriptorLimit: Int
        /// The connections asked for.
        public var requestedConnections: Int
        /// The connections that fit: the request, or the limit less
        /// ``ConnectionLimits/reservedDescriptors`` when that is smaller (at least 1).
        public var connections: Int

        /// Whether the descriptor limit lowered the cap.
        public var isLowered: Bool { connections < requestedConnections }
    }

    /// `RLIM_INFINITY` on Linux (all ones; the C macro does not import).
    private static let unlimited = rlim_t.max

    /// Fits ``maximumConnections`` under the process's open-file limit: raises the soft
    /// `RLIMIT_NOFILE` as far as the connections and the reserve need (never past the
    /// hard limit, which only a privileged process may raise), then lowers the cap to
    /// what the limit allows less ``reservedDescriptors``.
    ///
    /// - Returns: The budget; ``DescriptorBudget/connections`` is the cap to serve with.
    public func fittingDescriptorLimit() -> DescriptorBudget {
        let wanted = rlim_t(clamping: maximumConnections + Self.reservedDescriptors)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return DescriptorBudget(
                descriptorLimit: 0, requestedConnections: maximumConnections, connections: maximumConnections)
        }
        if limit.rlim_cur != Self.unlimited, limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == Self.unlimited ? wanted : min(wanted, limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let descriptors = limit.rlim_cur == Self.unlimited ? Int.max : Int(clamping: limit.rlim_cur)
        let fitting = max(1, descriptors - Self.reservedDescriptors)
        return DescriptorBudget(
            descriptorLimit: descriptors, requestedConnections: maximumConnections,
            connections: min(maximumConnections, fitting))
    }
}
