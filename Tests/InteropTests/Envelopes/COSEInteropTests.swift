import Foundation
import Sigil
import SigilTestSupport
import Testing

/// COSE_Sign1 between Sigil and pycose, both ways: every algorithm pycose has, embedded and
/// detached payload, with and without external AAD. Each message also goes in tampered (a
/// payload byte flipped, or another detached payload), with the wrong AAD where it has one,
/// and against the wrong key: both sides must refuse them.
@Suite("Interop: COSE_Sign1 with pycose")
struct InteropCOSETests {
    /// One message shape: payload embedded or detached, external AAD or none.
    struct Variant: CustomStringConvertible {
        var detached: Bool
        var aad: [UInt8]
        var description: String { "\(detached ? "detached" : "embedded")\(aad.isEmpty ? "" : "+aad")" }

        static let all: [Variant] = [false, true].flatMap { detached in
            [[], Array("interop external aad".utf8)].map { Variant(detached: detached, aad: $0) }
        }
    }

    /// The algorithms pycose 1.1 lacks, with the reason they are skipped.
    static let missingInPycose: [COSEAlgorithm: String] = [.es256K: "pycose 1.1 has no ES256K (-47)"]

    static var algorithms: [COSEAlgorithm] { COSEAlgorithm.all.filter { missingInPycose[$0] == nil } }

    static func keyID(_ algorithm: COSEAlgorithm, _ side: String) -> String { "\(side)-\(algorithm.name.lowercased())" }

    /// The checks one message gets: valid, tampered, wrong key, and wrong AAD when it has one.
    static func checkCount(_ variant: Variant) -> Int { variant.aad.isEmpty ? 3 : 4 }
    static var expectedRuns: Int { algorithms.count * Variant.all.map(checkCount).reduce(0, +) }
    static var expectedSkips: Int { (COSEAlgorithm.all.count - algorithms.count) * Variant.all.count }

    static func hex(_ bytes: [UInt8]) -> String { TestSupport.hex(bytes) }

    @Test func pycoseVerifiesSigilsMessages() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("pycose", "Sigil→pycose")
        var jobs: [EnvelopeDriver.Job] = []
        var expectations: [(id: String, valid: Bool)] = []

        for algorithm in COSEAlgorithm.all {
            if let reason = Self.missingInPycose[algorithm] {
                tally.skip(Variant.all.count, reason: reason)
                continue
            }
            let spec = InteropKey.spec(curve: algorithm.curve)
            for variant in Variant.all {
                let name = "\(algorithm.name)-\(variant)"
                let payload = fixture.randomPayload()
                let builder = try COSESign1Builder(
                    algorithm: algorithm, keyID: Self.keyID(algorithm, "sigil"), payload: payload,
                    detached: variant.detached, externalAAD: variant.aad)
                let message = try builder.message(
                    signature: fixture.key(spec).sign(builder.toBeSigned, algorithm.signingAlgorithm), format: .der)
                let file = try fixture.write(message, to: "\(name).cose")
                let payloadFile = try fixture.write(payload, to: "\(name).payload")
                var tampered: (message: String, payload: String?)
                if variant.detached {
                    tampered = (file, try fixture.write(TestSupport.flippingBit(0, of: payload), to: "\(name).tampered-payload"))
                } else {
                    let spoiled = try #require(InteropTamper.flippingPayload(payload, in: message))
                    tampered = (try fixture.write(spoiled, to: "\(name)-tampered.cose"), nil)
                }
                func job(_ check: String, message: String, payload: String?, key: String, aad: [UInt8], valid: Bool) {
                    var job = EnvelopeDriver.Job(id: "\(name)/\(check)", lib: "pycose", op: "verify", input: message)
                    job.key = key
                    job.aad = Self.hex(aad)
                    job.payload = payload
                    jobs.append(job)
                    expectations.append((job.id, valid))
                }
                let detachedPayload = variant.detached ? payloadFile : nil
                job("valid", message: file, payload: detachedPayload, key: try fixture.key(spec).publicPath, aad: variant.aad, valid: true)
                job("tampered", message: tampered.message, payload: tampered.payload, key: try fixture.key(spec).publicPath, aad: variant.aad, valid: false)
                job("wrong key", message: file, payload: detachedPayload, key: try fixture.key(spec, wrong: true).publicPath, aad: variant.aad, valid: false)
                if !variant.aad.isEmpty {
                    job("wrong aad", message: file, payload: detachedPayload, key: try fixture.key(spec).publicPath, aad: Array(variant.aad.dropLast()), valid: false)
                }
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)
        for (id, valid) in expectations {
            tally.check(id, results[id], expectValid: valid)
        }
        tally.report(expectedRuns: Self.expectedRuns, expectedSkips: Self.expectedSkips)
    }

    @Test func sigilVerifiesPycosesMessages() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("pycose", "pycose→Sigil")
        var jobs: [EnvelopeDriver.Job] = []
        var payloads: [String: [UInt8]] = [:]

        for algorithm in COSEAlgorithm.all {
            if let reason = Self.missingInPycose[algorithm] {
                tally.skip(Variant.all.count, reason: reason)
                continue
            }
            for variant in Variant.all {
                let name = "\(algorithm.name)-\(variant)"
                let payload = fixture.randomPayload()
                payloads[name] = payload
                var job = EnvelopeDriver.Job(id: name, lib: "pycose", op: "sign", input: try fixture.write(payload, to: "\(name).payload"))
                job.key = try fixture.key(InteropKey.spec(curve: algorithm.curve)).privatePath
                job.alg = String(algorithm.identifier)
                job.keyID = Self.keyID(algorithm, "pycose")
                job.aad = Self.hex(variant.aad)
                job.detached = variant.detached
                job.output = fixture.path("\(name).cose")
                jobs.append(job)
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)

        for algorithm in Self.algorithms {
            let spec = InteropKey.spec(curve: algorithm.curve)
            let id = Self.keyID(algorithm, "pycose")
            let store = try TrustStore([TrustedKey(id: id, publicKey: fixture.key(spec).publicKey)])
            let wrongStore = try TrustStore([TrustedKey(id: id, publicKey: fixture.key(spec, wrong: true).publicKey)])
            for variant in Variant.all {
                let name = "\(algorithm.name)-\(variant)"
                guard results[name]?.accepted == true, let payload = payloads[name] else {
                    tally.check("\(name) signed", false, results[name]?.summary ?? "no result")
                    continue
                }
                let message = try fixture.read("\(name).cose")
                let detached = variant.detached ? payload : nil
                func verify(_ bytes: [UInt8], _ store: TrustStore, aad: [UInt8], payload: [UInt8]?) throws -> Bool {
                    let verified: VerifiedCOSESign1
                    do {
                        verified = try COSESign1(cborRepresentation: bytes).verify(using: store, externalAAD: aad, detachedPayload: payload)
                    } catch let error as SigilError where error.code == .authenticationFailure {
                        return false
                    }
                    return verified.payload == (payload ?? payloads[name]) && verified.algorithm == algorithm
                        && verified.key.id == id
                }
                tally.checkSigil("\(name) valid", expectValid: true) { try verify(message, store, aad: variant.aad, payload: detached) }
                tally.checkSigil("\(name) tampered", expectValid: false) {
                    if variant.detached {
                        return try verify(message, store, aad: variant.aad, payload: TestSupport.flippingBit(0, of: payload))
                    }
                    return try verify(try #require(InteropTamper.flippingPayload(payload, in: message)), store, aad: variant.aad, payload: nil)
                }
                tally.checkSigil("\(name) wrong key", expectValid: false) { try verify(message, wrongStore, aad: variant.aad, payload: detached) }
                if !variant.aad.isEmpty {
                    tally.checkSigil("\(name) wrong aad", expectValid: false) {
                        try verify(message, store, aad: Array(variant.aad.dropLast()), payload: detached)
                    }
                }
            }
        }
        tally.report(expectedRuns: Self.expectedRuns, expectedSkips: Self.expectedSkips)
    }
}
