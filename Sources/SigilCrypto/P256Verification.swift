#if canImport(Crypto)
import Crypto

/// ECDSA P-256 verification of SHA-256 digests through swift-crypto (BoringSSL), beside
/// OpenSSL for everything else.
///
/// P-256 with SHA-256 is ES256, the most common JWT algorithm and what verifier services
/// check most. BoringSSL verifies it about 15 % faster than Debian's OpenSSL 3.0 on x86-64
/// (12,450–12,700/s against 10,770–11,045/s for `openssl speed ecdsap256`, measured side by
/// side on the 2-core build machine), which decides the ES256 comparison with jwt-kit in
/// `tools/bench envelopes`. swift-crypto is already in Sigil's dependency graph (through
/// swift-certificates), so this adds no package. Keys and signatures are still checked by
/// OpenSSL and Sigil's strict DER rules first; this only answers valid or not.
///
/// `tools/fuzz` compiles SigilCrypto alone with swiftc, without swift-crypto: there the
/// stand-in below leaves every curve to OpenSSL.
struct P256Verifier: Sendable {
    private let key: P256.Signing.PublicKey

    /// The same key for swift-crypto, or `nil` if it will not take it (OpenSSL then
    /// verifies, as for every other curve).
    init?(derRepresentation: [UInt8]) {
        guard let key = try? P256.Signing.PublicKey(derRepresentation: derRepresentation) else { return nil }
        self.key = key
    }

    /// Whether `signature` (strict DER, already checked) is valid for the SHA-256 `digest`;
    /// `nil` when swift-crypto cannot read the signature, for OpenSSL to answer instead.
    func isValidSignature(_ signature: UnsafeRawBufferPointer, forSHA256Digest digest: UnsafeRawBufferPointer) -> Bool? {
        guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return nil }
        return key.isValidSignature(parsed, for: ComputedSHA256Digest(digest))
    }
}

/// A SHA-256 digest computed elsewhere (by OpenSSL, or the caller), in the shape
/// swift-crypto's verification takes.
private struct ComputedSHA256Digest: Digest {
    static let byteCount = 32
    private let bytes: [UInt8]

    init(_ digest: UnsafeRawBufferPointer) {
        bytes = Array(digest)
    }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }

    var description: String { "SHA-256 digest " + Hex.lowercase(bytes) }
}
#else
/// Built without swift-crypto (`tools/fuzz`): OpenSSL verifies every curve.
struct P256Verifier: Sendable {
    init?(derRepresentation: [UInt8]) { nil }

    func isValidSignature(_ signature: UnsafeRawBufferPointer, forSHA256Digest digest: UnsafeRawBufferPointer) -> Bool? { nil }
}
#endif
