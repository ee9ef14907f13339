public import Foundation
public import SigilCrypto

/// Helpers shared by Sigil's test targets: running commands, throwaway keys, paths.
/// Never linked into a shipped product.
public enum TestSupport {
    /// The package's root folder, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder where SwiftPM put the built products (`.build/debug`).
    public static var productsDirectory: URL {
        Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent()
            : URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The sanitizer the tests run under (`tools/test --sanitize=address|thread` sets
    /// `SIGIL_SANITIZER`), or `nil` for a plain build.
    public static let sanitizer: String? = ProcessInfo.processInfo.environment["SIGIL_SANITIZER"]

    /// How many times a wall-clock bound written for a plain build is stretched: 1, or the
    /// slowdown of the sanitizer the code runs under (ThreadSanitizer's instrumentation
    /// costs 5-15x, AddressSanitizer's about 2-3x). A test whose property is "not starved"
    /// or "answered promptly" multiplies its time limit by this, never a speed claim.
    public static var timeScale: Double {
        switch sanitizer {
        case "thread"?: return 8
        case "address"?: return 3
        default: return 1
        }
    }

    /// Runs blocking work (waits on sockets, children or sleeps) on a thread of its own and
    /// awaits it, so Swift's cooperative pool stays free for the in-process servers that
    /// other tests run at the same time.
    ///
    /// The pool has as many threads as the machine has cores: two here. Under
    /// ThreadSanitizer, 1,100 blocking connects made on one of them held it for minutes,
    /// and the in-process key holders of other tests answered too late for their clients.
    public static func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// What a finished process said.
    public struct ProcessOutput: Sendable {
        public var status: Int32
        public var standardOutput: Data
        public var standardError: Data

        public var stdoutText: String { String(decoding: standardOutput, as: UTF8.self) }
        public var stderrText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// Runs the `openssl` CLI and returns its standard output, throwing when it fails.
    public static func openssl(_ arguments: [String], input: Data? = nil) async throws -> Data {
        let result = try await run("openssl", arguments, input: input)
        guard result.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) failed: \(result.stderrText)")
        }
        return result.standardOutput
    }

    /// A new, empty temporary folder.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A throwaway private key per key spec, generated once per test process.
    public static func privateKey(_ spec: KeySpec) throws -> AsymmetricPrivateKey {
        try keyCache.key(for: spec)
    }

    private static let keyCache = KeyCache()

    /// Random bytes of a length drawn from `lengths`.
    public static func randomMessage(lengths: ClosedRange<Int>) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let count = Int.random(in: lengths, using: &generator)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// `bytes` with one bit inverted.
    public static func flippingBit(_ bit: Int, of bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy[bit / 8 % copy.count] ^= UInt8(1 << (bit % 8))
        return copy
    }

    /// Lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Bytes from hex (either case); `nil` for an odd length or a non-hex character.
    public static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

/// A failure in a test helper, with its reason.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `@unchecked Sendable`: the dictionary is only touched under `lock`.
private final class KeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [KeySpec: AsymmetricPrivateKey] = [:]

    func key(for spec: KeySpec) throws -> AsymmetricPrivateKey {
        lock.lock()
        defer { lock.unlock() }
        if let key = keys[spec] { return key }
        let key = try AsymmetricPrivateKey(generating: spec)
        keys[spec] = key
        return key
    }
}
