import Foundation
import Sigil
import SigilTestSupport
import Testing

/// A throwaway signing key with its PEM files, for both sides of an interop test.
struct InteropKey {
    let privateKey: AsymmetricPrivateKey
    let publicKey: PublicKey
    /// PKCS #8 PEM of the private key (what the Python side signs with).
    let privatePath: String
    /// SPKI PEM of the public key.
    let publicPath: String
    let publicPEM: String

    /// The key spec an algorithm is tested with: its curve's, RSA-2048 when it has none.
    static func spec(curve: ECCurve?) -> KeySpec {
        guard let curve else { return .rsa2048 }
        return KeySpec.allAsymmetric.first { $0.curve == curve } ?? .rsa2048
    }

    /// Sigil's signature over `message` under `algorithm`, as a key holder returns it (DER
    /// for ECDSA), made from the message's digest.
    func sign(_ message: some DataProtocol, _ algorithm: SigningAlgorithm) throws -> [UInt8] {
        try privateKey.signature(forDigest: algorithm.hashFunction.hash(message), scheme: algorithm.scheme)
    }
}

/// A temporary folder with the keys of one interop test: per key spec a main key and a
/// second one for the wrong-key cases.
final class EnvelopeInteropFixture {
    let folder: URL
    private var keys: [String: InteropKey] = [:]

    init() throws {
        folder = try TestSupport.temporaryDirectory()
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Writes `bytes` to the fixture's folder as `name` and returns the path.
    @discardableResult
    func write(_ bytes: some DataProtocol, to name: String) throws -> String {
        try Data(bytes).write(to: folder.appendingPathComponent(name))
        return path(name)
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// The key of `spec`: the process's shared test key, or (`wrong`) another one made here.
    func key(_ spec: KeySpec, wrong: Bool = false) throws -> InteropKey {
        let name = "\(spec.kmsName)\(wrong ? "-wrong" : "")"
        if let key = keys[name] { return key }
        let privateKey = wrong ? try AsymmetricPrivateKey(generating: spec) : try TestSupport.privateKey(spec)
        let publicPEM = privateKey.publicKey.pemRepresentation
        let key = InteropKey(
            privateKey: privateKey, publicKey: try PublicKey(privateKey.publicKey),
            privatePath: try write(Array(privateKey.pemRepresentation.utf8), to: "\(name).key.pem"),
            publicPath: try write(Array(publicPEM.utf8), to: "\(name).pub.pem"), publicPEM: publicPEM)
        keys[name] = key
        return key
    }

    /// Some random bytes, different on every call.
    func randomPayload() -> [UInt8] { TestSupport.randomMessage(lengths: 48...200) }
}

/// Counts for one library in one direction: cases run, passed, skipped by reason, and the
/// failures, printed and asserted by the tests.
struct InteropTally {
    let library: String
    let direction: String
    private(set) var run = 0
    private(set) var passed = 0
    private(set) var skipped: [String: Int] = [:]
    private(set) var failures: [String] = []

    init(_ library: String, _ direction: String) {
        self.library = library
        self.direction = direction
    }

    /// Records a check: `name` passed when `ok`, else fails with `detail`.
    mutating func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
        run += 1
        if ok {
            passed += 1
        } else {
            failures.append("\(library) \(direction) \(name): \(detail())")
        }
    }

    /// Records that a library answered `result` for `name`: `expectValid` says whether it
    /// should have accepted it or refused it as invalid.
    mutating func check(_ name: String, _ result: EnvelopeDriver.Result?, expectValid: Bool) {
        guard let result else {
            check(name, false, "no result from envelopes.py")
            return
        }
        check(name, expectValid ? result.accepted : result.refused, "expected \(expectValid ? "valid" : "invalid"), got \(result.summary)")
    }

    /// Records what Sigil did with `name`: `body` returns whether Sigil accepted it, or
    /// throws; a `SigilError` with `authenticationFailure` counts as refused.
    mutating func checkSigil(_ name: String, expectValid: Bool, _ body: () throws -> Bool) {
        do {
            let accepted = try body()
            check(name, accepted == expectValid, "expected \(expectValid ? "valid" : "invalid"), Sigil said \(accepted ? "valid" : "invalid")")
        } catch let error as SigilError where error.code == .authenticationFailure && !expectValid {
            check(name, true)
        } catch {
            check(name, false, "expected \(expectValid ? "valid" : "invalid"), Sigil threw \(error)")
        }
    }

    mutating func skip(_ count: Int = 1, reason: String) { skipped[reason, default: 0] += count }

    var summary: String {
        let skips = skipped.sorted { $0.key < $1.key }.map { "\($0.value) (\($0.key))" }
        return "\(direction): \(run) run, \(passed) passed, \(run - passed) failed, "
            + "skipped \(skips.isEmpty ? "0" : skips.joined(separator: ", "))"
    }

    /// Prints the counts, records every failure, and asserts the expected number of checks.
    func report(expectedRuns: Int, expectedSkips: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        print("interop \(summary)")
        for failure in failures { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
        #expect(run == expectedRuns, "\(library) \(direction): checks run", sourceLocation: sourceLocation)
        #expect(passed == run, "\(library) \(direction): checks passed", sourceLocation: sourceLocation)
        #expect(skipped.values.reduce(0, +) == expectedSkips, "\(library) \(direction): skips", sourceLocation: sourceLocation)
    }
}

/// Ways of spoiling an envelope that both sides must refuse.
enum InteropTamper {
    /// `bytes` with the last byte of the first occurrence of `payload` flipped (the
    /// payload as embedded, e.g. in CBOR).
    static func flippingPayload(_ payload: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        guard !payload.isEmpty, payload.count <= bytes.count else { return nil }
        for start in 0...(bytes.count - payload.count) where bytes[start..<(start + payload.count)].elementsEqual(payload) {
            var copy = bytes
            copy[start + payload.count - 1] ^= 0x01
            return copy
        }
        return nil
    }

    /// A compact JWS with its payload segment replaced by `payload` (the signature kept).
    static func replacingPayload(ofCompact token: String, with payload: [UInt8]) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return [String(parts[0]), Base64URL.encode(payload), String(parts[2])].joined(separator: ".")
    }

    /// A JSON object (a DSSE envelope, or a bundle's `dsseEnvelope`) with its base64
    /// `payload` replaced by `payload`, the signatures kept.
    static func replacingDSSEPayload(in json: [UInt8], with payload: [UInt8], at path: [String] = []) throws -> [UInt8] {
        guard var object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw TestFailure("not a JSON object")
        }
        object = try replacing(in: object, path: path[...], payload: Data(payload).base64EncodedString())
        return Array(try JSONSerialization.data(withJSONObject: object))
    }

    private static func replacing(in object: [String: Any], path: ArraySlice<String>, payload: String) throws -> [String: Any] {
        var copy = object
        guard let first = path.first else {
            copy["payload"] = payload
            return copy
        }
        guard let inner = object[first] as? [String: Any] else { throw TestFailure("no \(first) object") }
        copy[first] = try replacing(in: inner, path: path.dropFirst(), payload: payload)
        return copy
    }
}
