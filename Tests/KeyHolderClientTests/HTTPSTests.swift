import Foundation
import SigilTestSupport
import Testing

/// `serve --tls-cert --tls-key`: HTTPS with TLS 1.2 and 1.3 only, checked with the real
/// AWS CLI, `sigil` and OpenSSL's client against a throwaway CA made by the test.
@Suite("HTTPS", .serialized)
struct HTTPSTests {
    static let openssl = "/usr/bin/openssl"

    @Test func theAWSCLIOverHTTPSWithAThrowawayCA() async throws {
        guard try RealClientTests.venvIsAvailable() else { return }
        var files: (ca: String, certificate: String, key: String)! = nil
        let server = try await KeyHolderServer { folder in
            files = try await TestSupport.makeTestCertificates(in: folder)
            return ["--tls-cert", files.certificate, "--tls-key", files.key]
        }
        defer { server.stop() }
        #expect(server.endpoint.hasPrefix("https://"))
        #expect(server.log.contains("(HTTPS)"))

        let created = try await server.run(
            RealClientTests.aws, ["kms", "create-key", "--endpoint-url", server.endpoint, "--ca-bundle", files.ca])
        #expect(created.status == 0, "\(created.stderrText)")
        #expect(created.stdoutText.contains("\"KeyId\""))
        let listed = try await server.run(
            RealClientTests.aws, ["kms", "list-keys", "--endpoint-url", server.endpoint, "--ca-bundle", files.ca])
        #expect(listed.status == 0 && listed.stdoutText.contains("\"KeyArn\""), "\(listed.stderrText)")

        // Without the CA the CLI refuses the certificate; nothing is sent in the clear.
        let untrusted = try await server.run(RealClientTests.aws, ["kms", "list-keys", "--endpoint-url", server.endpoint])
        #expect(untrusted.status != 0)
        #expect(untrusted.stderrText.contains("SSL") || untrusted.stderrText.contains("certificate"), "\(untrusted.stderrText)")
        let plain = try await server.run(
            RealClientTests.aws,
            ["kms", "list-keys", "--endpoint-url", server.endpoint.replacingOccurrences(of: "https://", with: "http://"),
             "--cli-read-timeout", "5", "--cli-connect-timeout", "5"])
        #expect(plain.status != 0)

        // sigil, trusting the CA by --ca-bundle or $AWS_CA_BUNDLE, as the AWS CLI does.
        let sigilEndpoint = ["SIGIL_ENDPOINT_URL": server.endpoint]
        let created2 = try await server.sigil(
            ["keys", "create", "--description", "over https", "--ca-bundle", files.ca, "--output", "json"], extra: sigilEndpoint)
        #expect(created2.status == 0, "\(created2.stderrText)")
        #expect(created2.stdoutText.contains("over https"))
        let listedBySigil = try await server.sigil(["keys", "list"], extra: sigilEndpoint.merging(["AWS_CA_BUNDLE": files.ca]) { $1 })
        #expect(listedBySigil.status == 0, "\(listedBySigil.stderrText)")
        #expect(listedBySigil.stdoutText.split(separator: "\n").filter { $0.contains("arn:aws:kms:") }.count == 2, "\(listedBySigil.stdoutText)")
        let untrustedSigil = try await server.sigil(["keys", "list"], extra: sigilEndpoint)
        #expect(untrustedSigil.status != 0)
        #expect(untrustedSigil.stderrText.lowercased().contains("certificate"), "\(untrustedSigil.stderrText)")
        let missingBundle = try await server.sigil(["keys", "list", "--ca-bundle", server.path("no-such.pem")], extra: sigilEndpoint)
        #expect(missingBundle.status == 2 && missingBundle.stderrText.contains("no-such.pem"), "\(missingBundle.stderrText)")

        // TLS 1.2 and 1.3 are served; 1.1 is refused even to a client willing to use it.
        let address = "127.0.0.1:\(server.port)"
        for (version, accepted) in [("-tls1_3", true), ("-tls1_2", true), ("-tls1_1", false)] {
            let handshake = try await TestSupport.run(
                Self.openssl,
                ["s_client", "-connect", address, version, "-CAfile", files.ca, "-cipher", "DEFAULT:@SECLEVEL=0",
                 "-verify_return_error", "-brief"],
                input: Data())
            #expect((handshake.status == 0) == accepted, "\(version): \(handshake.stderrText)")
        }
    }

    @Test func plainHTTPOnANonLoopbackAddressIsRefusedUnlessAskedFor() async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyholder = TestSupport.productsDirectory.appendingPathComponent("sigil-keyholder").path
        let refused = try await TestSupport.run(
            keyholder, ["serve", "--data-dir", folder.path, "--listen", "0.0.0.0:\(try KeyHolderProcess.freePort())"])
        #expect(refused.status != 0)
        #expect(refused.stderrText.contains("--tls-cert") && refused.stderrText.contains("--insecure-http"), "\(refused.stderrText)")
        let halfTLS = try await TestSupport.run(
            keyholder, ["serve", "--data-dir", folder.path, "--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent.pem"])
        #expect(halfTLS.status != 0)
        #expect(halfTLS.stderrText.contains("--tls-key"), "\(halfTLS.stderrText)")
    }
}
