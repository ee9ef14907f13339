import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Sigstore bundles v0.3 in key mode between Sigil and the bundle's Python model
/// (`sigstore_protobuf_specs.dev.sigstore.bundle.v1.Bundle`): the model parses every bundle
/// Sigil writes (messageSignature and dsseEnvelope), the signature checks out in Python, and
/// Sigil verifies the model's re-serialization; and Sigil verifies bundles assembled with
/// the model around signatures made in Python. Tampered content and the wrong key are
/// refused both ways.
@Suite("Interop: Sigstore bundles with sigstore-protobuf-specs")
struct InteropSigstoreTests {
    static let kinds = ["message", "dsse"]
    /// The model's names of the digest algorithms.
    static let digestNames: [HashFunction: String] = [.sha256: "SHA2_256", .sha384: "SHA2_384", .sha512: "SHA2_512"]

    /// An artifact and a forged one of the same length, different for every case.
    static func artifacts(_ fixture: EnvelopeInteropFixture, _ name: String) throws -> (real: [UInt8], forged: [UInt8], realPath: String, forgedPath: String) {
        let real = fixture.randomPayload()
        let forged = TestSupport.flippingBit(3, of: real)
        return (real, forged, try fixture.write(real, to: "\(name).artifact"), try fixture.write(forged, to: "\(name).forged"))
    }

    @Test func theModelParsesSigilsBundles() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("sigstore-protobuf-specs", "Sigil→sigstore-protobuf-specs")
        tally.skip(Self.kinds.count, reason: InteropScheme.skippedReason)
        var jobs: [EnvelopeDriver.Job] = []
        var cases: [(name: String, scheme: InteropScheme, kind: String, artifact: [UInt8])] = []

        for scheme in InteropScheme.all {
            for kind in Self.kinds {
                let name = "\(scheme)-\(kind)"
                let id = "sigil-\(scheme)"
                let key = try fixture.key(scheme.spec)
                let artifact = try Self.artifacts(fixture, name)
                let bundle: SigstoreBundle
                var tampered: (bundle: String, artifact: String)
                if kind == "message" {
                    bundle = try SigstoreBundle(
                        messageSignature: key.sign(artifact.real, scheme.algorithm),
                        digest: scheme.algorithm.hashFunction.hash(artifact.real),
                        digestAlgorithm: scheme.algorithm.hashFunction, publicKeyHint: id)
                    tampered = ("", artifact.forgedPath)
                } else {
                    let statement = try InteropDSSE.statement(for: artifact.real, name: name)
                    bundle = try SigstoreBundle(
                        dsseEnvelope: InteropDSSE.envelope(payload: statement, signers: [(key, id, scheme.algorithm)]), publicKeyHint: id)
                    let forged = try InteropDSSE.statement(for: artifact.forged, name: name)
                    let spoiled = try InteropTamper.replacingDSSEPayload(in: bundle.jsonRepresentation, with: forged, at: ["dsseEnvelope"])
                    tampered = (try fixture.write(spoiled, to: "\(name)-tampered.bundle.json"), artifact.realPath)
                }
                let file = try fixture.write(bundle.jsonRepresentation, to: "\(name).bundle.json")
                if tampered.bundle.isEmpty { tampered.bundle = file }
                for (check, input, artifactPath, keyPath) in [
                    ("valid", file, artifact.realPath, key.publicPath),
                    ("tampered", tampered.bundle, tampered.artifact, key.publicPath),
                    ("wrong key", file, artifact.realPath, try fixture.key(scheme.spec, wrong: true).publicPath),
                ] {
                    var job = EnvelopeDriver.Job(id: "\(name)/\(check)", lib: "sigstore", op: "parse", input: input)
                    job.key = keyPath
                    job.scheme = scheme.name
                    job.artifact = artifactPath
                    job.output = check == "valid" ? fixture.path("\(name).roundtrip.json") : nil
                    jobs.append(job)
                }
                cases.append((name, scheme, kind, artifact.real))
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)

        for (name, scheme, kind, artifact) in cases {
            let id = "sigil-\(scheme)"
            let valid = results["\(name)/valid"]
            let info = valid?.info
            let fieldsRight =
                info?.mediaType == SigstoreBundle.mediaTypeV03 && info?.hint == id && info?.verified == true
                && (kind == "message"
                    ? info?.kind == "message_signature" && info?.digestAlgorithm == Self.digestNames[scheme.algorithm.hashFunction]
                    : info?.kind == "dsse_envelope" && info?.payloadType == DSSEEnvelope.inTotoPayloadType && info?.signatures == 1)
            tally.check("\(name) parsed and verified", valid?.accepted == true && fieldsRight, valid?.summary ?? "no result")
            tally.check("\(name) tampered", results["\(name)/tampered"], expectValid: false)
            tally.check("\(name) wrong key", results["\(name)/wrong key"], expectValid: false)
            let store = try TrustStore([scheme.trusted(fixture.key(scheme.spec), as: id)])
            tally.checkSigil("\(name) round trip through the model", expectValid: true) {
                let verified = try SigstoreBundle(jsonRepresentation: fixture.read("\(name).roundtrip.json"))
                    .verify(using: store, artifact: .bytes(artifact))
                return verified.keyID == id && verified.artifactVerified
            }
        }
        tally.report(expectedRuns: 4 * InteropScheme.all.count * Self.kinds.count, expectedSkips: Self.kinds.count)
    }

    @Test func sigilVerifiesBundlesTheModelAssembled() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        var tally = InteropTally("sigstore-protobuf-specs", "sigstore-protobuf-specs→Sigil")
        tally.skip(Self.kinds.count, reason: InteropScheme.skippedReason)
        var jobs: [EnvelopeDriver.Job] = []
        var cases: [(name: String, scheme: InteropScheme, kind: String, artifact: [UInt8], forged: [UInt8])] = []

        for scheme in InteropScheme.all {
            for kind in Self.kinds {
                let name = "\(scheme)-\(kind)"
                let artifact = try Self.artifacts(fixture, name)
                var job = EnvelopeDriver.Job(id: name, lib: "sigstore", op: "sign", input: artifact.realPath)
                job.key = try fixture.key(scheme.spec).privatePath
                job.scheme = scheme.name
                job.keyID = "python-\(scheme)"
                job.kind = kind
                job.output = fixture.path("\(name).bundle.json")
                jobs.append(job)
                cases.append((name, scheme, kind, artifact.real, artifact.forged))
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)

        for (name, scheme, kind, artifact, forged) in cases {
            guard results[name]?.accepted == true else {
                tally.check("\(name) assembled", false, results[name]?.summary ?? "no result")
                continue
            }
            let id = "python-\(scheme)"
            let json = try fixture.read("\(name).bundle.json")
            let store = try TrustStore([scheme.trusted(fixture.key(scheme.spec), as: id)])
            let wrongStore = try TrustStore([scheme.trusted(fixture.key(scheme.spec, wrong: true), as: id)])
            tally.checkSigil("\(name) valid", expectValid: true) {
                let verified = try SigstoreBundle(jsonRepresentation: json).verify(using: store, artifact: .bytes(artifact))
                let payloadRight = kind == "message" ? verified.payload == nil : verified.payloadType == DSSEEnvelope.inTotoPayloadType
                return verified.keyID == id && verified.algorithm == scheme.algorithm && verified.artifactVerified && payloadRight
                    && !verified.transparencyLogVerified
            }
            tally.checkSigil("\(name) tampered", expectValid: false) {
                if kind == "message" {
                    _ = try SigstoreBundle(jsonRepresentation: json).verify(using: store, artifact: .bytes(forged))
                } else {
                    let statement = try InteropDSSE.statement(for: forged, name: "artifact")
                    let spoiled = try InteropTamper.replacingDSSEPayload(in: json, with: statement, at: ["dsseEnvelope"])
                    _ = try SigstoreBundle(jsonRepresentation: spoiled).verify(using: store, artifact: .bytes(forged))
                }
                return true
            }
            tally.checkSigil("\(name) wrong key", expectValid: false) {
                _ = try SigstoreBundle(jsonRepresentation: json).verify(using: wrongStore, artifact: .bytes(artifact))
                return true
            }
        }
        tally.report(expectedRuns: 3 * InteropScheme.all.count * Self.kinds.count, expectedSkips: Self.kinds.count)
    }
}
