internal import COpenSSL

/// The libcrypto this process runs with, which may differ from the one it was built against.
public enum OpenSSLVersion {
    /// What `openssl version` prints, read from the loaded library: `OpenSSL 3.0.17 1 Jul 2025`.
    public static var runtime: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "unknown" }
        return String(cString: text)
    }
}
