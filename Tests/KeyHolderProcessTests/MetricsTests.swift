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
        // Every sample line is NAME{LABELS} VALUE with a numeric value.
        for line in lines where !line.hasPrefix("#") {
            let value = try #require(line.split(separator: " ").last)
            #expect(Double(value) != nil, "\(line)")
        }
        // The KMS port does not serve metrics, and the metrics port no KMS.
        let onKMSPort = try await scrape(server.endpoint.appendingPathComponent("metrics"))
        #expect(onKMSPort.status == 404)
        var post = URLRequest(url: URL(string: "http://127.0.0.1:\(metricsPort)/")!)
        post.httpMethod = "POST"
        let (_, response) = try await URLSession(configuration: .ephemeral).data(for: post)
        #expect((response as? HTTPURLResponse)?.statusCode == 404)
    }
}
