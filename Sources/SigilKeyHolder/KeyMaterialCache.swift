import Foundation
import Sigil
import SigilKeyStore
import SigilCrypto

/// Unsealed key material and access-key secrets kept in memory between requests.
///
/// Profiling the key holder under load showed each Sign spending most of its time
/// re-reading, unsealing and re-validating the private key (OpenSSL's pairwise check of
/// an RSA key includes primality tests): 44 RSA-2048 signatures a second. Key material
/// never changes for a given key and version, so it is cached; a deleted key can no
/// longer be resolved, so its stale entry is never used. Access-key secrets are cached
/// for a short time, so that a revocation takes effect within ``credentialLifetime``.
final class KeyMaterialCache: Sendable {
    private let privateKeys = BoundedCache<AsymmetricPrivateKey>(capacity: capacity)
    private let symmetricKeys = BoundedCache<SecureBytes>(capacity: capacity)
    private let credentials = Locked<[String: (credential: Credential, loaded: Date)]>([:])
    /// Whether another node's revocation would be heard at once (``StoreChangeListener``
    /// is listening), so that a credential may be trusted for ``credentialLifetime``;
    /// otherwise for ``unheardLifetime`` only. A lone key holder has nobody else to hear.
    private let hearsOtherNodes = Locked(true)

    /// The most entries of each kind; past it the cache starts afresh (a bounded cost).
    static let capacity = 4096
    /// How long an access key's secret is trusted without a new look-up.
    static let credentialLifetime: TimeInterval = 30
    /// How long, while another node's changes could go unheard.
    static let unheardLifetime: TimeInterval = 1

    func privateKey(id: String, load: () throws -> AsymmetricPrivateKey) throws -> AsymmetricPrivateKey {
        try privateKeys.value(id, load: load)
    }

    func symmetricKey(id: String, version: Int, load: () throws -> SecureBytes) throws -> SecureBytes {
        try symmetricKeys.value("\(id)#\(version)", load: load)
    }

    /// An active access key's credential; unknown and revoked keys are never cached.
    func credential(accessKeyID: String, now: Date, load: () throws -> Credential?) rethrows -> Credential? {
        let lifetime = hearsOtherNodes.withLock { $0 } ? Self.credentialLifetime : Self.unheardLifetime
        if let entry = credentials.withLock({ $0[accessKeyID] }), now.timeIntervalSince(entry.loaded) < lifetime {
            return entry.credential
        }
        guard let credential = try load(), credential.isActive else { return nil }
        credentials.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[accessKeyID] = (credential, now)
        }
        return credential
    }

    /// Forgets every cached credential: another node may have revoked one.
    func forgetCredentials() {
        credentials.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// Says whether changes made by other nodes are heard as they commit.
    func setHearsOtherNodes(_ hears: Bool) {
        hearsOtherNodes.withLock { $0 = hears }
    }
}
