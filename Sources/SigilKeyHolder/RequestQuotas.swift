import Foundation
import SigilCrypto
public import SigilKMS
public import SigilKeyStore

/// A class of requests that share one rate, as KMS's request quotas group them.
public enum QuotaClass: String, Sendable, CaseIterable, Hashable {
    /// Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom
    /// on symmetric keys.
    case symmetricCryptography = "symmetric"
    /// Encrypt, Decrypt, ReEncrypt, Sign and Verify with RSA keys.
    case rsaCryptography = "rsa"
    /// Sign and Verify with elliptic-curve keys.
    case eccCryptography = "ecc"
    /// GetPublicKey.
    case getPublicKey = "get-public-key"
    /// DescribeKey.
    case describeKey = "describe-key"
    /// CreateKey.
    case createKey = "create-key"

    /// The class of an operation on a key of `spec`, or `nil` when KMS sets no shared
    /// cryptographic rate for it (key management other than CreateKey).
    public static func of(_ operation: KMSOperation, spec: KMSKeySpec?) -> QuotaClass? {
        switch operation {
        case .createKey: return .createKey
        case .describeKey: return .describeKey
        case .getPublicKey: return .getPublicKey
        case .generateRandom: return .symmetricCryptography
        case .encrypt, .decrypt, .reEncrypt, .generateDataKey, .generateDataKeyWithoutPlaintext,
            .generateDataKeyPair, .generateDataKeyPairWithoutPlaintext, .sign, .verify:
            guard let spec else { return nil }
            guard let family = spec.asymmetric?.family else { return .symmetricCryptography }
            return family == .rsa ? .rsaCryptography : .eccCryptography
        default: return nil
        }
    }
}

/// Request rates per account and class: KMS's default quotas, changeable per deployment.
public struct QuotaConfiguration: Sendable {
    /// Requests per second for each class; a class that is absent is not limited.
    public var ratePerSecond: [QuotaClass: Double]

    /// Creates a configuration.
    public init(ratePerSecond: [QuotaClass: Double]) {
        self.ratePerSecond = ratePerSecond
    }

    /// KMS's default request quotas: symmetric cryptographic operations shared (KMS's
    /// figure depends on the region; 50,000/s here), RSA 500/s shared, ECC 300/s shared,
    /// GetPublicKey 2,000/s, DescribeKey 2,000/s, CreateKey 50/s.
    public static let kmsDefaults = QuotaConfiguration(ratePerSecond: [
        .symmetricCryptography: 50_000, .rsaCryptography: 500, .eccCryptography: 300,
        .getPublicKey: 2_000, .describeKey: 2_000, .createKey: 50,
    ])

    /// No limits at all (`--no-quotas`).
    public static let unlimited = QuotaConfiguration(ratePerSecond: [:])

    /// Applies `CLASS=RATE` overrides such as `rsa=2000`.
    ///
    /// - Throws: ``SigilError`` (`invalidArgument`) naming an unknown class or a rate that
    ///   is not a positive number.
    public func overriding(_ overrides: [String]) throws -> QuotaConfiguration {
        var copy = self
        for override in overrides {
            let parts = override.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let quotaClass = QuotaClass(rawValue: parts[0]) else {
                throw SigilError(
                    .invalidArgument,
                    "a quota is CLASS=RATE with CLASS one of \(QuotaClass.allCases.map(\.rawValue).joined(separator: ", ")), not '\(override)'")
            }
            guard let rate = Double(parts[1]), rate > 0, rate.isFinite else {
                throw SigilError(.invalidArgument, "the rate in '\(override)' is not a positive number of requests per second")
            }
            copy.ratePerSecond[quotaClass] = rate
        }
        return copy
    }
}

/// Token buckets, one per account and class: each holds up to one second of its rate and
/// refills continuously; a request takes one token or is throttled.
///
/// Several nodes serving one store (PostgreSQL) each take an equal share of every rate
/// (``setNodeCount(_:)``, from ``NodeHeartbeat``), so that the nodes together admit the
/// configured rate when a load balancer spreads the requests evenly, with no database
/// round trip on a request's path. A client that sends all its requests to one node gets
/// that node's share only.
final class RequestQuotas: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct Slot: Hashable {
        let account: String
        let quotaClass: QuotaClass
    }

    let configuration: QuotaConfiguration
    private let buckets = Locked<[Slot: Bucket]>([:])
    /// The fraction of each rate this node admits: 1 ÷ the nodes serving the store.
    private let share = Locked<Double>(1)

    /// Takes 1/`count` of every rate from now on.
    func setNodeCount(_ count: Int) {
        share.withLock { $0 = 1 / Double(max(1, count)) }
    }

    init(_ configuration: QuotaConfiguration) {
        self.configuration = configuration
    }

    /// Takes a token for one request of `account` in `quotaClass`.
    ///
    /// - Returns: `true` when the request may go ahead, `false` when it is over the rate.
    func admit(account: String, _ quotaClass: QuotaClass, now: ContinuousClock.Instant = .now) -> Bool {
        guard let configured = configuration.ratePerSecond[quotaClass] else { return true }
        let rate = configured * share.withLock { $0 }
        return buckets.withLock { buckets in
            let slot = Slot(account: account, quotaClass: quotaClass)
            // A bucket holds a second's worth of requests, and at least one.
            let capacity = max(1, rate)
            var bucket = buckets[slot] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            let admitted = bucket.tokens >= 1
            if admitted { bucket.tokens -= 1 }
            buckets[slot] = bucket
            return admitted
        }
    }
}
