import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

// What the `principals` verbs share: failures, output, the server-cache note.

enum PrincipalsTool {
    /// Says on standard error how long a running server may still accept a revoked key.
    static func noteServerCache(_ dataDir: String) {
        FileHandle.standardError.write(
            Data("sigil-keyholder: a server running on \(dataDir) may accept the old keys for up to 30 seconds more\n".utf8))
    }

    static func message(_ error: any Error) -> String {
        switch error {
        case let failure as CommandFailure: return failure.message
        case let error as KeyStoreError: return error.message
        case let error as SigilError: return error.message
        default: return "\(error)"
        }
    }

    static func checkAccount(_ account: String) throws {
        guard account.utf8.count == 12, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw CommandFailure.usage("an account id is 12 digits, not '\(account)'")
        }
    }

    /// Reads an identity policy file and checks it as the key holder will read it.
    static func readIdentityPolicy(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure.usage("cannot read the policy file \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure.usage("the policy file \(path) is not UTF-8 text")
        }
        do {
            let document = try PolicyDocument(json: text, kind: .identityPolicy, knownAccounts: nil)
            for warning in document.warnings {
                FileHandle.standardError.write(Data("sigil-keyholder: warning: \(path): \(warning)\n".utf8))
            }
        } catch {
            throw CommandFailure.usage("the policy file \(path) is not a valid identity policy: \(error.message)")
        }
        return text
    }

    /// Prints `name: value` lines, or one JSON object.
    static func printFields(_ fields: [(String, String)], format: PrincipalsOutputFormat) {
        switch format {
        case .text:
            for (name, value) in fields { say("\(name): \(value)") }
        case .json:
            printJSON(Dictionary(fields, uniquingKeysWith: { first, _ in first }))
        }
    }

    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Prints a new access key, its secret included, straight from the secret's bytes
    /// (no `String` copy of it is made), with a reminder on standard error.
    static func printNewKey(arn: String, accessKeyID: String, secret: SecureBytes, format: PrincipalsOutputFormat) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arn.utf8.count + accessKeyID.utf8.count + secret.count + 96)
        defer { Zeroize.bytes(&bytes) }
        switch format {
        case .text:
            bytes += Array("Arn: \(arn)\nAccessKeyId: \(accessKeyID)\nSecretAccessKey: ".utf8)
            secret.withUnsafeBytes { bytes += $0 }
            bytes += [0x0a]
        case .json:
            // Members in sorted order, as printJSON writes them; the secret's alphabet
            // (A–Z a–z 0–9 + /) needs no escaping.
            bytes += Array("{\"AccessKeyId\":\(jsonString(accessKeyID)),\"Arn\":\(jsonString(arn)),\"SecretAccessKey\":\"".utf8)
            secret.withUnsafeBytes { bytes += $0 }
            bytes += Array("\"}\n".utf8)
        }
        try writeAll(STDOUT_FILENO, bytes, what: "standard output")
        FileHandle.standardError.write(
            Data("sigil-keyholder: the secret access key is shown this once and cannot be read back: store it now\n".utf8))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Writes every byte to a descriptor, retrying after interruptions.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], what: String) throws {
        try bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw CommandFailure.failed("cannot write \(what): \(String(cString: strerror(errno)))")
                }
                written += count
            }
        }
    }
}
