import Foundation
import SigilCrypto
import SigilKMS
import SigilTestSupport
import Testing

/// The default transport (AsyncHTTPClient) against a loopback HTTP server that echoes what
/// it received: the headers Sigil signed must arrive as signed (the HTTP client writes its
/// own Content-Length, and must not add a second Host), and the server-side verifier must
/// accept them.
@Suite struct KMSClientLiveTests {
    static let echoServer = """
        import base64, json, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer
        class Echo(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                answer = json.dumps({"path": self.path, "method": self.command,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body_b64": base64.b64encode(body).decode()}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            def log_message(self, *args):
                pass
        server = HTTPServer(("127.0.0.1", 0), Echo)
        server.timeout = 30
        print(server.server_address[1], flush=True)
        server.handle_request()
        """

    struct Echo: Decodable {
        var path: String
        var method: String
        var headers: [[String]]
        var body_b64: String
    }

    @Test func signedHeadersSurviveTheHTTPClientAndVerify() async throws {
        // The server answers one request and exits.
        let server = try await ChildProcess("/usr/bin/env", ["python3", "-c", Self.echoServer])
        defer { server.kill() }
        #expect(try await server.waitForLog(timeout: .seconds(30)) { $0.contains("\n") })
        let line = server.log.prefix { $0 != "\n" }
        let port = try #require(Int(line.trimmingCharacters(in: .whitespaces)), "\(server.log)")

        let credentials = AWSCredentials(accessKeyId: "AKIDLIVE", secretAccessKey: "live-secret")
        let client = KMSClient(endpoint: URL(string: "http://127.0.0.1:\(port)")!, region: "us-east-1", credentials: credentials)
        let request = KMS.EncryptRequest(keyId: "alias/a", plaintext: Base64Blob([1, 2, 3]), encryptionContext: ["k": "v"])
        // Verified as of the sending time: the point is what the HTTP client did to the signed
        // headers, and a slow run (a sanitizer on a busy machine) may take minutes to get
        // back here, past SigV4's five-minute window.
        let sent = Date()
        let echo: Echo = try await client.send(.encrypt, request)

        #expect(echo.method == "POST" && echo.path == "/")
        let body = try #require(Data(base64Encoded: echo.body_b64))
        #expect(try KMSJSON.decode(KMS.EncryptRequest.self, from: body) == request)
        let received = SigV4.Request(
            method: echo.method, path: echo.path, headers: echo.headers.map { .init($0[0], $0[1]) }, body: body)
        #expect(received.values(of: "host") == ["127.0.0.1:\(port)"])
        let verified = try SigV4.Verifier(region: "us-east-1").verify(received, now: sent) { _ in
            credentials.secretAccessKey
        }
        #expect(verified.accessKeyId == "AKIDLIVE")
        #expect(verified.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
    }
}
