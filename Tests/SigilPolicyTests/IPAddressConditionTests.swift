import SigilPolicy
import Testing

/// `IpAddress` and `NotIpAddress` on `aws:SourceIp`: IPv4 and IPv6 blocks, bare
/// addresses, IPv4-mapped addresses, and malformed blocks refused when read.
@Suite struct IPAddressConditionTests {
    typealias F = Fixture

    func holds(_ operatorName: String, _ blocks: String, _ address: String) throws -> Bool {
        try F.decide(.allow, #"{"\#(operatorName)": {"aws:SourceIp": \#(blocks)}}"#, ["aws:SourceIp": [address]]) == .allow
    }

    @Test(arguments: [
        // block, address, IpAddress holds
        ("0.0.0.0/0", "0.0.0.0", true),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("0.0.0.0/0", "2001:db8::1", false),
        ("203.0.113.7/32", "203.0.113.7", true),
        ("203.0.113.7/32", "203.0.113.6", false),
        ("203.0.113.7", "203.0.113.7", true),
        ("203.0.113.7", "203.0.113.8", false),
        ("203.0.113.0/31", "203.0.113.1", true),
        ("203.0.113.0/31", "203.0.113.2", false),
        ("128.0.0.0/1", "127.255.255.255", false),
        ("128.0.0.0/1", "128.0.0.0", true),
        ("10.9.9.9/8", "10.200.0.1", true),
        ("::/0", "2001:db8::1", true),
        ("::/0", "::", true),
        ("::/0", "203.0.113.7", false),
        ("2001:db8::1/128", "2001:db8::1", true),
        ("2001:db8::1/128", "2001:db8::2", false),
        ("2001:db8::1", "2001:db8:0:0:0:0:0:1", true),
        ("2001:DB8::1", "2001:db8::1", true),
        ("2001:db8::/127", "2001:db8::1", true),
        ("2001:db8::/127", "2001:db8::2", false),
        ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true),
        ("2001:db8::/65", "2001:db8::8000:0:0:0", false),
        ("8000::/1", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false),
        // IPv4-mapped addresses are the IPv4 client they map, in requests and in policies.
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("10.0.0.0/8", "::ffff:a01:203", true),
        ("10.0.0.0/8", "::FFFF:11.1.2.3", false),
        ("203.0.113.7", "::ffff:203.0.113.7", true),
        ("::ffff:10.0.0.0/104", "10.1.2.3", true),
        ("::ffff:10.0.0.0/104", "11.1.2.3", false),
        ("::ffff:203.0.113.7", "203.0.113.7", true),
        ("::ffff:0.0.0.0/96", "198.51.100.1", true),
        ("::ffff:0.0.0.0/96", "2001:db8::1", false),
        // An IPv4-compatible (not mapped) address is IPv6.
        ("10.0.0.0/8", "::10.1.2.3", false),
    ])
    func blocksHoldTheirAddresses(_ block: String, _ address: String, _ inBlock: Bool) throws {
        #expect(try holds("IpAddress", #""\#(block)""#, address) == inBlock, "IpAddress \(block) \(address)")
        #expect(try holds("NotIpAddress", #""\#(block)""#, address) == !inBlock, "NotIpAddress \(block) \(address)")
    }

    @Test func severalBlocksAreAlternatives() throws {
        let blocks = #"["10.0.0.0/8", "2001:db8::/32", "198.51.100.7"]"#
        for address in ["10.1.1.1", "2001:db8:5::1", "198.51.100.7", "::ffff:198.51.100.7"] {
            #expect(try holds("IpAddress", blocks, address), "\(address)")
            #expect(try !holds("NotIpAddress", blocks, address), "\(address)")
        }
        for address in ["11.1.1.1", "2001:db9::1", "198.51.100.8"] {
            #expect(try !holds("IpAddress", blocks, address), "\(address)")
            #expect(try holds("NotIpAddress", blocks, address), "\(address)")
        }
    }

    @Test(arguments: [
        "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/0x8",
        "10.0.0/8", "10.0.0.0.0/8", "010.0.0.0/8", "10.0.0.256", "/8", "", " 10.0.0.0/8", "10.0.0.0 /8",
        "2001:db8::+f/64", "2001:db8::-1", "2001:db8::1::2", "2001:db8:::1", ":1::", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7", "12345::", "g::1", "::ffff:10.0.0.256", "::ffff:1.2.3.4:5", "fe80::1%eth0", "localhost",
    ])
    func refusesMalformedBlocksNamingThem(_ block: String) {
        for name in ["IpAddress", "NotIpAddress", "IpAddressIfExists"] {
            let error = F.conditionError(#"{"\#(name)": {"aws:SourceIp": ["10.0.0.0/8", "\#(block)"]}}"#)
            #expect(error?.code == .invalidCondition, "\(name) \(block)")
            #expect(
                error?.message.contains(#""\#(block)" is not an IP address or CIDR block"#) == true, "\(error?.message ?? "none")")
        }
    }
}
