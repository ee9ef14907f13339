import FoundationEssentials

/// The payload of a DSSE envelope that enough trusted keys signed, and who signed it.
public struct VerifiedDSSE: Sendable {
    /// A trusted key whose signature over the envelope verified.
    public struct Signer: Sendable, Hashable {
        /// The key's id in the trust store.
        public let keyID: String
        /// The algorithm its signature verified with.
        public let algorithm: SigningAlgorithm
        /// The key's fingerprint: keys are counted towards a threshold by it, so two ids of
        /// one key count once.
        public let fingerprint: String
    }

    /// The payload type the signatures cover.
    public let payloadType: String
    /// The payload the signatures cover.
    public let payload: [UInt8]
    /// The distinct trusted keys that signed, in the order their signatures appear.
    public let signers: [Signer]

    /// The trust-store ids of ``signers``.
    public var keyIDs: [String] { signers.map(\.keyID) }

    /// The in-toto statement the payload holds, when the payload type says it is one.
    ///
    /// - Returns: The statement, or `nil` for another payload type.
    /// - Throws: ``SigilError`` as ``InTotoStatement/init(jsonRepresentation:)`` does, for an
    ///   in-toto payload that is not a valid statement.
    public func inTotoStatement() throws -> InTotoStatement? {
        guard payloadType == DSSEEnvelope.inTotoPayloadType else { return nil }
        return try InTotoStatement(jsonRepresentation: payload)
    }
}

extension DSSEEnvelope {
    /// Verifies the envelope against trusted keys and returns its payload when at least
    /// `threshold` distinct keys signed it.
    ///
    /// A signature whose `keyid` names a trusted key is tried with that key alone, with each
    /// algorithm the store allows it; a signature that names no key is tried with every
    /// trusted key; one that names a key the store does not hold counts for nothing. Keys
    /// are told apart by fingerprint, so a key that signs twice, or two ids of the same key,
    /// count once. ECDSA signatures are read as DER, as the reference implementations write
    /// them; a signature of exactly twice the curve's coordinate size that is not valid DER
    /// is also tried as raw r‖s (both spell the same (r, s), so nothing is weakened).
    ///
    /// - Parameters:
    ///   - trustStore: The keys to trust.
    ///   - threshold: How many distinct trusted keys must have signed; at least 1.
    /// - Returns: The payload, its type and the keys that verified.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when fewer than
    ///   `threshold` trusted keys verified (the envelope is *invalid*: altered, signed by
    ///   keys not trusted, or not signed enough), `invalidArgument` for a threshold below 1
    ///   or above the number of trusted keys.
    public func verify(using trustStore: TrustStore, threshold: Int = 1) throws -> VerifiedDSSE {
        let distinctKeys = Set(trustStore.keys.map(\.publicKey.fingerprint)).count
        guard threshold >= 1, threshold <= distinctKeys else {
            throw SigilError(
                .invalidArgument,
                "a threshold of \(threshold) cannot be met by \(distinctKeys) distinct trusted key\(distinctKeys == 1 ? "" : "s")")
        }
        var message = DSSESignedMessage(preAuthenticationEncoding)
        var signers: [VerifiedDSSE.Signer] = []
        for signature in signatures {
            let candidates = trustStore.candidates(keyID: signature.keyID.isEmpty ? nil : signature.keyID)
            for key in candidates where !signers.contains(where: { $0.fingerprint == key.publicKey.fingerprint }) {
                if let algorithm = message.verifyingAlgorithm(of: signature.signature, with: key) {
                    signers.append(.init(keyID: key.id, algorithm: algorithm, fingerprint: key.publicKey.fingerprint))
                    break
                }
            }
        }
        guard signers.count >= threshold else {
            let who = signers.isEmpty ? "" : " (\(signers.map(\.keyID).joined(separator: ", ")))"
            throw SigilError(
                .authenticationFailure,
                "the DSSE envelope is signed by \(signers.count) of the \(threshold) distinct trusted key\(threshold == 1 ? "" : "s") required\(who)")
        }
        return VerifiedDSSE(payloadType: payloadType, payload: payload, signers: signers)
    }
}

/// A message to check signatures over, hashed at most once per hash function.
struct DSSESignedMessage {
    /// The message, or `nil` when only its digests are known (an artifact hashed as it
    /// was streamed).
    private let message: [UInt8]?
    private var digests: [HashFunction: [UInt8]] = [:]

    init(_ message: [UInt8]) { self.message = message }

    init(digests: [HashFunction: [UInt8]]) {
        self.message = nil
        self.digests = digests
    }

    /// The first algorithm `key` is allowed under which `signature` verifies, or `nil`.
    /// A malformed signature verifies under none: it is that signer's failure alone.
    mutating func verifyingAlgorithm(of signature: [UInt8], with key: TrustedKey) -> SigningAlgorithm? {
        var formats: [SignatureFormat] = [.der]
        if let curve = key.publicKey.curve, signature.count == 2 * ((curve.bits + 7) / 8) {
            formats.append(.raw)
        }
        for algorithm in key.algorithms {
            guard let digest = digest(algorithm.hashFunction) else { continue }
            for format in formats {
                if (try? key.publicKey.isValidSignature(signature, forDigest: digest, algorithm: algorithm, format: format)) == true {
                    return algorithm
                }
            }
        }
        return nil
    }

    private mutating func digest(_ function: HashFunction) -> [UInt8]? {
        if let digest = digests[function] { return digest }
        guard let message, let digest = try? function.hash(message) else { return nil }
        digests[function] = digest
        return digest
    }
}
