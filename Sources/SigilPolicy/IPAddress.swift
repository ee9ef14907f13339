/// An IPv4 or IPv6 address, in two 64-bit halves (IPv4 in the low 32 bits of `low`).
struct IPAddress: Sendable, Equatable {
    let isIPv6: Bool
    let high: UInt64
    let low: UInt64

    init(isIPv6: Bool, high: UInt64, low: UInt64) {
        self.isIPv6 = isIPv6
        self.high = high
        self.low = low
    }

    /// Reads a dotted IPv4 address (four decimal octets, no leading zeros) or an IPv6
    /// address (hexadecimal groups, `::`, a dotted IPv4 tail). An IPv4-mapped IPv6 address
    /// (`::ffff:10.1.2.3`) stays in its IPv6 form; see ``unmapped``.
    init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let value = Self.parseIPv4(bytes[...]) else { return nil }
            self.init(isIPv6: false, high: 0, low: UInt64(value))
            return
        }
        guard let groups = Self.parseIPv6(bytes) else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in groups.enumerated() {
            if index < 4 {
                high = high << 16 | UInt64(group)
            } else {
                low = low << 16 | UInt64(group)
            }
        }
        self.init(isIPv6: true, high: high, low: low)
    }

    /// Whether this is an IPv4-mapped IPv6 address, `::ffff:a.b.c.d`.
    var isIPv4Mapped: Bool { isIPv6 && high == 0 && low >> 32 == 0xFFFF }

    /// The address a client has: an IPv4-mapped IPv6 address is the IPv4 client it maps
    /// (a dual-stack listener reports IPv4 peers that way), anything else itself.
    var unmapped: IPAddress {
        isIPv4Mapped ? IPAddress(isIPv6: false, high: 0, low: low & 0xFFFF_FFFF) : self
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDigit) else { return nil }
            // "010" reads as octal to some tools and decimal to others: refuse it.
            guard part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// The eight 16-bit groups of an IPv6 address.
    private static func parseIPv6(_ bytes: [UInt8]) -> [UInt16]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var index = 0
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressed = true
            index = 2
        }
        while index < bytes.count {
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: ":") { end += 1 }
            let token = bytes[index..<end]
            if token.contains(UInt8(ascii: ".")) {
                guard end == bytes.count, let v4 = parseIPv4(token) else { return nil }
                let groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if compressed { tail += groups } else { head += groups }
                break
            }
            guard (1...4).contains(token.count) else { return nil }
            var group: UInt16 = 0
            for byte in token {
                guard let digit = hexValue(byte) else { return nil }
                group = group << 4 | digit
            }
            if compressed { tail.append(group) } else { head.append(group) }
            if end == bytes.count { break }
            if end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ":") {
                guard !compressed else { return nil }
                compressed = true
                index = end + 2
            } else {
                index = end + 1
                guard index < bytes.count else { return nil }
            }
        }
        let count = head.count + tail.count
        if compressed {
            guard count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - count) + tail
        }
        return count == 8 ? head : nil
    }
}

/// An address block: an address and how many leading bits must match.
///
/// IPv4 and IPv6 are separate families: `0.0.0.0/0` holds every IPv4 client and `::/0`
/// every IPv6 one. An IPv4-mapped block (`::ffff:10.0.0.0/104`) is the IPv4 block it
/// maps (`10.0.0.0/8`), as a mapped client address is its IPv4 address; so a client
/// is in the same blocks whichever way a dual-stack listener reports it.
struct IPRange: Sendable {
    let address: IPAddress
    let prefixLength: Int

    /// Reads `ADDRESS` or `ADDRESS/BITS` (0…32 for IPv4, 0…128 for IPv6, in decimal); a
    /// bare address is a block of one. Bits past the prefix are ignored, as in AWS.
    init?(_ text: String) {
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(pieces[0]) else { return nil }
        let maximum = address.isIPv6 ? 128 : 32
        var bits = maximum
        if pieces.count == 2 {
            let digits = pieces[1].utf8
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = Int(pieces[1]), value <= maximum
            else { return nil }
            bits = value
        }
        if address.isIPv4Mapped && bits >= 96 {
            self.address = address.unmapped
            prefixLength = bits - 96
        } else {
            self.address = address
            prefixLength = bits
        }
    }

    /// Whether `candidate` (already ``IPAddress/unmapped``) is in the block.
    func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isIPv6 == address.isIPv6 else { return false }
        if !address.isIPv6 {
            return Self.mask(candidate.low, bits: prefixLength, width: 32) == Self.mask(address.low, bits: prefixLength, width: 32)
        }
        let highBits = min(prefixLength, 64)
        let lowBits = max(prefixLength - 64, 0)
        return Self.mask(candidate.high, bits: highBits, width: 64) == Self.mask(address.high, bits: highBits, width: 64)
            && Self.mask(candidate.low, bits: lowBits, width: 64) == Self.mask(address.low, bits: lowBits, width: 64)
    }

    /// Keeps the leading `bits` of a `width`-bit value held in the low bits of `value`.
    private static func mask(_ value: UInt64, bits: Int, width: Int) -> UInt64 {
        guard bits > 0 else { return 0 }
        let kept = UInt64.max << UInt64(width - bits)
        let field = width == 64 ? UInt64.max : (UInt64(1) << UInt64(width)) - 1
        return value & kept & field
    }
}
