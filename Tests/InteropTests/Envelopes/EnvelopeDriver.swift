import Foundation
import SigilTestSupport
import Testing

/// The Python reference implementations of the envelopes (PyJWT, jwcrypto, pycose,
/// securesystemslib, the Sigstore bundle model), driven through `tools/interop/envelopes.py`
/// with the interpreter of the repository's `.venv` (made by `tools/lib/venv.sh`).
enum EnvelopeDriver {
    static let python = PythonSDK.python
    static let script = TestSupport.packageRoot.appendingPathComponent("tools/interop/envelopes.py").path

    /// Whether the venv has the interpreter and imports every library the driver uses.
    /// Checked once per test process.
    static let isPresent = Task<Bool, Never> {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let probe = "import jwt, jwcrypto, pycose, securesystemslib.dsse, sigstore_protobuf_specs, in_toto"
        return (try? await TestSupport.run(python, ["-c", probe]).status) == 0
    }

    static let missingMessage =
        "no envelope reference implementations in .venv (PyJWT, jwcrypto, pycose, securesystemslib, in-toto, "
        + "sigstore-protobuf-specs; tools/test makes it; by hand: source tools/lib/setup.sh; "
        + "source tools/lib/venv.sh; sigil_setup_venv)"

    /// Whether the libraries are there. When they are not, says so, then fails under CI
    /// (CI=true) and cancels the test (a skip) otherwise.
    static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        try TestSupport.require(await isPresent.value, missing: missingMessage, sourceLocation: sourceLocation)
    }

    /// One key for securesystemslib: a PEM file, the id it signs under, its scheme.
    struct KeyEntry: Encodable {
        var path: String
        var keyID: String
        var scheme: String
        enum CodingKeys: String, CodingKey {
            case path, scheme
            case keyID = "key_id"
        }
    }

    /// One operation for `envelopes.py batch`: the fields of its command-line options.
    struct Job: Encodable {
        var id: String
        var lib: String
        var op: String
        var input: String
        var output: String?
        var key: String?
        var jwks: String?
        var keys: [KeyEntry]?
        var alg: String?
        var scheme: String?
        var keyID: String?
        var issuer: String?
        var audience: String?
        var aad: String?
        var payload: String?
        var detached: Bool?
        var payloadType: String?
        var threshold: Int?
        var kind: String?
        var artifact: String?

        init(id: String, lib: String, op: String, input: String) {
            self.id = id
            self.lib = lib
            self.op = op
            self.input = input
        }

        enum CodingKeys: String, CodingKey {
            case id, lib, op, input, output, key, jwks, keys, alg, scheme, issuer, audience, aad, payload
            case detached, threshold, kind, artifact
            case keyID = "key_id", payloadType = "payload_type"
        }
    }

    /// What the library said about one job.
    struct Result: PythonBatchResult {
        /// The parts of the driver's `info` the tests look at.
        struct Info: Decodable {
            struct Claims: Decodable {
                var sub: String?
                var iss: String?
            }

            var claims: Claims?
            var alg: String?
            var kid: String?
            var keyids: [String]?
            var payloadType: String?
            var kind: String?
            var mediaType: String?
            var hint: String?
            var digestAlgorithm: String?
            var digest: String?
            var signatures: Int?
            var verified: Bool?

            enum CodingKeys: String, CodingKey {
                case claims, alg, kid, keyids, kind, hint, digest, signatures, verified
                case payloadType = "payload_type", mediaType = "media_type", digestAlgorithm = "digest_algorithm"
            }
        }

        var id: String?
        /// The job ran to a verdict (`false`: it could not be checked at all).
        var ok: Bool
        /// For verification: whether the library accepted the envelope.
        var valid: Bool?
        var error: String?
        var info: Info?

        /// Accepted by the library.
        var accepted: Bool { ok && valid == true }
        /// Refused by the library as invalid (not an error of the set-up).
        var refused: Bool { ok && valid == false }
        var summary: String { "ok=\(ok) valid=\(valid.map(String.init) ?? "-") error=\(error ?? "-")" }
    }

    /// Runs `jobs` in one Python process, in order, and returns each job's result by id.
    static func run(_ jobs: [Job], in folder: URL) async throws -> [String: Result] {
        guard !jobs.isEmpty else { return [:] }
        let (results, stderr) = try await PythonBatch.run(script, jobs, in: folder, as: Result.self)
        if results.count != jobs.count {
            print("envelopes.py reported \(results.count) of \(jobs.count) jobs; stderr:\n\(stderr.suffix(2000))")
        }
        return results
    }
}
