public import Foundation

/// Test vectors fetched from elsewhere (Wycheproof, the Encryption SDK's), read in place
/// from `SIGIL_VECTORS_DIR` or from `../shared/vectors` beside the package root, and never
/// copied into the repository.
public enum SharedVectors {
    /// The folder that holds `wycheproof/` and `esdk/`.
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["SIGIL_VECTORS_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true).standardizedFileURL
        }
        return TestSupport.packageRoot.appendingPathComponent("../shared/vectors", isDirectory: true).standardizedFileURL
    }()

    /// One corpus folder, such as `wycheproof`.
    public static func folder(_ name: String) -> URL {
        root.appendingPathComponent(name, isDirectory: true)
    }

    /// Whether a corpus folder exists.
    public static func isPresent(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether a missing corpus must fail the run rather than skip it (`CI=true`).
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The message for a missing corpus folder.
    public static func missingMessage(_ name: String) -> String {
        "\(name) vectors not found at \(folder(name).path) "
            + "(set SIGIL_VECTORS_DIR to the folder holding wycheproof/ and esdk/)"
    }
}
