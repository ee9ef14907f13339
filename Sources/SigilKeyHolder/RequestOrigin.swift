import Foundation
import HTTPTypes
import Hummingbird
import SigilPolicy

/// Where and when a request came from, as policies see it (`aws:SourceIp`,
/// `aws:SecureTransport`, `aws:CurrentTime`, `aws:EpochTime`) and the audit log records it.
///
/// Worked out once, when the request arrives, before anything else reads it.
struct RequestOrigin: Sendable {
    /// The client's IP address: the connection's peer, or — when the peer is a trusted
    /// proxy — the address that proxy says it forwarded for.
    let sourceAddress: String?
    /// Whether the request came over TLS.
    let secureTransport: Bool
    /// When the key holder received the request.
    let time: Date

    /// `time` in whole seconds since 1970 (`aws:EpochTime`).
    let epochSeconds: Int64
    /// `time` as `aws:CurrentTime` writes it.
    let currentTime: String

    init(sourceAddress: String?, secureTransport: Bool, time: Date) {
        self.sourceAddress = sourceAddress
        self.secureTransport = secureTransport
        self.time = time
        epochSeconds = Int64(time.timeIntervalSince1970.rounded(.down))
        currentTime = Self.iso8601(epochSeconds: epochSeconds)
    }

    init(_ request: Request, context: KeyHolderRequestContext, configuration: KeyHolderConfiguration) {
        self.init(
            sourceAddress: Self.clientAddress(peer: context.remoteAddress, request: request, configuration: configuration),
            secureTransport: configuration.tls != nil, time: configuration.now())
    }

    /// The client's address: the connection's peer, unless the peer is a trusted proxy;
    /// then the nearest address in `X-Forwarded-For` that is not itself a trusted proxy
    /// (each trusted hop appends the address it received from). Without trusted proxies
    /// the header is never read: any client could write it. A hop that is not an IP
    /// address stops the walk at the last trusted hop.
    static func clientAddress(peer: String?, request: Request, configuration: KeyHolderConfiguration) -> String? {
        let proxies = configuration.trustedProxies
        func trusted(_ address: String) -> Bool { proxies.contains { $0.contains(address) } }
        guard let peer, !proxies.isEmpty, trusted(peer) else { return peer }
        let hops = request.headers[values: HTTPField.Name("X-Forwarded-For")!]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard trusted(client), let address = IPNetwork.canonicalAddress(hop) else { break }
            client = address
        }
        return client
    }

    /// `aws:CurrentTime`'s form, `2026-12-05T23:30:54Z`, without a date formatter (this
    /// runs for every authorization).
    static func iso8601(epochSeconds: Int64) -> String {
        // Days since 1970 to a civil date (Howard Hinnant's days_from_civil, inverted).
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let secondOfDay = epochSeconds - days * 86400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let hour = secondOfDay / 3600
        let minute = secondOfDay / 60 % 60
        let second = secondOfDay % 60
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z"
    }
}
