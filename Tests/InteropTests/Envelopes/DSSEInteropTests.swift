import Foundation
import Sigil
import SigilTestSupport
import Testing

/// DSSE envelopes between Sigil and securesystemslib (`securesystemslib.dsse.Envelope`, its
/// CryptoSigner and SSlibKey), both ways, for every scheme both have: valid, tampered
/// payload and wrong key for each, and a 2-of-2 threshold met, not met, and not met by
/// one key signing twice.
@Suite("Interop: DSSE with securesystemslib")
struct InteropDSSETests {
    /// The keys of the threshold cases: P-256 and RSA-PSS.
    static let thresholdSchemes = [InteropScheme.all[0], InteropScheme.all[3]]

    static func artifact(_ name: String) -> [UInt8] { Array("artifact \(name)".utf8) }

    /// A statement naming another artifact under the same name: the tampered payload.
    static func forgedStatement(_ name: String) throws -> [UInt8] {
        try InteropDSSE.statement(for: artifact("forged \(name)"), name: name)
    }

    @Test func securesystemslibVerifiesSigilsEnvelopes() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("securesystemslib", "Sigil→securesystemslib")
        tally.skip(reason: InteropScheme.skippedReason)
        var jobs: [EnvelopeDriver.Job] = []
        var expectations: [(id: String, valid: Bool, keyIDs: [String]?)] = []
        func verify(_ id: String, _ file: String, keys: [EnvelopeDriver.KeyEntry], threshold: Int = 1, valid: Bool, keyIDs: [String]? = nil) {
            var job = EnvelopeDriver.Job(id: id, lib: "sslib", op: "verify", input: file)
            job.keys = keys
            job.threshold = threshold
            jobs.append(job)
            expectations.append((id, valid, keyIDs))
        }

        for scheme in InteropScheme.all {
            let id = "sigil-\(scheme)"
            let payload = try InteropDSSE.statement(for: Self.artifact(scheme.name), name: scheme.name)
            let envelope = try InteropDSSE.envelope(payload: payload, signers: [(fixture.key(scheme.spec), id, scheme.algorithm)])
            let file = try fixture.write(envelope.jsonRepresentation, to: "\(scheme).dsse.json")
            let tampered = try InteropTamper.replacingDSSEPayload(in: envelope.jsonRepresentation, with: Self.forgedStatement(scheme.name))
            let tamperedFile = try fixture.write(tampered, to: "\(scheme)-tampered.dsse.json")
            let key = scheme.entry(try fixture.key(scheme.spec).publicPath, keyID: id)
            verify("\(scheme) valid", file, keys: [key], valid: true, keyIDs: [id])
            verify("\(scheme) tampered", tamperedFile, keys: [key], valid: false)
            verify("\(scheme) wrong key", file, keys: [scheme.entry(try fixture.key(scheme.spec, wrong: true).publicPath, keyID: id)], valid: false)
        }

        let signers = try Self.thresholdSchemes.map { scheme in (key: try fixture.key(scheme.spec), id: "sigil-t-\(scheme)", algorithm: scheme.algorithm) }
        let keys = try Self.thresholdSchemes.map { scheme in scheme.entry(try fixture.key(scheme.spec).publicPath, keyID: "sigil-t-\(scheme)") }
        let payload = try InteropDSSE.statement(for: Self.artifact("threshold"), name: "threshold")
        for (name, chosen, valid) in [("2 of 2", [0, 1], true), ("1 of 2", [0], false), ("1 key twice", [0, 0], false)] {
            let envelope = try InteropDSSE.envelope(payload: payload, signers: chosen.map { signers[$0] })
            let file = try fixture.write(envelope.jsonRepresentation, to: "threshold-\(chosen).dsse.json")
            verify("threshold \(name)", file, keys: keys, threshold: 2, valid: valid, keyIDs: valid ? keys.map(\.keyID).sorted() : nil)
        }

        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)
        for (id, valid, keyIDs) in expectations {
            tally.check(id, results[id], expectValid: valid)
            if let keyIDs, results[id]?.accepted == true {
                #expect(results[id]?.info?.keyids == keyIDs, "\(id): the keys securesystemslib accepted")
            }
        }
        tally.report(expectedRuns: 3 * InteropScheme.all.count + 3, expectedSkips: 1)
    }

    @Test func sigilVerifiesSecuresystemslibsEnvelopes() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("securesystemslib", "securesystemslib→Sigil")
        tally.skip(reason: InteropScheme.skippedReason)
        var jobs: [EnvelopeDriver.Job] = []
        var payloads: [String: [UInt8]] = [:]
        func sign(_ name: String, keys: [EnvelopeDriver.KeyEntry]) throws {
            let payload = try InteropDSSE.statement(for: Self.artifact(name), name: name)
            payloads[name] = payload
            var job = EnvelopeDriver.Job(id: name, lib: "sslib", op: "sign", input: try fixture.write(payload, to: "\(name).payload"))
            job.keys = keys
            job.payloadType = DSSEEnvelope.inTotoPayloadType
            job.output = fixture.path("\(name).dsse.json")
            jobs.append(job)
        }
        for scheme in InteropScheme.all {
            try sign(scheme.name, keys: [scheme.entry(try fixture.key(scheme.spec).privatePath, keyID: "sslib-\(scheme)")])
        }
        let thresholdKeys = try Self.thresholdSchemes.map { scheme in
            scheme.entry(try fixture.key(scheme.spec).privatePath, keyID: "sslib-t-\(scheme)")
        }
        try sign("threshold-2", keys: thresholdKeys)
        try sign("threshold-1", keys: [thresholdKeys[0]])
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)

        func envelope(_ name: String) throws -> [UInt8]? {
            guard results[name]?.accepted == true else {
                tally.check("\(name) signed", false, results[name]?.summary ?? "no result")
                return nil
            }
            return try fixture.read("\(name).dsse.json")
        }
        for scheme in InteropScheme.all {
            guard let json = try envelope(scheme.name), let payload = payloads[scheme.name] else { continue }
            let id = "sslib-\(scheme)"
            let store = try TrustStore([scheme.trusted(fixture.key(scheme.spec), as: id)])
            let wrongStore = try TrustStore([scheme.trusted(fixture.key(scheme.spec, wrong: true), as: id)])
            tally.checkSigil("\(scheme) valid", expectValid: true) {
                let verified = try DSSEEnvelope(jsonRepresentation: json).verify(using: store)
                return verified.payload == payload && verified.payloadType == DSSEEnvelope.inTotoPayloadType && verified.keyIDs == [id]
            }
            tally.checkSigil("\(scheme) tampered", expectValid: false) {
                let tampered = try InteropTamper.replacingDSSEPayload(in: json, with: Self.forgedStatement(scheme.name))
                return try !DSSEEnvelope(jsonRepresentation: tampered).verify(using: store).signers.isEmpty
            }
            tally.checkSigil("\(scheme) wrong key", expectValid: false) {
                try !DSSEEnvelope(jsonRepresentation: json).verify(using: wrongStore).signers.isEmpty
            }
        }

        let thresholdStore = try TrustStore(zip(Self.thresholdSchemes, thresholdKeys).map { scheme, entry in
            try scheme.trusted(fixture.key(scheme.spec), as: entry.keyID)
        })
        for (name, valid) in [("threshold-2", true), ("threshold-1", false)] {
            guard let json = try envelope(name) else { continue }
            tally.checkSigil("\(name) of 2", expectValid: valid) {
                let verified = try DSSEEnvelope(jsonRepresentation: json).verify(using: thresholdStore, threshold: 2)
                return Set(verified.keyIDs) == Set(thresholdKeys.map(\.keyID))
            }
        }
        tally.report(expectedRuns: 3 * InteropScheme.all.count + 2, expectedSkips: 1)
    }
}
