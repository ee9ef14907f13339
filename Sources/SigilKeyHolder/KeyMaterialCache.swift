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

    /// The most entries of each kind; past it the cache starts afresh (a bounded cost).
    static let capacity = 4096
    /// How long an access key's secret is trusted without a new look-up.
    static let credentialLifetime: TimeInterval = 30

    func privateKey(id: String, load: () throws -> AsymmetricPrivateKey) throws -> AsymmetricPrivateKey {
        try privateKeys.value(id, load: load)
    }

    func symmetricKey(id: String, version: Int, load: () throws -> SecureBytes) throws -> SecureBytes {
        try symmetricKeys.value("\(id)#\(version)", load: load)
    }

    /// An active access key's credential; unknown and revoked keys are never cached.
    func credential(accessKeyID: String, now: Date, load: () throws -> Credential?) rethrows -> Credential? {
        if let entry = credentials.withLock({ $0[accessKeyID] }),
            now.timeIntervalSince(entry.loaded) < Self.credentialLifetime
        {
            return entry.credential
        }
        guard let credential = try load(), credential.isActive else { return nil }
        credentials.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[accessKeyID] = (credential, now)
        }
        return credential
    }
}
