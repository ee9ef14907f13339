/// An IPv4 or IPv6 network in CIDR form (`10.0.0.0/8`, `2001:db8::/32`, or one address),
/// as `IpAddress` conditions read them; for the key holder's own address rules (trusted
/// proxies) so that one parser serves both.
public struct IPNetwork: Sendable, CustomStringConvertible {
    private let range: IPRange
    /// The network as it was written.
    public let description: String

    /// Reads `ADDRESS/PREFIX` or a single address; `nil` when it is neither.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        guard let range = IPRange(text) else { return nil }
        self.range = range
        description = text
    }

    /// Whether `address` (dotted IPv4 or IPv6 text; an IPv4-mapped IPv6 address counts as
    /// its IPv4 address) lies in the network; `false` for text that is not an address.
    public func contains(_ address: String) -> Bool {
        guard let parsed = IPAddress(address) else { return false }
        return range.contains(parsed.unmapped)
    }
}

extension IPNetwork {
    /// The canonical text of an IP address (IPv4-mapped IPv6 as its IPv4 address), or
    /// `nil` for text that is not one: what `aws:SourceIp` gets from a forwarding header.
    public static func canonicalAddress(_ text: some StringProtocol) -> String? {
        guard let parsed = IPAddress(text) else { return nil }
        let address = parsed.unmapped
        if !address.isIPv6 {
            let octets: [UInt64] = [24, 16, 8, 0].map { (address.low >> $0) & 255 }
            return octets.map { String($0) }.joined(separator: ".")
        }
        var groups: [String] = []
        for half in [address.high, address.low] {
            for index in 0..<4 {
                let shift = UInt64(48 - 16 * index)
                let group: UInt64 = (half >> shift) & 0xFFFF
                groups.append(String(group, radix: 16))
            }
        }
        return groups.joined(separator: ":")
    }
}
