import Foundation
import Sigil

// envelope-bench: JWT verifications per second on one thread, for ES256 (P-256) and RS256
// (RSA-2048): Sigil's JWT.verify, Sigil's bare signature verification of the same signing
// input, and vapor/jwt-kit verifying the same token. One JSON object per algorithm on
// standard output, for tools/bench to tabulate beside `openssl speed`.
//
// Usage: EnvelopeBench [--seconds S] [--only ES256|RS256] [--measure jwt,bare,jwt-kit]

let usage = "usage: EnvelopeBench [--seconds S] [--only ES256|RS256] [--measure jwt,bare,jwt-kit]\n"

func value(after flag: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: flag), arguments.indices.contains(index + 1) else { return nil }
    return arguments[index + 1]
}

guard CommandLine.arguments.dropFirst().allSatisfy({ !$0.hasPrefix("-") || ["--seconds", "--only", "--measure"].contains($0) }),
      let seconds = Double(value(after: "--seconds") ?? "3"), seconds > 0 else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}
let only = value(after: "--only")
let measured = Set((value(after: "--measure") ?? "jwt,bare,jwt-kit").split(separator: ",").map(String.init))

/// Each contender's time is cut into slices of about 0.2 s, taken in turn, so that a
/// change in the machine's load touches every contender alike.
let slices = max(3, Int((seconds / 0.2).rounded()))

/// Times the contenders of one workload, in turns, after a short warm-up of each.
func measure(_ workload: Workload) async throws -> [String: Double] {
    var sigil = Meter(), bare = Meter(), jwtKit = Meter()
    var warmUp = Meter()
    if measured.contains("jwt") { try warmUp.run(for: 0.1, workload.verifySigilJWT) }
    if measured.contains("bare") { try warmUp.run(for: 0.1, workload.verifyBare) }
    if measured.contains("jwt-kit") { try await warmUp.run(for: 0.1, workload.verifyJWTKit) }
    let slice = seconds / Double(slices)
    for _ in 0..<slices {
        if measured.contains("jwt") { try sigil.run(for: slice, workload.verifySigilJWT) }
        if measured.contains("bare") { try bare.run(for: slice, workload.verifyBare) }
        if measured.contains("jwt-kit") { try await jwtKit.run(for: slice, workload.verifyJWTKit) }
    }
    return ["sigilJWTPerSecond": sigil.rate, "barePerSecond": bare.rate, "jwtKitPerSecond": jwtKit.rate]
}

do {
    let workloads = [
        try await Workload(name: "ES256", keyName: "P-256", opensslName: "ecdsap256", algorithm: .es256, spec: .eccNistP256),
        try await Workload(name: "RS256", keyName: "RSA-2048", opensslName: "rsa2048", algorithm: .rs256, spec: .rsa2048),
    ].filter { only == nil || $0.name == only }
    for workload in workloads {
        let rates = try await measure(workload)
        var line: [String: any Sendable] = [
            "algorithm": workload.name, "key": workload.keyName, "openssl": workload.opensslName,
            "seconds": seconds, "tokenBytes": workload.token.utf8.count,
        ]
        for (name, rate) in rates where rate > 0 { line[name] = (rate * 10).rounded() / 10 }
        let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
} catch {
    FileHandle.standardError.write(Data("EnvelopeBench: \(error)\n".utf8))
    exit(1)
}
