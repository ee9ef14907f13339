public import FoundationEssentials

/// A public key that verifies signatures made by a KMS-style key holder, offline.
///
/// Import it once — from GetPublicKey's DER, a PEM file, or a pinned fingerprint's file —
/// and share it: it is immutable and `Sendable`.
///
/// ```swift
/// let key = try PublicKey(encoded: Data(contentsOf: keyURL))
/// let valid = try key.isValidSignature(signature, forContentsOf: artifactURL, algorithm: .ecdsaSHA256)
/// ```
public struct PublicKey: Sendable {
    /// The SigilCrypto key underneath.
    public let underlying: AsymmetricPublicKey
    /// The lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.
    public let fingerprint: String

    /// Wraps a SigilCrypto public key.
    ///
    /// - Throws: ``SigilError`` with code `cryptoFailure` if the fingerprint cannot be computed.
    public init(_ key: AsymmetricPublicKey) throws {
        self.underlying = key
        self.fingerprint = Hex.lowercase(try key.fingerprint)
    }

    /// Imports a DER SubjectPublicKeyInfo, as KMS GetPublicKey returns it.
    ///
    /// - Throws: ``SigilError`` with code `malformedKey`, `unsupportedKey` or `keyTooSmall`.
    public init(derRepresentation: some DataProtocol) throws {
        try self.init(AsymmetricPublicKey(derRepresentation: derRepresentation))
    }

    /// Imports a PEM `PUBLIC KEY` block.
    ///
    /// - Throws: ``SigilError`` with code `malformedKey`, `unsupportedKey` or `keyTooSmall`.
    public init(pemRepresentation: String) throws {
        try self.init(AsymmetricPublicKey(pemRepresentation: pemRepresentation))
    }

    /// Imports a key file's bytes, whether DER or PEM.
    ///
    /// - Parameter encoded: DER SubjectPublicKeyInfo, or PEM text holding a `PUBLIC KEY` block.
    /// - Throws: ``SigilError`` with code `malformedKey`, `unsupportedKey` or `keyTooSmall`.
    public init(encoded: some DataProtocol) throws {
        if PEM.looksLikePEM(encoded) {
            guard let text = String(bytes: encoded, encoding: .utf8) else {
                throw SigilError(.malformedKey, "the PEM key file is not UTF-8 text")
            }
            try self.init(pemRepresentation: text)
        } else {
            try self.init(derRepresentation: encoded)
        }
    }

    /// The KMS key spec, such as `RSA_2048`; `nil` for an RSA size KMS does not issue.
    public var keySpec: KeySpec? { underlying.keySpec }
    /// RSA or EC.
    public var family: KeyFamily { underlying.family }
    /// The modulus size for RSA; the curve size for EC.
    public var sizeInBits: Int { underlying.sizeInBits }
    /// The curve, for EC keys.
    public var curve: ECCurve? { underlying.curve }
    /// The DER SubjectPublicKeyInfo.
    public var derRepresentation: [UInt8] { underlying.derRepresentation }
    /// The PEM `PUBLIC KEY` block.
    public var pemRepresentation: String { underlying.pemRepresentation }

    /// The KMS signing algorithms this key verifies.
    public var supportedSigningAlgorithms: [SigningAlgorithm] {
        SigningAlgorithm.all.filter(isCompatible)
    }

    /// Whether `algorithm` is one KMS would use with this key.
    public func isCompatible(_ algorithm: SigningAlgorithm) -> Bool {
        if let spec = keySpec {
            return algorithm.isCompatible(with: spec)
        }
        return algorithm.scheme.keyFamily == family
    }

    /// Throws unless `algorithm` is one KMS would use with this key.
    ///
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch`.
    public func checkCompatible(_ algorithm: SigningAlgorithm) throws {
        guard isCompatible(algorithm) else {
            let keyName = keySpec?.kmsName ?? "\(family)-\(sizeInBits)"
            let usable = supportedSigningAlgorithms.map(\.kmsName).joined(separator: ", ")
            throw SigilError(
                .algorithmKeyMismatch,
                "\(algorithm) cannot be used with key spec \(keyName) (this key verifies: \(usable))")
        }
    }

    /// Checks the algorithm and brings the signature to the form OpenSSL verifies (DER
    /// for ECDSA). With `checkStructure`, also refuses a malformed signature now: before
    /// a large input is read, not after.
    func preparedSignature(
        _ signature: some DataProtocol, algorithm: SigningAlgorithm, format: SignatureFormat,
        checkStructure: Bool = false
    ) throws -> [UInt8] {
        try checkCompatible(algorithm)
        guard !signature.isEmpty else {
            throw SigilError(.malformedSignature, "the signature is empty")
        }
        if let curve, format == .raw {
            return try ECDSASignature.der(fromRaw: signature, curve: curve)
        }
        let bytes = signature as? [UInt8] ?? Array(signature)
        if checkStructure {
            try underlying.checkSignatureStructure(bytes)
        }
        return bytes
    }

    /// Verifies a signature over a digest the caller computed (KMS message type DIGEST).
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - digest: The digest; its length must match the algorithm's hash. Never hashed again.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA, which has only one.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` for input that cannot be checked: `algorithmKeyMismatch`,
    ///   `digestLengthMismatch`, `malformedSignature`.
    public func isValidSignature(
        _ signature: some DataProtocol, forDigest digest: some DataProtocol,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        let prepared = try preparedSignature(signature, algorithm: algorithm, format: format)
        return try underlying.isValidSignature(prepared, forDigest: digest, scheme: algorithm.scheme)
    }

    /// Verifies a signature over a message held in memory (KMS message type RAW).
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - message: The message, of any size.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch` or `malformedSignature`.
    public func isValidSignature(
        _ signature: some DataProtocol, for message: some DataProtocol,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        let prepared = try preparedSignature(signature, algorithm: algorithm, format: format)
        let digest = try algorithm.hashFunction.hash(message)
        return try underlying.isValidSignature(prepared, forDigest: digest, scheme: algorithm.scheme)
    }

    /// Verifies a signature over a message of either KMS message type.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - message: The message (RAW) or its digest (DIGEST).
    ///   - messageType: How to read `message`.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` as the RAW and DIGEST variants do.
    public func isValidSignature(
        _ signature: some DataProtocol, for message: some DataProtocol, messageType: MessageType,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        if messageType == .digest {
            return try isValidSignature(signature, forDigest: message, algorithm: algorithm, format: format)
        }
        return try isValidSignature(signature, for: message, algorithm: algorithm, format: format)
    }

    /// Verifies a signature over the contents of a file, streamed in constant memory.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - url: The file holding the message (RAW).
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` with code `ioFailure` when the file cannot be read, and as
    ///   the in-memory variant does.
    public func isValidSignature(
        _ signature: some DataProtocol, forContentsOf url: URL,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        let prepared = try preparedSignature(signature, algorithm: algorithm, format: format, checkStructure: true)
        let digest = try FileDigest.digest(ofFileAt: url, using: algorithm.hashFunction)
        return try underlying.isValidSignature(prepared, forDigest: digest, scheme: algorithm.scheme)
    }

    /// Verifies a signature over everything that can be read from a file descriptor (a
    /// file, a pipe, standard input), streamed in constant memory. The descriptor stays open.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - descriptor: The descriptor to read to its end.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` with code `ioFailure` when reading fails, and as the
    ///   in-memory variant does.
    public func isValidSignature(
        _ signature: some DataProtocol, readingFromDescriptor descriptor: Int32,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        let prepared = try preparedSignature(signature, algorithm: algorithm, format: format, checkStructure: true)
        let digest = try FileDigest.digest(ofDescriptor: descriptor, named: "the input", using: algorithm.hashFunction)
        return try underlying.isValidSignature(prepared, forDigest: digest, scheme: algorithm.scheme)
    }

    /// Verifies a signature over a message that arrives as an asynchronous sequence of
    /// chunks, hashed as they arrive.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - chunks: The message, piece by piece.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` as the in-memory variant does, and whatever `chunks` throws.
    public func isValidSignature<Chunks: AsyncSequence>(
        _ signature: some DataProtocol, for chunks: Chunks,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) async throws -> Bool where Chunks.Element: DataProtocol {
        let prepared = try preparedSignature(signature, algorithm: algorithm, format: format, checkStructure: true)
        let hasher = try StreamingHasher(algorithm.hashFunction)
        for try await chunk in chunks {
            try hasher.update(chunk)
        }
        return try underlying.isValidSignature(prepared, forDigest: hasher.finalize(), scheme: algorithm.scheme)
    }
}
