import Foundation
import SigilTestSupport
import Testing

/// The official AWS Encryption SDK for Python, driven through `tools/interop/esdk.py` with
/// the interpreter of the repository's `.venv` (made by `tools/lib/venv.sh`).
struct PythonSDK {
    static let python = TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
    static let script = TestSupport.packageRoot.appendingPathComponent("tools/interop/esdk.py").path

    static var isPresent: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static let missingMessage =
        "no Python Encryption SDK at .venv/bin/python (tools/test makes it; by hand: "
        + "source tools/lib/setup.sh; source tools/lib/venv.sh; sigil_setup_venv)"

    /// Whether the SDK is there. When it is not, says so, then fails under CI (CI=true)
    /// and cancels the test (a skip) otherwise.
    static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        try TestSupport.require(isPresent, missing: missingMessage, sourceLocation: sourceLocation)
    }

    /// One operation for `esdk.py batch`: the same fields as its command-line options.
    struct Job: Encodable {
        var id: String
        var op: String
        var input: String
        var output: String
        var publicKey: String?
        var privateKey: String?
        var keyId: String?
        var keyNamespace: String?
        var keyName: String?
        var padding: String?
        var context: [String: String]?
        var suite: String?
        var frameSize: Int?

        enum CodingKeys: String, CodingKey {
            case id, op, input, output, padding, context, suite
            case publicKey = "public_key", privateKey = "private_key", keyId = "key_id"
            case keyNamespace = "key_namespace", keyName = "key_name", frameSize = "frame_size"
        }
    }

    /// What the SDK said about one job, including the header it wrote or read.
    struct Result: PythonBatchResult {
        struct Header: Decodable {
            struct Recipient: Decodable, Equatable {
                var providerId: String
                var providerInfo: String
                enum CodingKeys: String, CodingKey {
                    case providerId = "provider_id", providerInfo = "provider_info"
                }
            }

            var suite: String
            var frameLength: Int
            var encryptionContext: [String: String]
            var recipients: [Recipient]
            enum CodingKeys: String, CodingKey {
                case suite, recipients
                case frameLength = "frame_length", encryptionContext = "encryption_context"
            }
        }

        var id: String?
        var ok: Bool
        var error: String?
        var header: Header?
        var kmsCalls: Int?
        enum CodingKeys: String, CodingKey {
            case id, ok, error, header
            case kmsCalls = "kms_calls"
        }
    }

    /// Runs `jobs` in one Python process and returns each job's result by id.
    static func run(_ jobs: [Job], in folder: URL) async throws -> (results: [String: Result], stderr: String) {
        try await PythonBatch.run(script, jobs, in: folder, as: Result.self)
    }
}
