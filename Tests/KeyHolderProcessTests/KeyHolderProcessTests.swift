import Foundation
import Sigil
import SigilKMS
import SigilKeyStore
import SigilTestSupport
import Testing

/// The key holder as a process: what survives a crash, how it serves many clients at
/// once, and what never reaches its files.
@Suite(.serialized) struct KeyHolderProcessTests {
    func client(for server: KeyHolderProcess) throws -> KMSClient {
        let configuration = AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": server.credentialsFile.path])
        return KMSClient(endpoint: server.endpoint, region: "us-east-1", credentials: try configuration.credentials())
    }

    @Test func aKeyWhoseCreationWasAcknowledgedSurvivesKill9() async throws {
        let server = try await KeyHolderProcess.start()
        defer { try? FileManager.default.removeItem(at: server.dataDirectory) }
        let created = try await client(for: server).createKey(
            KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256))
        server.kill()  // straight after the response: no graceful shutdown, no checkpoint

        let restarted = try await KeyHolderProcess.start(dataDirectory: server.dataDirectory)
        let kms = try client(for: restarted)
        let keyID = try #require(created.keyMetadata?.keyId)
        let described = try await kms.describeKey(keyId: keyID)
        #expect(described.keyMetadata?.keyState == .enabled)
        let message = Array("survived".utf8)
        let signature = try await kms.sign(keyId: keyID, message: message, signingAlgorithm: .ecdsaSha256)
        let publicKey = try await kms.getPublicKey(keyId: keyID)
        let key = try PublicKey(derRepresentation: try #require(publicKey.publicKey).bytes)
        #expect(try key.isValidSignature(try #require(signature.signature).bytes, for: message, algorithm: .ecdsaSHA256))
        restarted.kill()
    }

    @Test func servesHundredsOfConcurrentRequestsCorrectly() async throws {
        let server = try await KeyHolderProcess.start()
        defer {
            server.kill()
            try? FileManager.default.removeItem(at: server.dataDirectory)
        }
        let kms = try client(for: server)
        let rsa = try #require(try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .rsa2048)).keyMetadata?.keyId)
        let ec = try #require(try await kms.createKey(KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256)).keyMetadata?.keyId)
        let rsaKey = try PublicKey(derRepresentation: try #require(try await kms.getPublicKey(keyId: rsa).publicKey).bytes)
        let ecKey = try PublicKey(derRepresentation: try #require(try await kms.getPublicKey(keyId: ec).publicKey).bytes)
        let requests = 300
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<requests {
                group.addTask {
                    let message = Array("message \(index)".utf8)
                    switch index % 3 {
                    case 0:
                        let signed = try await kms.sign(keyId: rsa, message: message, signingAlgorithm: .rsassaPssSha256)
                        return try rsaKey.isValidSignature(try #require(signed.signature).bytes, for: message, algorithm: .rsassaPSSSHA256)
                    case 1:
                        let signed = try await kms.sign(keyId: ec, message: message, signingAlgorithm: .ecdsaSha256)
                        return try ecKey.isValidSignature(try #require(signed.signature).bytes, for: message, algorithm: .ecdsaSHA256)
                    default:
                        return try await kms.describeKey(keyId: index % 2 == 0 ? rsa : ec).keyMetadata?.enabled == true
                    }
                }
            }
            var results: [Bool] = []
            for try await result in group { results.append(result) }
            return results
        }
        print("concurrency: \(outcomes.count) concurrent requests, \(outcomes.filter { $0 }.count) correct")
        #expect(outcomes.count == requests)
        #expect(outcomes.allSatisfy { $0 })
    }

    @Test func noKeyMaterialOrSecretReachesTheDatabaseOrTheLog() async throws {
        let server = try await KeyHolderProcess.start()
        defer { try? FileManager.default.removeItem(at: server.dataDirectory) }
        let kms = try client(for: server)
        var keyIDs: [String] = []
        for (spec, usage) in [
            (KMS.KeySpec.rsa2048, KMS.KeyUsage.encryptDecrypt), (.rsa3072, .signVerify), (.eccNistP256, .signVerify),
            (.eccNistP384, .signVerify), (.eccSecgP256k1, .signVerify), (.symmetricDefault, .encryptDecrypt),
        ] {
            let created = try await kms.createKey(KMS.CreateKeyRequest(keyUsage: usage, keySpec: spec))
            keyIDs.append(try #require(created.keyMetadata?.keyId))
        }
        _ = try? await kms.describeKey(keyId: "does-not-exist")
        server.kill()

        // Open the store directly to learn every secret, then look for each in the files.
        let store = try KeyStore.open(directory: server.dataDirectory).store
        var secrets: [(String, [UInt8])] = []
        for id in keyIDs {
            let key = try #require(try store.key(id: id))
            if key.spec.isSymmetric {
                secrets.append(("symmetric key \(id)", try store.symmetricKey(id: id, version: key.currentVersion).unsafeBytes))
            } else {
                secrets.append(("private key \(id)", try store.privateKey(id: id).pkcs8DERRepresentation))
            }
        }
        let credentials = try String(contentsOf: server.credentialsFile, encoding: .utf8)
        let secretLine = try #require(credentials.split(separator: "\n").first { $0.hasPrefix("aws_secret_access_key") })
        let secretAccessKey = String(secretLine.split(separator: "=").last!).trimmingCharacters(in: .whitespaces)
        secrets.append(("the access key's secret", Array(secretAccessKey.utf8)))

        let files = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory.path)
            .filter { $0.hasPrefix("keyholder.sqlite") }
        var haystacks = try files.map { ($0, [UInt8](try Data(contentsOf: server.dataDirectory.appendingPathComponent($0)))) }
        haystacks.append(("the server's log", Array(server.log.utf8)))
        for (what, secret) in secrets {
            for (name, bytes) in haystacks {
                #expect(!contains(bytes, secret), "\(what) found in \(name)")
            }
        }
        print("no-secrets: \(secrets.count) secrets searched for in \(haystacks.count) files and logs: none found")
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count >= 16, haystack.count >= needle.count else { return false }
        let probe = Array(needle.prefix(16))
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == probe[0], Array(haystack[index..<(index + 16)]) == probe,
                Array(haystack[index..<(index + needle.count)]) == needle
            {
                return true
            }
            index += 1
        }
        return false
    }
}
