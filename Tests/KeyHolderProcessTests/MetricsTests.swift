import Foundation
import SigilKMS
import SigilTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `serve --metrics-listen`: Prometheus text on its own port, counting what the KMS port served.
@Suite(.serialized) struct MetricsTests {
    func scrape(_ url: URL) async throws -> (status: Int, text: String) {
        let (data, response) = try await URLSession(configuration: .ephemeral).data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func countsRequestsByOperationAndOutcomeAndKeysByState() async throws {
        let metricsPort = try KeyHolderProcess.freePort()
        let server = try await KeyHolderProcess.start(extraArguments: ["--metrics-listen", "127.0.0.1:\(metricsPort)"])
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let metrics = URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!
        let kms = KMSClient(
            endpoint: server.endpoint, region: "us-east-1",
            credentials: try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": server.credentialsFile.path])
                .credentials())

        let first = try await kms.createKey(KMS.CreateKeyRequest())
        _ = try await kms.createKey(KMS.CreateKeyRequest())
        let keyId = try #require(first.keyMetadata?.keyId)
        _ = try await kms.describeKey(keyId: keyId)
        await #expect(throws: KMSError.self) { _ = try await kms.describeKey(keyId: "alias/none") }
        _ = try await kms.send(KMS.DisableKeyRequest(keyId: keyId))

        let (status, text) = try await scrape(metrics)
        #expect(status == 200)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"sigil_requests_total{operation="CreateKey",outcome="success"} 2"#), "\(text)")
        #expect(lines.contains(#"sigil_requests_total{operation="DescribeKey",outcome="success"} 1"#))
        #expect(lines.contains(#"sigil_requests_total{operation="DescribeKey",outcome="NotFoundException"} 1"#))
        #expect(lines.contains(#"sigil_request_duration_seconds_count{operation="CreateKey"} 2"#))
        #expect(lines.contains(#"sigil_request_duration_seconds_bucket{operation="CreateKey",le="+Inf"} 2"#))
        #expect(lines.contains(#"sigil_keys{state="Enabled"} 1"#))
        #expect(lines.contains(#"sigil_keys{state="Disabled"} 1"#))
        #expect(lines.contains(#"sigil_throttled_requests_total{class="rsa"} 0"#))
        #expect(lines.contains("# TYPE sigil_request_duration_seconds histogram"))
        #expect(lines.contains("# TYPE sigil_requests_total counter"))
        #expect(lines.contains("# TYPE process_cpu_seconds_total counter"))
        // Every sample line is NAME{LABELS} VALUE with a numeric value.
        var samples: [String: Double] = [:]
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            let value = try #require(parts.last.flatMap { Double($0) }, "\(line)")
            samples[String(parts[0])] = value
        }
        // The process's own resource use, read when scraped: a server with a database, two
        // listening sockets and a connection from this scrape has more than a few descriptors
        // and megabytes, and has spent some CPU time starting up and serving.
        let resident = try #require(samples["process_resident_memory_bytes"], "\(text)")
        #expect(resident > 1_048_576 && resident < 1e12, "RSS \(resident)")
        let descriptors = try #require(samples["process_open_fds"])
        #expect(descriptors >= 6 && descriptors < 10_000, "fds \(descriptors)")
        let cpu = try #require(samples["process_cpu_seconds_total"])
        #expect(cpu > 0, "CPU seconds \(cpu)")
        // Refreshed at each scrape: CPU time never goes back, and the work between two
        // scrapes (five RSA-2048 key generations, tens of milliseconds each) shows in it.
        for _ in 0..<5 { _ = try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .rsa2048)) }
        let later = try await scrape(metrics).text
        let laterCPU = try #require(
            later.split(separator: "\n").first { $0.hasPrefix("process_cpu_seconds_total ") }
                .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) })
        #expect(laterCPU > cpu, "CPU seconds \(cpu) then \(laterCPU)")
        #expect(later.contains(#"sigil_requests_total{operation="CreateKey",outcome="success"} 7"#), "\(later)")
        // The KMS port does not serve metrics, and the metrics port no KMS.
        let onKMSPort = try await scrape(server.endpoint.appendingPathComponent("metrics"))
        #expect(onKMSPort.status == 404)
        var post = URLRequest(url: URL(string: "http://127.0.0.1:\(metricsPort)/")!)
        post.httpMethod = "POST"
        let (_, response) = try await URLSession(configuration: .ephemeral).data(for: post)
        #expect((response as? HTTPURLResponse)?.statusCode == 404)
    }
}
