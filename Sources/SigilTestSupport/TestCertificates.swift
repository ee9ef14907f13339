public import Foundation

extension TestSupport {
    /// A throwaway CA and a server certificate for 127.0.0.1 and localhost signed by it,
    /// made with OpenSSL's command in `folder`: the paths of the CA certificate, the
    /// server's certificate and its unencrypted private key (all PEM).
    ///
    /// - Throws: ``TestFailure`` when `openssl` fails.
    public static func makeTestCertificates(in folder: URL) async throws -> (ca: String, certificate: String, key: String) {
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        _ = try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"),
            "-out", path("ca.pem"), "-days", "1", "-subj", "/CN=Sigil throwaway test CA",
        ])
        _ = try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("server.key"),
            "-out", path("server.csr"), "-subj", "/CN=127.0.0.1",
        ])
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: folder.appendingPathComponent("server.ext"))
        _ = try await openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
            "-out", path("server.pem"), "-days", "1", "-extfile", path("server.ext"),
        ])
        return (path("ca.pem"), path("server.pem"), path("server.key"))
    }
}
