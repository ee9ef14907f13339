import Foundation
import SigilKMS
import SigilKeyHolder
import Testing

@Suite("Request quotas: token buckets per account and class, ThrottlingException over the rate")
struct QuotaTests {
    @Test("a burst over the RSA rate is throttled with HTTP 400, the other classes are not, and the bucket refills")
    func burstOverTheRSARate() async throws {
        try await withKeyHolder(configure: {
            $0.quotas = QuotaConfiguration(ratePerSecond: [.rsaCryptography: 5, .createKey: 1000])
        }) { kms, _ in
            let rsa = try await kms.createKey(.rsa2048, usage: .signVerify)
            let ecc = try await kms.createKey(.eccNistP256, usage: .signVerify)
            let digest = Base64Blob([UInt8](repeating: 7, count: 32))
            func sign(_ keyId: String, _ algorithm: KMS.SigningAlgorithm) -> KMS.SignRequest {
                KMS.SignRequest(keyId: keyId, message: digest, messageType: .digest, signingAlgorithm: algorithm)
            }
            let started = ContinuousClock.now
            var signed = 0
            var throttled: [KMSError] = []
            for _ in 0..<12 {
                do {
                    _ = try await kms.send(sign(rsa.keyId, .rsassaPssSha256))
                    signed += 1
                } catch let error as KMSError {
                    throttled.append(error)
                }
            }
            // A bucket holds one second of its rate (5) and refills at 5 a second while
            // the burst runs (slowly, in a debug build).
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1
            #expect(signed >= 5 && Double(signed) <= 5 + 5 * elapsed, "signed \(signed) in under \(elapsed) s")
            #expect(!throttled.isEmpty)
            #expect(throttled.count == 12 - signed)
            for error in throttled {
                #expect(error.type == "ThrottlingException")
                #expect(error.httpStatus == 400)
                #expect(error.message.contains("rsa"))
            }
            // ECC has its own (here unlimited) class.
            for _ in 0..<10 { _ = try await kms.send(sign(ecc.keyId, .ecdsaSha256)) }
            // The bucket refills at 5 a second.
            try await Task.sleep(for: .milliseconds(450))
            _ = try await kms.send(sign(rsa.keyId, .rsassaPssSha256))
        }
    }

    @Test("CreateKey has its own bucket; throttled requests change nothing")
    func throttledCreateKeyCreatesNothing() async throws {
        try await withKeyHolder(configure: { $0.quotas = QuotaConfiguration(ratePerSecond: [.createKey: 3]) }) { kms, _ in
            let started = ContinuousClock.now
            var created = 0
            var throttled = 0
            for _ in 0..<10 {
                do {
                    _ = try await kms.createKey()
                    created += 1
                } catch let error as KMSError where error.type == "ThrottlingException" {
                    throttled += 1
                }
            }
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1
            #expect(created >= 3 && Double(created) <= 3 + 3 * elapsed, "created \(created) in under \(elapsed) s")
            #expect(throttled > 0)
            #expect(created + throttled == 10)
            let listed = try await kms.send(KMS.ListKeysRequest())
            #expect(listed.keys?.count == created)
        }
    }

    @Test("overrides parse CLASS=RATE and refuse unknown classes and bad rates by name")
    func overrides() throws {
        let configured = try QuotaConfiguration.kmsDefaults.overriding(["rsa=2000", "create-key=5"])
        #expect(configured.ratePerSecond[.rsaCryptography] == 2000)
        #expect(configured.ratePerSecond[.createKey] == 5)
        #expect(configured.ratePerSecond[.eccCryptography] == 300)
        for bad in ["rsa", "quantum=5", "rsa=0", "rsa=-1", "rsa=fast", "rsa=inf"] {
            #expect(throws: (any Error).self, "\(bad)") { try QuotaConfiguration.kmsDefaults.overriding([bad]) }
        }
        #expect(QuotaConfiguration.unlimited.ratePerSecond.isEmpty)
    }
}
