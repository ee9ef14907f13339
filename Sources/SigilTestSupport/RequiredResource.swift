public import Testing

extension TestSupport {
    /// For something a test needs from outside the repository (the shared vectors, the
    /// Python venv): whether it is there. When it is not, says so on standard output, then
    /// fails the test under CI (`CI=true`), where a missing piece is a broken set-up, and
    /// skips it (cancels) elsewhere.
    ///
    /// - Parameters:
    ///   - present: Whether the resource is there.
    ///   - missing: What is missing and how to get it, for the message.
    /// - Returns: `true` when present; `false` after recording a failure under CI.
    public static func require(
        _ present: Bool, missing: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Bool {
        if present { return true }
        if SharedVectors.isCI {
            print("FAIL: \(missing); CI=true")
            Issue.record("\(missing); CI=true, so this fails", sourceLocation: sourceLocation)
            return false
        }
        print("skipping: \(missing)")
        try Test.cancel("skipped: \(missing)", sourceLocation: sourceLocation)
    }
}
