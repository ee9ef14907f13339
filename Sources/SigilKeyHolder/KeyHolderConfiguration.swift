public import Foundation
public import SigilKeyStore
public import SigilPolicy

/// How a key holder runs: where its state lives, where it listens, and as which region
/// and account it answers.
public struct KeyHolderConfiguration: Sendable {
    /// The data directory: root key, database, credentials.
    public var dataDirectory: URL
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free one (tests).
    public var port: Int
    /// The region in ARNs and the SigV4 scope.
    public var region: String
    /// The account keys belong to.
    public var accountID: String
    /// The largest request body accepted (KMS: 1 MiB is ample for 4 KiB payloads).
    public var maximumBodySize: Int
    /// The clock: `Date.init` in service, a fixed or moving clock in tests.
    public var now: @Sendable () -> Date
    /// How often key deletions that fell due are carried out.
    public var deletionCheckInterval: Duration
    /// Request rates per account and class; ``QuotaConfiguration/unlimited`` turns them off.
    public var quotas: QuotaConfiguration
    /// Where the Prometheus metrics endpoint listens (`GET /metrics`), or `nil` for none.
    public var metricsAddress: (host: String, port: Int)?
    /// The PEM certificate chain and private key to serve HTTPS with (TLS 1.2 and 1.3
    /// only), or `nil` for plain HTTP.
    public var tls: (certificateChain: URL, privateKey: URL)?
    /// What each connection may cost before it has sent a request, and how many are
    /// served at once (the cap is lowered to what the open-file limit allows).
    public var connectionLimits: ConnectionLimits
    /// The proxies whose `X-Forwarded-For` names the client (`aws:SourceIp`, the audit
    /// log's source address); empty: the header is never read, the peer is the client.
    public var trustedProxies: [IPNetwork] = []
    /// Where the store's tables live: SQLite in the data directory (the default), or a
    /// PostgreSQL database shared with other key holders that hold the same root key.
    public var storeLocation: StoreLocation = .dataDirectory

    /// Creates a configuration with the key holder's defaults.
    public init(
        dataDirectory: URL, host: String = "127.0.0.1", port: Int = 4599, region: String = "us-east-1",
        accountID: String = "111122223333", maximumBodySize: Int = 1 << 20,
        now: @escaping @Sendable () -> Date = { Date() }, deletionCheckInterval: Duration = .seconds(60),
        quotas: QuotaConfiguration = .kmsDefaults, metricsAddress: (host: String, port: Int)? = nil,
        tls: (certificateChain: URL, privateKey: URL)? = nil, connectionLimits: ConnectionLimits = .defaults
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.region = region
        self.accountID = accountID
        self.maximumBodySize = maximumBodySize
        self.now = now
        self.deletionCheckInterval = deletionCheckInterval
        self.quotas = quotas
        self.metricsAddress = metricsAddress
        self.tls = tls
        self.connectionLimits = connectionLimits
    }
}
