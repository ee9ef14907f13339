/// A public key a verifier trusts: its id, the key, and the algorithms it may verify.
///
/// The id is what envelopes name the key by (a JWS `kid`, a DSSE `keyid`, a Sigstore
/// bundle's `publicKey.hint`, a COSE `kid`). The algorithms are the verifier's choice, never
/// the envelope's: a token that names an algorithm this key is not allowed is refused
/// before any signature is checked.
public struct TrustedKey: Sendable, CustomStringConvertible {
    /// The key's id, unique within its ``TrustStore``.
    public var id: String { storage.id }
    /// The public key.
    public var publicKey: PublicKey { storage.publicKey }
    /// The algorithms this key may verify, each one compatible with the key; never empty.
    public var algorithms: [SigningAlgorithm] { storage.algorithms }

    /// The parts, behind one reference: every envelope check looks a key up, and a copy
    /// of the parts themselves (a dozen references) showed in the JWT profile.
    private final class Storage: Sendable {
        let id: String
        let publicKey: PublicKey
        let algorithms: [SigningAlgorithm]

        init(id: String, publicKey: PublicKey, algorithms: [SigningAlgorithm]) {
            self.id = id
            self.publicKey = publicKey
            self.algorithms = algorithms
        }
    }

    private let storage: Storage

    /// Trusts a key under an id.
    ///
    /// - Parameters:
    ///   - id: The id envelopes name the key by; not empty.
    ///   - publicKey: The key.
    ///   - algorithms: The algorithms it may verify; `nil` allows every algorithm that suits
    ///     the key (for a P-256 key, ECDSA with SHA-256 only).
    /// - Throws: ``SigilError`` with code `invalidArgument` for an empty id or no
    ///   algorithm, `algorithmKeyMismatch` for an algorithm that does not suit the key.
    public init(id: String, publicKey: PublicKey, algorithms: [SigningAlgorithm]? = nil) throws {
        guard !id.isEmpty else {
            throw SigilError(.invalidArgument, "a trusted key needs a non-empty id")
        }
        let allowed = algorithms ?? publicKey.supportedSigningAlgorithms
        guard !allowed.isEmpty else {
            throw SigilError(.invalidArgument, "trusted key '\(id)' allows no algorithm")
        }
        for algorithm in allowed {
            guard publicKey.isCompatible(algorithm) else {
                throw SigilError(
                    .algorithmKeyMismatch,
                    "trusted key '\(id)' is \(publicKey.keySpec?.description ?? publicKey.family.description), which cannot verify \(algorithm)")
            }
        }
        var seen = Set<SigningAlgorithm>()
        storage = Storage(id: id, publicKey: publicKey, algorithms: allowed.filter { seen.insert($0).inserted })
    }

    /// Whether this key may verify `algorithm`.
    public func allows(_ algorithm: SigningAlgorithm) -> Bool {
        algorithms.contains(algorithm)
    }

    public var description: String {
        "\(id) (\(publicKey.keySpec?.description ?? publicKey.family.description): \(algorithms.map(\.description).joined(separator: ", ")))"
    }
}

/// The public keys a verifier trusts, by id.
///
/// Envelope verifiers ask it for the keys to try: the one an envelope names, or, when the
/// envelope names none, every key allowed the algorithm in question. A look-up never
/// yields more keys than the store holds, and never a key that is not allowed the
/// algorithm.
public struct TrustStore: Sendable {
    /// The keys, in the order they were given.
    public let keys: [TrustedKey]
    private let indexByID: [String: Int]

    /// A store of `keys`.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` when two keys share an id.
    public init(_ keys: [TrustedKey]) throws {
        var index: [String: Int] = [:]
        for (position, key) in keys.enumerated() {
            guard index.updateValue(position, forKey: key.id) == nil else {
                throw SigilError(.invalidArgument, "two trusted keys have the id '\(key.id)'")
            }
        }
        self.keys = keys
        self.indexByID = index
    }

    /// The key with id `id`, if the store holds one.
    public subscript(id id: String) -> TrustedKey? {
        indexByID[id].map { keys[$0] }
    }

    /// The keys to try for a signature made with `algorithm`.
    ///
    /// - Parameters:
    ///   - keyID: The id the envelope names, or `nil` when it names none.
    ///   - algorithm: The algorithm the envelope uses.
    /// - Returns: With an id, the key of that id if it is allowed `algorithm` (else none);
    ///   without one, every key allowed `algorithm`, in store order.
    public func candidates(keyID: String?, algorithm: SigningAlgorithm) -> [TrustedKey] {
        candidates(keyID: keyID).filter { $0.allows(algorithm) }
    }

    /// The keys to try for a signature whose envelope does not name an algorithm (DSSE):
    /// each candidate is then tried with its own allowed algorithms.
    ///
    /// - Parameter keyID: The id the envelope names, or `nil` when it names none.
    /// - Returns: With an id, the key of that id (or none); without one, every key.
    public func candidates(keyID: String?) -> [TrustedKey] {
        guard let keyID else { return keys }
        return self[id: keyID].map { [$0] } ?? []
    }
}
