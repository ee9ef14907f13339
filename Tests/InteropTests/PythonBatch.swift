import Foundation
import SigilTestSupport

/// A result line of an interop script's `batch` mode: one JSON object per job, naming it.
protocol PythonBatchResult: Decodable {
    var id: String? { get }
}

/// Runs an interop script's `batch` mode: the jobs go to one Python process as a JSON file
/// (the libraries are slow to import), and each printed line that decodes as a result is
/// kept by its job's id; a job the script did not report on is missing from the answer.
enum PythonBatch {
    static func run<Job: Encodable, Result: PythonBatchResult>(
        _ script: String, _ jobs: [Job], in folder: URL, as _: Result.Type
    ) async throws -> (results: [String: Result], stderr: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let jobFile = folder.appendingPathComponent("jobs-\(UUID().uuidString).json")
        try encoder.encode(jobs).write(to: jobFile)
        let output = try await TestSupport.run(PythonSDK.python, [script, "batch", jobFile.path])
        var results: [String: Result] = [:]
        let decoder = JSONDecoder()
        for line in output.stdoutText.split(separator: "\n") {
            guard let result = try? decoder.decode(Result.self, from: Data(line.utf8)), let id = result.id else { continue }
            results[id] = result
        }
        return (results, output.stderrText)
    }
}
