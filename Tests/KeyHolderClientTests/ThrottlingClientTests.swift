import Foundation
import SigilTestSupport
import Testing

/// Request quotas seen by a real client: boto3 bursts over the RSA rate of a key holder
/// started with `--quota rsa=5`, gets ThrottlingException, and its retries succeed.
@Suite("Throttling with boto3", .serialized)
struct ThrottlingClientTests {
    static let script = """
        import base64, hashlib, json, os, sys
        import boto3, botocore.config
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 10})
        kms = boto3.client("kms", endpoint_url=os.environ["SIGIL_ENDPOINT_URL"], region_name="us-east-1", config=config)
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        digest = hashlib.sha256(b"burst").digest()
        signed, retries = 0, 0
        for _ in range(25):
            response = kms.sign(KeyId=key, Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PSS_SHA_256")
            signed += 1 if response.get("Signature") else 0
            retries += response["ResponseMetadata"].get("RetryAttempts", 0)
        print(json.dumps({"signed": signed, "retries": retries}))
        """

    @Test func aBurstOverTheRSAQuotaSucceedsThroughBoto3Retries() async throws {
        guard try RealClientTests.venvIsAvailable() else { return }
        let server = try await KeyHolderServer { _ in ["--quota", "rsa=5"] }
        defer { server.stop() }
        let output = try await server.run(RealClientTests.python, ["-c", Self.script])
        #expect(output.status == 0, "\(output.stderrText.suffix(2000))")
        let line = output.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int], "\(output.stdoutText)")
        print("boto3 burst over rsa=5/s: \(result["signed"] ?? 0) signed, \(result["retries"] ?? 0) retries after ThrottlingException")
        #expect(result["signed"] == 25)
        #expect((result["retries"] ?? 0) > 0)
    }
}
