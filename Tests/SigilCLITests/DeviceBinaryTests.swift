import Foundation
import Sigil
import SigilBuildInfo
import SigilTestSupport
import Testing

/// `sigil-device`, the offline build for field devices: the same verbs as `sigil` with
/// the same answers, no key-holder client, and nothing linked that a device does not need.
@Suite struct DeviceBinaryTests {
    static let device = TestSupport.productsDirectory.appendingPathComponent("sigil-device").path
    static let sigil = TestSupport.productsDirectory.appendingPathComponent("sigil").path

    @Test func verifiesAGoodSignatureAndRefusesATamperedMessage() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let message = TestSupport.randomMessage(lengths: 1...5000)
        let files = try cli.signedFiles(.ecdsaSHA256, .eccNistP256, message: message)
        let arguments = ["verify", "--public-key", files.key, "--algorithm", "ECDSA_SHA_256", "--signature", files.signature]
        let good = try await TestSupport.run(Self.device, arguments + [files.message])
        #expect(good.status == 0 && good.stdoutText == "valid\n", "\(good.stderrText)")

        let tampered = try cli.write("tampered", TestSupport.flippingBit(3, of: message))
        let bad = try await TestSupport.run(Self.device, arguments + [tampered])
        #expect(bad.status == 1 && bad.stdoutText == "invalid\n")

        // --output json is JSONEncoder's now (no JSONSerialization): the same members, sorted.
        let json = try await TestSupport.run(Self.device, arguments + ["--output", "json", files.message])
        #expect(json.status == 0)
        #expect(json.stdoutText.hasPrefix(#"{"algorithm":"ECDSA_SHA_256","fingerprint":""#), "\(json.stdoutText)")
        #expect(json.stdoutText.hasSuffix(#""keySpec":"ECC_NIST_P256","messageType":"RAW","result":"valid"}"# + "\n"))
    }

    @Test func encryptsAndDecryptsWithAPrivateKey() async throws {
        let cli = try CLIFixture()
        defer { cli.remove() }
        let key = try TestSupport.privateKey(.rsa2048)
        let publicKey = try cli.write("device.pub.pem", Array(key.publicKey.pemRepresentation.utf8))
        let privateKey = try cli.write("device.key.pem", Array(key.pemRepresentation.utf8))
        let plaintext = TestSupport.randomMessage(lengths: 5000...9000)
        let input = try cli.write("reading.bin", plaintext)
        let recipient = ["--key-namespace", "escrow", "--key-name", "2026"]
        let message = cli.folder.appendingPathComponent("reading.sigil").path
        let encrypted = try await TestSupport.run(
            Self.device, ["encrypt", "--public-key", publicKey] + recipient + ["-o", message, input])
        #expect(encrypted.status == 0, "\(encrypted.stderrText)")

        // The full `sigil` opens what the device wrote, and the device opens it too.
        for program in [Self.sigil, Self.device] {
            let decrypted = try await TestSupport.run(program, ["decrypt", "--private-key", privateKey] + recipient + [message])
            #expect(decrypted.status == 0, "\(program): \(decrypted.stderrText)")
            #expect(Array(decrypted.standardOutput) == plaintext, "\(program)")
        }
        let inspected = try await TestSupport.run(Self.device, ["inspect", "--output", "json", message])
        #expect(inspected.status == 0 && inspected.stdoutText.contains(#""recipients":[{"providerId":"escrow","providerInfo":"2026"}]"#))
    }

    @Test func sendsKeyHolderWorkToSigil() async throws {
        let decrypt = try await TestSupport.run(
            Self.device, ["decrypt", "--key-id", "arn:aws:kms:us-east-1:111122223333:key/k", "/dev/null"])
        #expect(decrypt.status == 2)
        #expect(decrypt.stderrText.contains("no key-holder client"), "\(decrypt.stderrText)")
        for verb in [["sign"], ["keys", "list"], ["public-key", "get"]] {
            let result = try await TestSupport.run(Self.device, verb)
            #expect(result.status == 2, "\(verb)")
        }
    }

    @Test(arguments: ["sigil", "sigil-device", "sigil-keyholder"])
    func versionNamesTheReleaseTheCommitAndTheOpenSSLInUse(program: String) async throws {
        let path = TestSupport.productsDirectory.appendingPathComponent(program).path
        let result = try await TestSupport.run(path, ["--version"])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdoutText)")
        #expect(lines.first == "\(program) \(BuildInfo.version)")
        let commit = try #require(lines.dropFirst().first)
        // A plain `swift build` says unknown; tools/package's builds name the commit.
        let hash = commit.dropFirst("commit: ".count)
        #expect(commit.hasPrefix("commit: ") && (hash == "unknown" || (hash.count >= 7 && hash.allSatisfy(\.isHexDigit))))
        // What the loaded libcrypto says, as `openssl version` prints it.
        let openssl = try await TestSupport.run("openssl", ["version"])
        #expect(lines.last == "openssl: \(OpenSSLVersion.runtime)")
        #expect(openssl.stdoutText.hasPrefix(OpenSSLVersion.runtime), "\(openssl.stdoutText)")
    }

    /// The shared libraries an ELF file asks for (DT_NEEDED), as readelf reads them.
    static func neededLibraries(_ path: String) async throws -> [String] {
        let result = try await TestSupport.run("readelf", ["--dynamic", "--wide", path])
        guard result.status == 0 else { throw TestFailure("readelf \(path): \(result.stderrText)") }
        return result.stdoutText.split(separator: "\n").compactMap { line in
            guard line.contains("(NEEDED)"), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") else {
                return nil
            }
            return String(line[line.index(after: open)..<close])
        }
    }

    /// Whether a Swift module's code is in a binary: its mangled name (length, then name)
    /// prefixes the symbols and type metadata of everything it defines.
    static func contains(module: String, in binary: [UInt8]) -> Bool {
        let needle = Array("\(module.utf8.count)\(module)".utf8)
        return binary.firstRange(of: needle) != nil
    }

    /// The libraries a static `sigil-device` may load: the issue's list (libc, libm,
    /// libstdc++/libgcc, libcrypto) and the dynamic loader.
    static let deviceLibraries: Set<String> = [
        "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libcrypto.so.3", "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
    ]

    /// Swift's own runtime libraries, which a debug build loads from the toolchain and a
    /// `--static-swift-stdlib` build carries inside.
    static func isSwiftRuntime(_ library: String) -> Bool {
        library.hasPrefix("libswift") || library.hasPrefix("libFoundationEssentials.so")
            || (library.hasPrefix("lib_Foundation") && !library.hasPrefix("lib_FoundationICU"))
            || library.hasPrefix("libdispatch.so") || library.hasPrefix("libBlocksRuntime.so")
    }

    /// The binary to check: $SIGIL_DEVICE_BINARY (tools/package's static release build)
    /// or the one built beside the tests.
    static var checkedDevice: String {
        ProcessInfo.processInfo.environment["SIGIL_DEVICE_BINARY"].flatMap { $0.isEmpty ? nil : $0 } ?? device
    }

    @Test func linksNothingADeviceDoesNotHave() async throws {
        let needed = try await Self.neededLibraries(Self.checkedDevice)
        #expect(needed.contains("libcrypto.so.3"), "\(needed)")
        // The device's list; a debug build may add Swift's runtime, but not Foundation's
        // full library, its ICU data, its networking, libcurl or anything else.
        let unexpected = needed.filter { !Self.deviceLibraries.contains($0) && !Self.isSwiftRuntime($0) }
        #expect(unexpected.isEmpty, "\(needed)")
        #expect(!Self.isSwiftRuntime("libFoundation.so") && !Self.isSwiftRuntime("lib_FoundationICU.so"))
        // No SwiftNIO, AsyncHTTPClient or URLSession code inside either; the full `sigil`
        // has the first two, which shows that the search finds a module that is there.
        let device = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.checkedDevice)))
        let sigil = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.sigil)))
        for module in ["NIOCore", "AsyncHTTPClient", "FoundationNetworking", "SigilKMS"] {
            #expect(!Self.contains(module: module, in: device), "\(module) is linked into sigil-device")
        }
        #expect(Self.contains(module: "AsyncHTTPClient", in: sigil) && Self.contains(module: "NIOCore", in: sigil))
        let sigilNeeded = try await Self.neededLibraries(Self.sigil)
        #expect(!sigilNeeded.contains { $0.hasPrefix("libFoundationNetworking") || $0.hasPrefix("libcurl") }, "\(sigilNeeded)")
    }
}
