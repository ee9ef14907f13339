import ArgumentParser
import SigilKeyHolder

/// `serve`'s bounds on connections: what a client may cost before it has sent a request.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long a request's headers may take to arrive, from the connection's opening (or the next request's first byte); slower connections are closed.",
            valueName: "duration"))
    var headerTimeout: DurationArgument = DurationArgument(ConnectionLimits.defaults.headerTimeout)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long a kept-alive connection may wait for its next request before it is closed.", valueName: "duration"))
    var idleTimeout: DurationArgument = DurationArgument(ConnectionLimits.defaults.idleTimeout)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The largest request line and headers accepted, in bytes; larger ones are answered 431 and the connection closed.",
            valueName: "bytes"))
    var maxHeaderBytes: Int = ConnectionLimits.defaults.maximumHeaderBytes

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The most connections served at once; more wait to be accepted. Never more than the open-file limit (raised up to its hard limit as needed) less \(ConnectionLimits.reservedDescriptors) descriptors kept for the database, logs and listening sockets.",
            valueName: "count"))
    var maxConnections: Int = ConnectionLimits.defaults.maximumConnections

    func validate() throws {
        guard maxHeaderBytes >= 1024 else {
            throw ValidationError("--max-header-bytes is at least 1024, not \(maxHeaderBytes)")
        }
        guard maxConnections >= 1 else {
            throw ValidationError("--max-connections is at least 1, not \(maxConnections)")
        }
    }

    /// The limits to serve with.
    var limits: ConnectionLimits {
        ConnectionLimits(
            headerTimeout: headerTimeout.duration, idleTimeout: idleTimeout.duration, maximumHeaderBytes: maxHeaderBytes,
            maximumConnections: maxConnections)
    }
}

/// A length of time on the command line: a number with a unit, `ms`, `s`, `m` or `h`
/// (`10s`, `500ms`, `2m`), or a bare number of seconds; more than zero.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let unit = units.first { argument.hasSuffix($0.suffix) && Double(argument.dropLast($0.suffix.count)) != nil }
        let number: Double? =
            if let unit { Double(argument.dropLast(unit.suffix.count)) } else { Double(argument) }
        guard let number, number.isFinite, number > 0, number <= 86_400_000 else { return nil }
        duration = .milliseconds(Int64((number * (unit?.milliseconds ?? 1000)).rounded()))
        guard duration > .zero else { return nil }
    }

    var description: String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
