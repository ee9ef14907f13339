import Foundation
import SigilKMS
import SigilKeyHolder
import Testing

@Suite("Request quotas: token buckets per account and class, ThrottlingException over the rate")
struct QuotaTests {
    /// Sends `count` requests at once and returns the errors of those refused.
    static func burst(_ count: Int, _ send: @escaping @Sendable () async throws -> Void) async -> (admitted: Int, refused: [KMSError]) {
        await withTaskGroup(of: KMSError?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        try await send()
                        return nil
                    } catch let error as KMSError {
                        return error
                    } catch {
                        return KMSError.internalFailure("\(error)")
                    }
                }
            }
            var refused: [KMSError] = []
            var admitted = 0
            for await error in group {
                if let error { refused.append(error) } else { admitted += 1 }
            }
            return (admitted, refused)
        }
    }

    @Test("a burst over the RSA rate is throttled with HTTP 400, the other classes are not, and the bucket refills")
    func burstOverTheRSARate() async throws {
        try await withKeyHolder(configure: {
            $0.quotas = QuotaConfiguration(ratePerSecond: [.rsaCryptography: 2, .createKey: 1000])
        }) { kms, _ in
            let rsa = try await kms.createKey(.rsa2048, usage: .signVerify)
            let ecc = try await kms.createKey(.eccNistP256, usage: .signVerify)
            let digest = Base64Blob([UInt8](repeating: 7, count: 32))
            @Sendable func sign(_ keyId: String, _ algorithm: KMS.SigningAlgorithm) -> KMS.SignRequest {
                KMS.SignRequest(keyId: keyId, message: digest, messageType: .digest, signingAlgorithm: algorithm)
            }
            // 20 at once: the bucket holds 2 and refills at 2 a second while they run
            // (slowly, in a debug build beside other tests).
            let started = ContinuousClock.now
            let (signed, throttled) = await Self.burst(20) { _ = try await kms.send(sign(rsa.keyId, .rsassaPssSha256)) }
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1
            #expect(signed >= 2 && Double(signed) <= 2 + 2 * elapsed, "signed \(signed) in under \(elapsed) s")
            #expect(!throttled.isEmpty)
            #expect(throttled.count == 20 - signed)
            for error in throttled {
                #expect(error.type == "ThrottlingException")
                #expect(error.httpStatus == 400)
                #expect(error.message.contains("rsa"))
            }
            // ECC has its own (here unlimited) class.
            let ecdsa = await Self.burst(10) { _ = try await kms.send(sign(ecc.keyId, .ecdsaSha256)) }
            #expect(ecdsa.admitted == 10 && ecdsa.refused.isEmpty)
            // The bucket refills at 2 a second.
            try await Task.sleep(for: .milliseconds(600))
            _ = try await kms.send(sign(rsa.keyId, .rsassaPssSha256))
        }
    }

    @Test("CreateKey has its own bucket; throttled requests change nothing")
    func throttledCreateKeyCreatesNothing() async throws {
        try await withKeyHolder(configure: { $0.quotas = QuotaConfiguration(ratePerSecond: [.createKey: 2]) }) { kms, _ in
            let started = ContinuousClock.now
            let (created, throttled) = await Self.burst(12) { _ = try await kms.createKey() }
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1
            #expect(created >= 2 && Double(created) <= 2 + 2 * elapsed, "created \(created) in under \(elapsed) s")
            #expect(!throttled.isEmpty && throttled.allSatisfy { $0.type == "ThrottlingException" })
            #expect(created + throttled.count == 12)
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
