import Foundation
import SigilCrypto

/// Request counts, latencies and throttles, kept in memory and rendered in Prometheus's
/// text format on the metrics port (see ``buildApplication(_:logger:onServerRunning:)``).
///
/// One lock guards everything: an update is a few dictionary operations, small next to
/// a request, and a scrape sees one consistent moment.
final class KeyHolderMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Histogram {
        var buckets = [UInt64](repeating: 0, count: KeyHolderMetrics.latencyBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0
    }

    private struct RequestSlot: Hashable {
        let operation: String
        let outcome: String
    }

    private struct State {
        var requests: [RequestSlot: UInt64] = [:]
        var latencies: [String: Histogram] = [:]
        var throttles: [String: UInt64] = [:]
    }

    private let state = Locked(State())

    /// Records one request: its operation, its outcome (`success` or the KMS error type)
    /// and how long it took.
    func recordRequest(operation: String, outcome: String, seconds: Double) {
        state.withLock { state in
            state.requests[RequestSlot(operation: operation, outcome: outcome), default: 0] += 1
            var histogram = state.latencies[operation] ?? Histogram()
            if let bucket = Self.latencyBuckets.firstIndex(where: { seconds <= $0 }) {
                histogram.buckets[bucket] += 1
            }
            histogram.count += 1
            histogram.sum += seconds
            state.latencies[operation] = histogram
        }
    }

    /// Records a request refused for being over its class's rate.
    func recordThrottle(_ quotaClass: QuotaClass) {
        state.withLock { $0.throttles[quotaClass.rawValue, default: 0] += 1 }
    }

    /// The exposition: every series, sorted, with HELP and TYPE lines.
    ///
    /// - Parameter keyCounts: Keys by state, read from the store at scrape time.
    func render(keyCounts: [String: Int]) -> String {
        let snapshot = state.withLock { $0 }
        var text = ""
        text += "# HELP sigil_requests_total KMS requests by operation and outcome (success or the error type).\n"
        text += "# TYPE sigil_requests_total counter\n"
        for (slot, count) in snapshot.requests.sorted(by: { ($0.key.operation, $0.key.outcome) < ($1.key.operation, $1.key.outcome) }) {
            text += "sigil_requests_total{operation=\"\(Self.escaped(slot.operation))\",outcome=\"\(Self.escaped(slot.outcome))\"} \(count)\n"
        }
        text += "# HELP sigil_request_duration_seconds Time from the request's arrival to its response, by operation.\n"
        text += "# TYPE sigil_request_duration_seconds histogram\n"
        for (operation, histogram) in snapshot.latencies.sorted(by: { $0.key < $1.key }) {
            let name = Self.escaped(operation)
            var cumulative: UInt64 = 0
            for (bound, count) in zip(Self.latencyBuckets, histogram.buckets) {
                cumulative += count
                text += "sigil_request_duration_seconds_bucket{operation=\"\(name)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "sigil_request_duration_seconds_bucket{operation=\"\(name)\",le=\"+Inf\"} \(histogram.count)\n"
            text += "sigil_request_duration_seconds_sum{operation=\"\(name)\"} \(histogram.sum)\n"
            text += "sigil_request_duration_seconds_count{operation=\"\(name)\"} \(histogram.count)\n"
        }
        text += "# HELP sigil_throttled_requests_total Requests refused with ThrottlingException, by quota class.\n"
        text += "# TYPE sigil_throttled_requests_total counter\n"
        for quotaClass in QuotaClass.allCases {
            text += "sigil_throttled_requests_total{class=\"\(quotaClass.rawValue)\"} \(snapshot.throttles[quotaClass.rawValue] ?? 0)\n"
        }
        text += "# HELP sigil_keys Keys by state.\n"
        text += "# TYPE sigil_keys gauge\n"
        for state in ["Enabled", "Disabled", "PendingDeletion"] {
            text += "sigil_keys{state=\"\(state)\"} \(keyCounts[state] ?? 0)\n"
        }
        return text
    }

    /// A label value with `\`, `"` and newlines escaped, as the text format requires.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
