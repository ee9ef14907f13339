import Foundation
@testable import SigilKeyHolder
import Testing

/// The exposition the metrics port serves, built without a server: the request path's
/// series from swift-metrics into the key holder's own Prometheus registry, the key counts
/// and `/proc/self`.
@Suite struct MetricsRenderingTests {
    /// `/proc/self/stat` of a process whose command name holds spaces and parentheses, with
    /// utime 250 and stime 150 ticks and an RSS of 3000 pages; `fields` overrides fields
    /// by their number in proc(5).
    static func stat(_ fields: [Int: String] = [:], count: Int = 52) -> String {
        var values = (3...count).map { number -> String in
            switch number {
            case 3: "S"
            case 14: "250"
            case 15: "150"
            case 24: "3000"
            default: "\(number * 7)"
            }
        }
        for (number, value) in fields { values[number - 3] = value }
        return "4242 (sigil (key) holder) " + values.joined(separator: " ") + "\n"
    }

    @Test func readsCPUTimeAndResidentSizeAfterTheLastParenthesis() throws {
        let process = try #require(
            ProcessMetrics(stat: Self.stat(), openFileDescriptors: 9, ticksPerSecond: 100, pageSize: 4096))
        #expect(process == ProcessMetrics(residentMemoryBytes: 3000 * 4096, openFileDescriptors: 9, cpuSeconds: 4.0))
    }

    @Test func refusesAStatLineTooShortOrNotNumeric() {
        #expect(ProcessMetrics(stat: Self.stat(count: 23), openFileDescriptors: 9, ticksPerSecond: 100, pageSize: 4096) == nil)
        #expect(ProcessMetrics(stat: Self.stat([15: "x"]), openFileDescriptors: 9, ticksPerSecond: 100, pageSize: 4096) == nil)
        #expect(ProcessMetrics(stat: "4242 sigil S 1 2 3", openFileDescriptors: 9, ticksPerSecond: 100, pageSize: 4096) == nil)
        #expect(ProcessMetrics(stat: Self.stat(), openFileDescriptors: 9, ticksPerSecond: 0, pageSize: 4096) == nil)
    }

    @Test func readsThisProcess() throws {
        let process = try #require(ProcessMetrics.current(), "/proc/self is readable on Linux")
        #expect(process.residentMemoryBytes > 1 << 20, "\(process)")
        // Standard input, output and error at least, and the directory being listed.
        #expect(process.openFileDescriptors >= 4, "\(process)")
        #expect(process.cpuSeconds > 0, "\(process)")
    }

    @Test func rendersRequestsLatenciesThrottlesKeysAndProcess() {
        let metrics = KeyHolderMetrics()
        metrics.recordRequest(operation: "Sign", outcome: "success", duration: .milliseconds(3))
        metrics.recordRequest(operation: "Sign", outcome: "success", duration: .seconds(7))
        metrics.recordRequest(operation: "Sign", outcome: "ThrottlingException", duration: .microseconds(100))
        metrics.recordThrottle(.rsaCryptography)
        let process = ProcessMetrics(residentMemoryBytes: 52_428_800, openFileDescriptors: 17, cpuSeconds: 1.25)
        let text = metrics.render(keyCounts: ["Enabled": 3, "PendingDeletion": 1], process: process)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            "# TYPE sigil_requests_total counter",
            #"sigil_requests_total{operation="Sign",outcome="success"} 2"#,
            #"sigil_requests_total{operation="Sign",outcome="ThrottlingException"} 1"#,
            "# TYPE sigil_request_duration_seconds histogram",
            // Buckets are cumulative: 100 µs in every one, 3 ms from 5 ms up, 7 s only in +Inf.
            #"sigil_request_duration_seconds_bucket{operation="Sign",le="0.0005"} 1"#,
            #"sigil_request_duration_seconds_bucket{operation="Sign",le="0.0025"} 1"#,
            #"sigil_request_duration_seconds_bucket{operation="Sign",le="0.005"} 2"#,
            #"sigil_request_duration_seconds_bucket{operation="Sign",le="5.0"} 2"#,
            #"sigil_request_duration_seconds_bucket{operation="Sign",le="+Inf"} 3"#,
            #"sigil_request_duration_seconds_count{operation="Sign"} 3"#,
            #"sigil_request_duration_seconds_sum{operation="Sign"} 7.0031"#,
            #"sigil_throttled_requests_total{class="rsa"} 1"#,
            #"sigil_throttled_requests_total{class="ecc"} 0"#,
            #"sigil_keys{state="Enabled"} 3"#,
            #"sigil_keys{state="Disabled"} 0"#,
            #"sigil_keys{state="PendingDeletion"} 1"#,
            "# TYPE process_resident_memory_bytes gauge",
            "process_resident_memory_bytes 52428800",
            "process_open_fds 17",
            "# TYPE process_cpu_seconds_total counter",
            "process_cpu_seconds_total 1.25",
        ]
        for line in expected { #expect(lines.contains(line), "\(line) in\n\(text)") }
    }

    /// Two key holders in one process (as in the tests) each count their own requests:
    /// what a process-wide `MetricsSystem.bootstrap` would not give.
    @Test func eachKeyHolderCountsOnlyItsOwnRequests() {
        let first = KeyHolderMetrics()
        let second = KeyHolderMetrics()
        first.recordRequest(operation: "Encrypt", outcome: "success", duration: .milliseconds(1))
        first.recordThrottle(.symmetricCryptography)
        let secondText = second.render(keyCounts: [:], process: nil)
        #expect(!secondText.contains(#"operation="Encrypt""#), "\(secondText)")
        #expect(secondText.contains(#"sigil_throttled_requests_total{class="symmetric"} 0"#), "\(secondText)")
        #expect(!secondText.contains("process_"), "no process series when /proc was not read")
        #expect(first.render(keyCounts: [:], process: nil).contains(#"sigil_requests_total{operation="Encrypt",outcome="success"} 1"#))
    }
}
