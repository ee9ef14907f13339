import CoreMetrics
import Foundation
import Metrics
import Prometheus

/// Request counts, latencies and throttles, rendered in Prometheus's text format on the
/// metrics port (see ``buildApplication(_:logger:onServerRunning:onMetricsRunning:)``)
/// together with the keys by state and the process's own resource use, read at scrape time.
///
/// The request path records through swift-metrics (`Counter`, `Timer`); the handles come
/// from a `PrometheusMetricsFactory` over a `PrometheusCollectorRegistry` that this object
/// owns, one per key holder. Not `MetricsSystem.bootstrap`: that installs one factory for
/// the whole process, once, and a second call traps — yet the tests run several key
/// holders in one process, each of which must count its own requests and nobody else's.
/// What a library in the graph records through the global `MetricsSystem` therefore does
/// not appear here; nothing the key holder needs does so.
///
/// The exposition's series (the names, labels and types are those of the hand-written
/// renderer this replaced):
/// - `sigil_requests_total{operation, outcome}`, counter: outcome is `success` or the KMS error type.
/// - `sigil_request_duration_seconds{operation}`, histogram, buckets ``latencyBuckets``.
/// - `sigil_throttled_requests_total{class}`, counter, one series per ``QuotaClass`` from the start.
/// - `sigil_keys{state}`, gauge: Enabled, Disabled, PendingDeletion.
/// - `process_resident_memory_bytes`, `process_open_fds` (gauges) and
///   `process_cpu_seconds_total` (counter): see ``ProcessMetrics``.
///
/// Two differences from that renderer's text, neither visible to a Prometheus query:
/// swift-metrics carries no help text, so the request families have `# TYPE` lines but no
/// `# HELP` lines (the README describes them); and `sigil_requests_total` and
/// `sigil_request_duration_seconds` appear with the first request, where the old text
/// printed their `# TYPE` lines over no samples.
final class KeyHolderMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    static let requestsName = "sigil_requests_total"
    static let durationName = "sigil_request_duration_seconds"
    static let throttlesName = "sigil_throttled_requests_total"

    /// Where the request path's series live; rendered at every scrape.
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Made up front, so that every class shows a 0 before its first throttle.
    private let throttles: [QuotaClass: CoreMetrics.Counter]

    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [Self.durationName: Self.latencyBuckets]
        self.registry = registry
        self.factory = factory
        var throttles: [QuotaClass: CoreMetrics.Counter] = [:]
        for quotaClass in QuotaClass.allCases {
            throttles[quotaClass] = CoreMetrics.Counter(
                label: Self.throttlesName, dimensions: [("class", quotaClass.rawValue)], factory: factory)
        }
        self.throttles = throttles
    }

    /// Records one request: its operation, its outcome (`success` or the KMS error type)
    /// and how long it took. The registry hands back the same series for the same labels.
    func recordRequest(operation: String, outcome: String, duration: Duration) {
        CoreMetrics.Counter(label: Self.requestsName, dimensions: [("operation", operation), ("outcome", outcome)], factory: factory)
            .increment()
        CoreMetrics.Timer(label: Self.durationName, dimensions: [("operation", operation)], factory: factory)
            .record(duration: duration)
    }

    /// Records a request refused for being over its class's rate.
    func recordThrottle(_ quotaClass: QuotaClass) {
        throttles[quotaClass]?.increment()
    }

    /// The exposition: the registry's series, then the keys by state and the process's
    /// resource use, both read now.
    ///
    /// The key counts are written here rather than kept in registry gauges: they are read
    /// from the store at each scrape, not recorded as things happen, and a registry gauge
    /// would render a count of keys as `1.0`.
    ///
    /// - Parameters:
    ///   - keyCounts: Keys by state, read from the store at scrape time.
    ///   - process: The process's resource use, or `nil` when it could not be read.
    func render(keyCounts: [String: Int], process: ProcessMetrics? = ProcessMetrics.current()) -> String {
        var text = registry.emitToString()
        text += "# HELP sigil_keys Keys by state.\n"
        text += "# TYPE sigil_keys gauge\n"
        for state in ["Enabled", "Disabled", "PendingDeletion"] {
            text += "sigil_keys{state=\"\(state)\"} \(keyCounts[state] ?? 0)\n"
        }
        if let process { text += process.exposition }
        return text
    }
}
