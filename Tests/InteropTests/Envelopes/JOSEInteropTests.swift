import Foundation
import Sigil
import SigilTestSupport
import Testing

/// JWTs (compact JWS) between Sigil and PyJWT and jwcrypto, both ways, for every JOSE
/// algorithm: Sigil's tokens verified by each library against Sigil's JWKS; theirs verified
/// by Sigil against the PEM (PyJWT) or the JWKS jwcrypto exports. Each token also goes in
/// tampered (another payload under the same signature) and against the wrong key (another
/// key of the same type under the same id): both sides must refuse both.
@Suite("Interop: JWT with PyJWT and jwcrypto")
struct InteropJOSETests {
    static let libraries = ["pyjwt", "jwcrypto"]
    static let issuer = "https://sigil.example/issuer"
    static let audience = "interop-service"

    /// The id Sigil's JWKS gives the key of `spec`.
    static func keyID(_ spec: KeySpec, prefix: String) -> String { "\(prefix)-\(spec.kmsName.lowercased())" }

    static func claims(subject: String) -> [UInt8] {
        let now = Int(Date().timeIntervalSince1970)
        return Array(#"{"iss":"\#(issuer)","aud":"\#(audience)","sub":"\#(subject)","iat":\#(now),"exp":\#(now + 900)}"#.utf8)
    }

    static var specs: [KeySpec] { [.rsa2048, .eccNistP256, .eccNistP384, .eccNistP521, .eccSecgP256k1] }

    /// A store of the main (or wrong) key of every spec, each under its id.
    static func store(_ fixture: EnvelopeInteropFixture, wrong: Bool) throws -> TrustStore {
        try TrustStore(specs.map { spec in
            try TrustedKey(id: keyID(spec, prefix: "sigil"), publicKey: fixture.key(spec, wrong: wrong).publicKey)
        })
    }

    @Test func librariesVerifySigilsJWTsAgainstSigilsJWKS() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }
        let jwks = try fixture.write(JWKSet(trustStore: Self.store(fixture, wrong: false)).jsonRepresentation, to: "sigil.jwks")
        let wrongJWKS = try fixture.write(JWKSet(trustStore: Self.store(fixture, wrong: true)).jsonRepresentation, to: "wrong.jwks")

        var jobs: [EnvelopeDriver.Job] = []
        for algorithm in JOSEAlgorithm.all {
            let spec = InteropKey.spec(curve: algorithm.curve)
            let input = try JWT.signingInput(
                claims: Self.claims(subject: "sigil-\(algorithm.name)"), algorithm: algorithm, keyID: Self.keyID(spec, prefix: "sigil"))
            let token = try input.compactSerialization(kmsSignature: fixture.key(spec).sign(input.bytes, algorithm.signingAlgorithm))
            let tampered = InteropTamper.replacingPayload(ofCompact: token, with: Self.claims(subject: "mallory"))
            let files = [
                "good": try fixture.write(Array(token.utf8), to: "\(algorithm.name).jwt"),
                "tampered": try fixture.write(Array(tampered.utf8), to: "\(algorithm.name)-tampered.jwt"),
            ]
            for library in Self.libraries {
                for (check, file, keys) in [("good", files["good"]!, jwks), ("tampered", files["tampered"]!, jwks), ("wrong-key", files["good"]!, wrongJWKS)] {
                    var job = EnvelopeDriver.Job(id: "\(library)/\(algorithm.name)/\(check)", lib: library, op: "verify", input: file)
                    job.jwks = keys
                    job.alg = algorithm.name
                    job.issuer = Self.issuer
                    job.audience = Self.audience
                    jobs.append(job)
                }
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)

        for library in Self.libraries {
            var tally = InteropTally(library, "Sigil→\(library)")
            for algorithm in JOSEAlgorithm.all {
                let good = results["\(library)/\(algorithm.name)/good"]
                tally.check("\(algorithm.name) valid", good, expectValid: true)
                tally.check("\(algorithm.name) subject", good?.info?.claims?.sub == "sigil-\(algorithm.name)", "claims \(String(describing: good?.info?.claims))")
                tally.check("\(algorithm.name) tampered", results["\(library)/\(algorithm.name)/tampered"], expectValid: false)
                tally.check("\(algorithm.name) wrong key", results["\(library)/\(algorithm.name)/wrong-key"], expectValid: false)
            }
            tally.report(expectedRuns: 4 * JOSEAlgorithm.all.count)
        }
    }

    @Test func sigilVerifiesTheLibrariesJWTs() async throws {
        guard try await EnvelopeDriver.isAvailable() else { return }
        let fixture = try EnvelopeInteropFixture()
        defer { fixture.remove() }

        var jobs: [EnvelopeDriver.Job] = []
        for spec in Self.specs {
            // jwcrypto's JWKS of the main key, and of the wrong key under the same kid.
            for wrong in [false, true] {
                var export = EnvelopeDriver.Job(
                    id: "export/\(spec.kmsName)/\(wrong)", lib: "jwcrypto", op: "export", input: "")
                export.key = try fixture.key(spec, wrong: wrong).publicPath
                export.keyID = Self.keyID(spec, prefix: "jwcrypto")
                export.output = fixture.path("jwcrypto-\(spec.kmsName)-\(wrong).jwks")
                jobs.append(export)
            }
        }
        for algorithm in JOSEAlgorithm.all {
            let spec = InteropKey.spec(curve: algorithm.curve)
            for library in Self.libraries {
                let claimsFile = try fixture.write(Self.claims(subject: "\(library)-\(algorithm.name)"), to: "\(library)-\(algorithm.name).claims")
                var job = EnvelopeDriver.Job(id: "\(library)/\(algorithm.name)", lib: library, op: "sign", input: claimsFile)
                job.key = try fixture.key(spec).privatePath
                job.alg = algorithm.name
                job.keyID = library == "jwcrypto" ? Self.keyID(spec, prefix: "jwcrypto") : nil
                job.output = fixture.path("\(library)-\(algorithm.name).jwt")
                jobs.append(job)
            }
        }
        let results = try await EnvelopeDriver.run(jobs, in: fixture.folder)
        let options = JWTValidationOptions(issuer: Self.issuer, audience: Self.audience, requiresExpiration: true)

        for library in Self.libraries {
            var tally = InteropTally(library, "\(library)→Sigil")
            for algorithm in JOSEAlgorithm.all {
                let spec = InteropKey.spec(curve: algorithm.curve)
                let signed = results["\(library)/\(algorithm.name)"]
                tally.check("\(algorithm.name) signed", signed?.accepted == true, signed?.summary ?? "no result")
                guard signed?.accepted == true, let token = try? String(decoding: fixture.read("\(library)-\(algorithm.name).jwt"), as: UTF8.self) else {
                    continue
                }
                let stores: (TrustStore, TrustStore)
                if library == "jwcrypto" {
                    stores = (
                        try TrustStore(jwksData: fixture.read("jwcrypto-\(spec.kmsName)-false.jwks")),
                        try TrustStore(jwksData: fixture.read("jwcrypto-\(spec.kmsName)-true.jwks")))
                } else {
                    stores = (
                        try TrustStore(pemText: fixture.key(spec).publicPEM),
                        try TrustStore(pemText: fixture.key(spec, wrong: true).publicPEM))
                }
                tally.checkSigil("\(algorithm.name) valid", expectValid: true) {
                    let verified = try JWT.verify(token, trustStore: stores.0, options: options)
                    return verified.claims.subject == "\(library)-\(algorithm.name)" && verified.algorithm == algorithm
                }
                let tampered = InteropTamper.replacingPayload(ofCompact: token, with: Self.claims(subject: "mallory"))
                tally.checkSigil("\(algorithm.name) tampered", expectValid: false) {
                    _ = try JWT.verify(tampered, trustStore: stores.0, options: options)
                    return true
                }
                tally.checkSigil("\(algorithm.name) wrong key", expectValid: false) {
                    _ = try JWT.verify(token, trustStore: stores.1, options: options)
                    return true
                }
            }
            tally.report(expectedRuns: 4 * JOSEAlgorithm.all.count)
        }
    }
}
