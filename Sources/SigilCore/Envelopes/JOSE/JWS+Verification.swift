public import FoundationEssentials

/// What became of one signature of a JWS during verification.
public enum JWSSignatureStatus: Sendable {
    /// It verified with the trusted key of this id.
    case verified(keyID: String)
    /// It was checked with every candidate key and none verifies it.
    case invalid(reason: String)
    /// It was not checked: its algorithm is refused, no trusted key may verify it, or its
    /// signature cannot be one for the key.
    case refused(SigilError)
}

/// A JWS whose signature verified with a trusted key: only now is its payload available.
public struct VerifiedJWS: Sendable {
    /// The payload (for a detached JWS, the one the caller supplied).
    public let payload: [UInt8]
    /// The header of the signature that verified.
    public let header: JOSEHeader
    /// The id of the trusted key that verified it.
    public let keyID: String
    /// The algorithm it verified with.
    public let algorithm: JOSEAlgorithm
    /// The position of that signature in the JWS (0 for compact and flattened).
    public let signatureIndex: Int
    /// What became of every signature, in order.
    public let statuses: [JWSSignatureStatus]
    /// The serialization the JWS was read from.
    public let serialization: JWS.Serialization

    /// The positions of the signatures that verified.
    public var verifiedSignatureIndices: [Int] {
        statuses.indices.filter { if case .verified = statuses[$0] { true } else { false } }
    }
}

extension JWS {
    /// Verifies the JWS against a trust store and releases its payload.
    ///
    /// Each signature is checked with the keys the store offers for it: with a `kid`, only
    /// that key, and only if it is allowed the signature's `alg` and suits it (the curve of
    /// an `ES*` algorithm); without one, every key allowed the `alg`. `none` and `HS*` are
    /// refused. With several signatures, every one is checked and ``VerifiedJWS/statuses``
    /// says which verified; verification succeeds when at least one does.
    ///
    /// - Parameters:
    ///   - trustStore: The keys to trust.
    ///   - detachedPayload: The payload of a detached JWS; must be `nil` for an attached one.
    /// - Returns: The payload, header and key id of the first signature that verified.
    /// - Throws: ``SigilError`` with code `authenticationFailure` when a signature was
    ///   checked and none verifies (the token is invalid); otherwise the reason nothing
    ///   could be checked: `unknownAlgorithm` (`none`, `HS*`, unknown), `notFound` (no
    ///   trusted key for the `kid` or `alg`), `algorithmKeyMismatch` (the key is not
    ///   allowed the `alg`), `malformedSignature`, `invalidArgument` (payload missing or
    ///   given twice).
    public func verify(using trustStore: TrustStore, detachedPayload: (some DataProtocol)? = [UInt8]?.none) throws -> VerifiedJWS {
        let released: [UInt8]
        let encoded: String
        switch (payload, detachedPayload) {
        case (let attached?, nil):
            released = attached
            // A compact JWS is verified over its own bytes; the text is needed only to
            // assemble the signing input of a JSON serialization.
            encoded = compactSigningInput == nil ? encodedPayload ?? "" : ""
        case (nil, let supplied?):
            released = Array(supplied)
            encoded = Base64URL.encode(released)
        case (nil, nil):
            throw SigilError(.invalidArgument, "the JWS payload is detached; supply it to verify")
        case (.some, .some):
            throw SigilError(.invalidArgument, "the JWS carries its payload; a detached payload was supplied too")
        }
        let checked = signatures.map { status(of: $0, encodedPayload: encoded, trustStore: trustStore) }
        let statuses = checked.map(\.0)
        for (index, (status, algorithm)) in checked.enumerated() {
            if case .verified(let keyID) = status, let algorithm {
                return VerifiedJWS(
                    payload: released, header: signatures[index].header, keyID: keyID, algorithm: algorithm,
                    signatureIndex: index, statuses: statuses, serialization: serialization)
            }
        }
        throw Self.failure(statuses)
    }

    /// ``verify(using:detachedPayload:)`` for a JWS with one signature and its payload
    /// attached, without the per-signature report: the same checks and errors, one array
    /// and one result copy fewer.
    func verifyOnlySignature(using trustStore: TrustStore) throws -> (header: JOSEHeader, keyID: String, algorithm: JOSEAlgorithm, payload: [UInt8]) {
        guard signatures.count == 1, let payload else {
            let verified = try verify(using: trustStore)
            return (verified.header, verified.keyID, verified.algorithm, verified.payload)
        }
        let signature = signatures[0]
        let (status, algorithm) = status(of: signature, encodedPayload: compactSigningInput == nil ? encodedPayload ?? "" : "", trustStore: trustStore)
        guard case .verified(let keyID) = status, let algorithm else { throw Self.failure([status]) }
        return (signature.header, keyID, algorithm, payload)
    }

    private func status(of signature: Signature, encodedPayload: String, trustStore: TrustStore) -> (JWSSignatureStatus, JOSEAlgorithm?) {
        // A compact token's signing input is a slice of the token itself; anything else
        // (detached payload, JSON serialization) is assembled.
        let input = compactSigningInput ?? Self.signingInput(signature, encodedPayload: encodedPayload)[...]
        return input.withUnsafeBytes { input in
            Self.status(header: signature.header, signature: signature.signature, input: input, trustStore: trustStore)
        }
    }

    /// What becomes of one signature, made with `header` over the signing input `input`,
    /// checked with the keys `trustStore` offers for it; and its algorithm when known.
    static func status(
        header: JOSEHeader, signature: [UInt8], input: UnsafeRawBufferPointer, trustStore: TrustStore
    ) -> (JWSSignatureStatus, JOSEAlgorithm?) {
        // The header is read in place throughout: a copy retains each of its members.
        let algorithm: JOSEAlgorithm
        do {
            algorithm = try JOSEAlgorithm(name: header.algorithmName)
        } catch let error as SigilError {
            return (.refused(error), nil)
        } catch {
            return (.refused(SigilError(.unknownAlgorithm, "\(error)")), nil)
        }
        // With a `kid` that names a key allowed and suited to the algorithm — nearly every
        // token — that key is the one candidate `TrustStore.candidates(keyID:algorithm:)`
        // would give; it is checked where it is, since copying a trusted key (several
        // reference-counted parts) into candidate arrays showed in profiles.
        if let keyID = header.keyID, let key = trustStore[id: keyID], key.allows(algorithm.signingAlgorithm),
           algorithm.suits(key.publicKey) {
            switch check(signature, over: input, algorithm: algorithm, key: key) {
            case .valid: return (.verified(keyID: key.id), algorithm)
            case .invalid: return (.invalid(reason: "the \(algorithm) signature does not verify with trusted key '\(key.id)'"), algorithm)
            case .malformed(let error): return (.refused(error), algorithm)
            }
        }
        return (status(header: header, signature: signature, input: input, algorithm: algorithm, candidatesFrom: trustStore), algorithm)
    }

    /// ``status(header:signature:input:trustStore:)`` when the `kid` names no key that may
    /// check the signature: every key the store offers for the algorithm is tried, and the
    /// refusal says why none could be.
    private static func status(
        header: JOSEHeader, signature: [UInt8], input: UnsafeRawBufferPointer, algorithm: JOSEAlgorithm,
        candidatesFrom trustStore: TrustStore
    ) -> JWSSignatureStatus {
        var candidates = trustStore.candidates(keyID: header.keyID, algorithm: algorithm.signingAlgorithm)
        candidates.removeAll { !algorithm.suits($0.publicKey) }
        guard !candidates.isEmpty else {
            guard let keyID = header.keyID else {
                return .refused(SigilError(.notFound, "no trusted key may verify \(algorithm)"))
            }
            guard let key = trustStore[id: keyID] else {
                return .refused(SigilError(.notFound, "no trusted key has the id '\(keyID)'"))
            }
            return .refused(SigilError(.algorithmKeyMismatch, "trusted key '\(keyID)' is not allowed \(algorithm) (it allows \(JOSEAlgorithm.suiting(key.publicKey).filter { key.allows($0.signingAlgorithm) }.map(\.name).joined(separator: ", ")))"))
        }
        var malformed: SigilError? = nil
        for index in candidates.indices {
            switch check(signature, over: input, algorithm: algorithm, key: candidates[index]) {
            case .valid: return .verified(keyID: candidates[index].id)
            case .invalid: break
            case .malformed(let error): malformed = malformed ?? error
            }
        }
        if let malformed, candidates.count == 1 {
            return .refused(malformed)
        }
        let names = candidates.map { "'\($0.id)'" }.joined(separator: ", ")
        return .invalid(reason: "the \(algorithm) signature does not verify with trusted key \(names)")
    }

    /// What one key says of one signature.
    private enum KeyVerdict {
        case valid
        case invalid
        /// The signature cannot be one for this key (or the check failed).
        case malformed(SigilError)
    }

    /// Checks `signature` over `input` with one trusted key, borrowed rather than copied.
    /// The input is lent as raw bytes: the key's generic hashing then needs no run-time
    /// type metadata for an array slice, which it would otherwise look up on every call.
    private static func check(
        _ signature: [UInt8], over input: UnsafeRawBufferPointer, algorithm: JOSEAlgorithm, key: borrowing TrustedKey
    ) -> KeyVerdict {
        do {
            let valid = try key.publicKey.isValidSignature(
                signature, for: input, algorithm: algorithm.signingAlgorithm, format: algorithm.signatureFormat)
            return valid ? .valid : .invalid
        } catch let error as SigilError {
            return .malformed(error)
        } catch {
            return .malformed(SigilError(.cryptoFailure, "\(error)"))
        }
    }

    static func failure(_ statuses: [JWSSignatureStatus]) -> SigilError {
        var invalid: [String] = []
        var refused: [SigilError] = []
        for (index, status) in statuses.enumerated() {
            let prefix = statuses.count > 1 ? "signature \(index): " : ""
            switch status {
            case .invalid(let reason): invalid.append(prefix + reason)
            case .refused(let error): refused.append(SigilError(error.code, prefix + error.message))
            case .verified: break
            }
        }
        if !invalid.isEmpty {
            let others = refused.map(\.message)
            return SigilError(.authenticationFailure, (invalid + others).joined(separator: "; "))
        }
        guard refused.count > 1 else { return refused[0] }
        return SigilError(refused[0].code, refused.map(\.message).joined(separator: "; "))
    }
}
