import Foundation
import Sigil

// sigil-bench: Sigil's verification rate for the primitives `openssl speed` measures,
// printed as one JSON object per line for tools/bench to put next to OpenSSL's figures.
//
// Usage: sigil-bench verify [--seconds S] [--only SUBSTRING]

struct Workload {
    var name: String
    var spec: KeySpec
    var algorithm: SigningAlgorithm
    /// The `openssl speed` algorithm measuring the same primitive.
    var opensslName: String
    /// The workload of tools/peer/openssl-verify-loop doing exactly this verification.
    var peerName: String
}

let workloads = [
    Workload(name: "RSA-2048 RSASSA_PSS_SHA_256", spec: .rsa2048, algorithm: .rsassaPSSSHA256, opensslName: "rsa2048", peerName: "rsa2048-pss"),
    Workload(name: "RSA-2048 RSASSA_PKCS1_V1_5_SHA_256", spec: .rsa2048, algorithm: .rsassaPKCS1V1_5SHA256, opensslName: "rsa2048", peerName: "rsa2048-pkcs1"),
    Workload(name: "RSA-4096 RSASSA_PKCS1_V1_5_SHA_256", spec: .rsa4096, algorithm: .rsassaPKCS1V1_5SHA256, opensslName: "rsa4096", peerName: "rsa4096-pkcs1"),
    Workload(name: "P-256 ECDSA_SHA_256", spec: .eccNistP256, algorithm: .ecdsaSHA256, opensslName: "ecdsap256", peerName: "p256-ecdsa"),
]

func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Verifies one signature over and over for `duration` seconds; returns operations per second.
func singleThreadRate(key: PublicKey, signature: [UInt8], digest: [UInt8], algorithm: SigningAlgorithm, duration: Double) throws -> Double {
    var operations = 0
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
        for _ in 0..<64 {
            guard try key.isValidSignature(signature, forDigest: digest, algorithm: algorithm) else {
                throw SigilError(.cryptoFailure, "a valid signature failed to verify")
            }
        }
        operations += 64
        let elapsed = seconds(since: start)
        if elapsed >= duration { return Double(operations) / elapsed }
    }
}

/// Verifies batches through BatchVerifier for `duration` seconds; returns operations per second.
func batchRate(key: PublicKey, signature: [UInt8], digest: [UInt8], algorithm: SigningAlgorithm, duration: Double, threads: Int) throws -> Double {
    let batch = [VerificationRequest](
        repeating: .init(key: key, signature: signature, message: digest, messageType: .digest, algorithm: algorithm),
        count: 2048)
    var operations = 0
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
        let results = BatchVerifier.verify(batch, maximumConcurrency: threads)
        guard results.allSatisfy({ (try? $0.get()) == true }) else {
            throw SigilError(.cryptoFailure, "a valid signature failed to verify in a batch")
        }
        operations += batch.count
        let elapsed = seconds(since: start)
        if elapsed >= duration { return Double(operations) / elapsed }
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.first == "verify" else {
    FileHandle.standardError.write(Data("usage: sigil-bench verify [--seconds S] [--only SUBSTRING]\n".utf8))
    exit(2)
}
var duration = 3.0
if let index = arguments.firstIndex(of: "--seconds"), arguments.indices.contains(index + 1), let value = Double(arguments[index + 1]) {
    duration = value
}
var selected = workloads
if let index = arguments.firstIndex(of: "--only"), arguments.indices.contains(index + 1) {
    selected = workloads.filter { $0.name.contains(arguments[index + 1]) }
}
let threads = ProcessInfo.processInfo.activeProcessorCount

do {
    for workload in selected {
        let privateKey = try AsymmetricPrivateKey(generating: workload.spec)
        let key = try PublicKey(privateKey.publicKey)
        let digest = try workload.algorithm.hashFunction.hash(Array("sigil benchmark message".utf8))
        let signature = try privateKey.signature(forDigest: digest, scheme: workload.algorithm.scheme)
        // Warm up caches and OpenSSL's lazily fetched algorithms before measuring.
        _ = try singleThreadRate(key: key, signature: signature, digest: digest, algorithm: workload.algorithm, duration: 0.2)
        let single = try singleThreadRate(
            key: key, signature: signature, digest: digest, algorithm: workload.algorithm, duration: duration)
        let batch = try batchRate(
            key: key, signature: signature, digest: digest, algorithm: workload.algorithm, duration: duration, threads: threads)
        let line: [String: Any] = [
            "workload": workload.name, "openssl": workload.opensslName, "peer": workload.peerName,
            "singleThreadPerSecond": single.rounded(), "batchPerSecond": batch.rounded(), "batchThreads": threads,
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
} catch {
    FileHandle.standardError.write(Data("sigil-bench: \(error)\n".utf8))
    exit(1)
}
