public import FoundationEssentials
internal import COpenSSL

/// An RSA or EC public key, imported from DER SubjectPublicKeyInfo or PEM.
///
/// Immutable, hence `Sendable`: share one key between any number of concurrent verifications.
public struct AsymmetricPublicKey: Sendable {
    var backing: EVPKey { storage.backing }
    /// The key's DER SubjectPublicKeyInfo, exactly as imported.
    public var derRepresentation: [UInt8] { storage.derRepresentation }
    /// RSA or EC.
    public var family: KeyFamily { storage.family }
    /// The modulus size for RSA; the curve size for EC.
    public var sizeInBits: Int { storage.sizeInBits }
    /// The curve, for EC keys.
    public var curve: ECCurve? { storage.curve }
    /// The KMS key spec of this key, or `nil` for an RSA size KMS does not issue.
    public var keySpec: KeySpec? { storage.keySpec }
    /// For a P-256 key, the faster verifier of SHA-256 digests (see ``P256Verifier``).
    var p256: P256Verifier? { storage.p256 }

    /// The parts, behind one reference: a key is handed from trust stores to verifiers on
    /// every check, and a copy of its parts (key, DER, curve and key spec names, ...) cost a
    /// reference count each.
    private final class Storage: Sendable {
        let backing: EVPKey
        let derRepresentation: [UInt8]
        let family: KeyFamily
        let sizeInBits: Int
        let curve: ECCurve?
        let keySpec: KeySpec?
        let p256: P256Verifier?

        init(backing: EVPKey, derRepresentation: [UInt8], family: KeyFamily, sizeInBits: Int, curve: ECCurve?) {
            self.backing = backing
            self.derRepresentation = derRepresentation
            self.family = family
            self.sizeInBits = sizeInBits
            self.curve = curve
            self.keySpec = KeySpec.matching(family: family, bits: sizeInBits, curve: curve)
            self.p256 = curve == .p256 ? P256Verifier(derRepresentation: derRepresentation) : nil
        }
    }

    private let storage: Storage

    /// The smallest RSA modulus Sigil accepts by default.
    public static let minimumRSABits = 2048
    /// The largest RSA modulus Sigil accepts at all (larger keys only cost time).
    public static let maximumRSABits = 16384

    /// Imports a DER SubjectPublicKeyInfo, as KMS GetPublicKey returns it.
    ///
    /// - Parameter derRepresentation: The DER bytes.
    /// - Throws: ``SigilError`` with code `malformedKey` when the bytes are not one DER
    ///   SubjectPublicKeyInfo, `unsupportedKey` for other key types or curves, and
    ///   `keyTooSmall` for RSA keys under 2048 bits.
    public init(derRepresentation: some DataProtocol) throws {
        try self.init(der: Array(derRepresentation), minimumRSABits: Self.minimumRSABits)
    }

    /// Imports a DER SubjectPublicKeyInfo, accepting RSA keys down to 1024 bits.
    ///
    /// Only for checking old signatures and published test vectors: RSA keys under
    /// 2048 bits can be factored by a determined attacker.
    public init(unsafeDERRepresentation der: some DataProtocol) throws {
        try self.init(der: Array(der), minimumRSABits: 1024)
    }

    /// Imports a PEM `PUBLIC KEY` block.
    ///
    /// - Parameter pemRepresentation: The PEM text.
    /// - Throws: ``SigilError`` as ``init(derRepresentation:)`` does, and `malformedKey`
    ///   for text that is not a `PUBLIC KEY` PEM block.
    public init(pemRepresentation: String) throws {
        let (label, der) = try PEM.decode(pemRepresentation)
        guard label == "PUBLIC KEY" else {
            throw SigilError(.malformedKey, Self.wrongPEMLabelMessage(label))
        }
        try self.init(derRepresentation: der)
    }

    private static func wrongPEMLabelMessage(_ label: String) -> String {
        switch label {
        case "RSA PUBLIC KEY":
            return "PEM block is a PKCS#1 'RSA PUBLIC KEY'; expected 'PUBLIC KEY' (convert with: openssl rsa -RSAPublicKey_in -pubout)"
        case let label where label.contains("PRIVATE KEY"):
            return "PEM block is a '\(label)'; expected a 'PUBLIC KEY' (extract it with: openssl pkey -pubout)"
        case "CERTIFICATE":
            return "PEM block is a 'CERTIFICATE'; expected a 'PUBLIC KEY' (extract it with: openssl x509 -pubkey -noout)"
        default:
            return "PEM block is a '\(label)'; expected a 'PUBLIC KEY'"
        }
    }

    private init(der: [UInt8], minimumRSABits: Int) throws {
        guard !der.isEmpty else {
            throw SigilError(.malformedKey, "the public key is empty")
        }
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            // Trailing bytes after the SubjectPublicKeyInfo make the input something else.
            if let key, cursor != buffer.baseAddress! + buffer.count {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let parsed else {
            throw OpenSSLErrorQueue.error(.malformedKey, "not a DER SubjectPublicKeyInfo public key")
        }
        let backing = EVPKey(takingOwnershipOf: parsed)
        let (family, bits, curve) = try backing.describe()
        if family == .rsa {
            guard bits >= minimumRSABits else {
                throw SigilError(.keyTooSmall, "RSA key of \(bits) bits is too small (minimum \(minimumRSABits))")
            }
            guard bits <= Self.maximumRSABits else {
                throw SigilError(.unsupportedKey, "RSA key of \(bits) bits is too large (maximum \(Self.maximumRSABits))")
            }
        }
        if family == .rsa {
            // Not EVP_PKEY_public_check: its RSA test draws random Miller-Rabin bases, so
            // one key could get two verdicts (see RSAPublicKeyCheck).
            try backing.withUnsafeEVPPKEY { try RSAPublicKeyCheck.validate($0) }
        } else {
            try backing.withContext { context in
                guard EVP_PKEY_public_check(context) == 1 else {
                    throw OpenSSLErrorQueue.error(.malformedKey, "the \(curve?.name ?? family.name) public key is not valid")
                }
            }
        }
        let canonical = try Self.canonicalDER(backing, curve: curve, like: der)
        guard canonical == der else {
            throw SigilError(.malformedKey, "the public key is BER, not DER (it does not re-encode to the same bytes)")
        }
        storage = Storage(backing: backing, derRepresentation: der, family: family, sizeInBits: bits, curve: curve)
    }

    init(backing: EVPKey) throws {
        let (family, bits, curve) = try backing.describe()
        storage = Storage(
            backing: backing, derRepresentation: try Self.encodeDER(backing), family: family, sizeInBits: bits, curve: curve)
    }

    /// The DER that a parsed key re-encodes to, for the BER check. For EC keys on the
    /// named curves it is assembled from the curve's OID and the key's point (RFC 5480),
    /// which costs next to nothing: OpenSSL 3's i2d_PUBKEY goes through its encoder
    /// machinery, about 3.5 M instructions, a tenth of a whole `sigil verify` process of
    /// one P-256 signature. The point is written compressed when `input` is as short as
    /// that form (OpenSSL hands it out uncompressed either way). RSA keys take i2d_PUBKEY.
    private static func canonicalDER(_ key: EVPKey, curve: ECCurve?, like input: [UInt8]) throws -> [UInt8] {
        guard let curve, let curveOID = namedCurveOIDs[curve.openSSLGroupName] else { return try encodeDER(key) }
        // id-ecPublicKey (1.2.840.10045.2.1)
        let algorithm = DER.tlv(0x30, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01] + DER.tlv(0x06, curveOID))
        let point = try key.encodedPublicPoint()
        let uncompressed = DER.tlv(0x30, algorithm + DER.tlv(0x03, [0x00] + point))
        let compressed = try DER.tlv(0x30, algorithm + DER.tlv(0x03, [0x00] + Self.compressed(point, curve: curve)))
        return input.count == compressed.count ? compressed : uncompressed
    }

    /// The DER contents of the OIDs of the curves Sigil supports, by OpenSSL group name.
    private static let namedCurveOIDs: [String: [UInt8]] = [
        "prime256v1": [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],  // 1.2.840.10045.3.1.7
        "secp384r1": [0x2B, 0x81, 0x04, 0x00, 0x22],  // 1.3.132.0.34
        "secp521r1": [0x2B, 0x81, 0x04, 0x00, 0x23],  // 1.3.132.0.35
        "secp256k1": [0x2B, 0x81, 0x04, 0x00, 0x0A],  // 1.3.132.0.10
    ]

    private static func encodeDER(_ key: EVPKey) throws -> [UInt8] {
        try key.withUnsafeEVPPKEY { pointer in
            var output: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PUBKEY(pointer, &output)
            guard length > 0, let output else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "encoding the public key as DER failed")
            }
            defer { sigil_OPENSSL_free(output) }
            return Array(UnsafeBufferPointer(start: output, count: Int(length)))
        }
    }

    /// The key as a PEM `PUBLIC KEY` block.
    public var pemRepresentation: String {
        PEM.encode(derRepresentation, label: "PUBLIC KEY")
    }

    /// The SHA-256 digest of ``derRepresentation``: the key's fingerprint.
    public var fingerprint: [UInt8] {
        get throws { try HashFunction.sha256.hash(derRepresentation) }
    }

    /// The length in bytes of every signature this key verifies, for RSA; `nil` for EC,
    /// whose DER signatures vary in length.
    public var rsaSignatureSize: Int? {
        family == .rsa ? (sizeInBits + 7) / 8 : nil
    }

    /// Checks a signature over an already computed digest.
    ///
    /// The digest is never hashed again. A signature that does not verify answers `false`;
    /// input that cannot be a signature for this key throws.
    ///
    /// - Parameters:
    ///   - signature: The signature: for RSA exactly the modulus length, for ECDSA DER.
    ///   - digest: The message digest, `scheme.hash.digestSize` bytes long.
    ///   - scheme: The signature scheme; its family must match the key's.
    /// - Returns: Whether the signature is valid.
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch`, `digestLengthMismatch`,
    ///   `malformedSignature`, or `cryptoFailure` if OpenSSL fails for another reason.
    @inlinable
    public func isValidSignature(
        _ signature: some DataProtocol, forDigest digest: some DataProtocol, scheme: SignatureScheme
    ) throws -> Bool {
        // Inlined into the caller, which knows the types: lent as raw bytes here, the
        // work below needs no run-time generic metadata, which it looked up on every call.
        try withContiguousBytes(signature) { signature in
            try withContiguousBytes(digest) { digest in
                try isValidSignature(signatureBytes: signature, digestBytes: digest, scheme: scheme)
            }
        }
    }

    /// ``isValidSignature(_:forDigest:scheme:)`` over borrowed bytes.
    @usableFromInline
    func isValidSignature(
        signatureBytes signature: UnsafeRawBufferPointer, digestBytes digest: UnsafeRawBufferPointer, scheme: SignatureScheme
    ) throws -> Bool {
        guard scheme.keyFamily == family else {
            throw SigilError(
                .algorithmKeyMismatch, "\(scheme) needs an \(scheme.keyFamily) key, but this is an \(family) key")
        }
        guard digest.count == scheme.hash.digestSize else {
            throw SigilError(
                .digestLengthMismatch,
                "a \(scheme.hash) digest is \(scheme.hash.digestSize) bytes, but \(digest.count) were given")
        }
        try checkSignatureStructure(signature)
        // The queue is read only when verification fails, so clear it only if something
        // is left on it: ERR_peek_error is cheaper than ERR_clear_error on the hot path.
        if let p256, scheme == .ecdsa(hash: .sha256), let valid = p256.isValidSignature(signature, forSHA256Digest: digest) {
            return valid
        }
        if ERR_peek_error() != 0 { OpenSSLErrorQueue.clear() }
        return try backing.withVerifyContext(for: scheme) { context in
            let result = EVP_PKEY_verify(
                context,
                signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                digest.baseAddress?.assumingMemoryBound(to: UInt8.self), digest.count)
            switch result {
            case 1:
                return (true, reusable: true)
            case 0:
                // A signature that does not verify leaves reasons on the queue; they are
                // the expected outcome, not an error.
                OpenSSLErrorQueue.clear()
                return (false, reusable: true)
            default:
                let errors = OpenSSLErrorQueue.drain()
                // ECDSA: when u1·G + u2·Q is the point at infinity the signature is invalid
                // (SEC 1 §4.1.4 step 5), but OpenSSL reports it as an error (-1).
                if family == .ec, errors.contains(where: \.isECPointAtInfinity) {
                    return (false, reusable: false)
                }
                throw SigilError(.cryptoFailure, "EVP_PKEY_verify failed (\(result))", openSSLErrors: errors)
            }
        }
    }

    /// Throws unless `signature` has the shape of a signature for this key: exactly the
    /// modulus length for RSA, one strict-DER `ECDSA-Sig-Value` for EC. Cheap; lets a
    /// streaming verification fail before it reads its input.
    ///
    /// - Throws: ``SigilError`` with code `malformedSignature`.
    public func checkSignatureStructure(_ signature: some DataProtocol) throws {
        if let expected = rsaSignatureSize, signature.count != expected {
            throw SigilError(
                .malformedSignature,
                "an RSA-\(sizeInBits) signature is \(expected) bytes, but this one is \(signature.count) (truncated?)")
        }
        if let curve {
            try ECDSASignature.checkStrictDER(signature, curve: curve)
        }
    }
}

extension SigilError.OpenSSLError {
    /// Whether this is the EC library's "point at infinity" reason.
    var isECPointAtInfinity: Bool {
        ERR_GET_LIB(code) == ERR_LIB_EC && ERR_GET_REASON(code) == EC_R_POINT_AT_INFINITY
    }
}

/// Just enough DER writing for a SubjectPublicKeyInfo: a tag, a definite length in its
/// shortest form, the contents.
enum DER {
    static func tlv(_ tag: UInt8, _ contents: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        var remaining = contents.count
        if remaining < 0x80 {
            length = [UInt8(remaining)]
        } else {
            while remaining > 0 {
                length.insert(UInt8(remaining & 0xFF), at: 0)
                remaining >>= 8
            }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + contents
    }
}
