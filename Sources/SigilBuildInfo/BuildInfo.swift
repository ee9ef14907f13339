internal import CSigilBuildInfo
internal import SigilCrypto

/// What a `--version` line says about the binary: Sigil's version, the git commit it was
/// built from, and the OpenSSL it runs with.
public enum BuildInfo {
    /// Sigil's version (semantic versioning); the packages in tools/package take it from here.
    public static let version = "0.14.0"

    /// The git commit of the build, as tools/package passes it (`$SIGIL_COMMIT`), or
    /// `unknown` for a plain `swift build`.
    public static var commit: String { String(cString: sigil_build_commit()) }

    /// The `--version` text of a Sigil executable named `program`: one line each for the
    /// version, the commit and the run-time OpenSSL.
    public static func versionText(program: String) -> String {
        """
        \(program) \(version)
        commit: \(commit)
        openssl: \(OpenSSLVersion.runtime)
        """
    }
}
