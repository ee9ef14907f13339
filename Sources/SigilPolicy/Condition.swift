/// One condition of a statement: an operator applied to one key and its values.
///
/// Within a statement every condition must hold; within one condition the policy's values
/// are alternatives (any one may match) and, for a negated operator, the request's value
/// must match none of them.
struct Condition: Sendable {
    /// How the request's values of a multivalued key are combined.
    enum SetQualifier: Sendable {
        /// No qualifier: some request value must match (negated: none may).
        case none
        /// `ForAnyValue:`: some request value must satisfy the operator; false when the key is absent.
        case forAnyValue
        /// `ForAllValues:`: every request value must satisfy the operator; true when the key is absent.
        case forAllValues
    }

    /// The operators without qualifier or `IfExists`.
    enum BaseOperator: String, CaseIterable, Sendable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case bool = "Bool"
        case null = "Null"
        case arnEquals = "ArnEquals"
        case arnNotEquals = "ArnNotEquals"
        case arnLike = "ArnLike"
        case arnNotLike = "ArnNotLike"
        case ipAddress = "IpAddress"
        case notIpAddress = "NotIpAddress"
        case dateEquals = "DateEquals"
        case dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan"
        case dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan"
        case dateGreaterThanEquals = "DateGreaterThanEquals"

        /// A negated operator holds when the request's value matches none of the policy's.
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .arnNotEquals, .arnNotLike,
                .notIpAddress, .dateNotEquals:
                true
            default:
                false
            }
        }
    }

    /// What a single request value is compared with, compiled from the policy's values.
    enum Test: Sendable {
        case equals([String])
        /// Policy values lowercased.
        case equalsIgnoringCase([String])
        case like([WildcardPattern])
        case arn([ARNPattern])
        case bool([Bool])
        /// `true` in the list: the key must be absent; `false`: present.
        case null([Bool])
        case ip([IPRange])
        case date(DateComparison, [Double])
    }

    enum DateComparison: Sendable {
        case equal, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual
    }

    /// The operator as written, such as `ForAnyValue:StringLikeIfExists`.
    let operatorName: String
    let qualifier: SetQualifier
    let ifExists: Bool
    let isNegated: Bool
    let key: ConditionKey
    let test: Test
    /// The policy's values as text, for the canonical form.
    let writtenValues: [String]

    /// Whether the condition holds for `request`.
    func isSatisfied(by request: AuthorizationRequest, caller: Caller) -> Bool {
        let values = key.values(in: request, caller: caller)
        if case .null(let expectations) = test {
            return expectations.contains { $0 == values.isAbsent }
        }
        if values.isAbsent {
            if ifExists { return true }
            switch qualifier {
            case .none: return isNegated
            case .forAnyValue: return false
            case .forAllValues: return true
            }
        }
        switch (qualifier, isNegated) {
        case (.none, false), (.forAnyValue, false): return values.contains(where: matches)
        case (.none, true), (.forAllValues, true): return !values.contains(where: matches)
        case (.forAnyValue, true): return values.contains { !matches($0) }
        case (.forAllValues, false): return values.allSatisfy(matches)
        }
    }

    /// Whether one request value matches one of the policy's values (ignoring negation).
    private func matches(_ value: String) -> Bool {
        switch test {
        case .equals(let expected):
            return expected.contains { sameBytes($0, value) }
        case .equalsIgnoringCase(let expected):
            if value.utf8.allSatisfy({ $0 < 0x80 }) {
                return expected.contains { equalsIgnoringASCIICase($0, value) }
            }
            let lowered = value.lowercased()
            return expected.contains { sameBytes($0, lowered) }
        case .like(let patterns):
            return patterns.contains { $0.matches(value) }
        case .arn(let patterns):
            return patterns.contains { $0.matches(value) }
        case .bool(let expected):
            let actual: Bool
            if equalsIgnoringASCIICase(value, "true") {
                actual = true
            } else if equalsIgnoringASCIICase(value, "false") {
                actual = false
            } else {
                return false
            }
            return expected.contains(actual)
        case .null:
            return false
        case .ip(let ranges):
            guard let address = IPAddress(value) else { return false }
            return ranges.contains { $0.contains(address) }
        case .date(let comparison, let dates):
            guard let time = parseDate(value) else { return false }
            return dates.contains { date in
                switch comparison {
                case .equal: time == date
                case .lessThan: time < date
                case .lessThanOrEqual: time <= date
                case .greaterThan: time > date
                case .greaterThanOrEqual: time >= date
                }
            }
        }
    }
}

@inline(__always)
func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
}

// MARK: - Reading conditions

extension Condition {
    /// Splits an operator name into its qualifier, base operator and `IfExists`.
    static func parseOperator(_ name: String) -> (SetQualifier, BaseOperator, ifExists: Bool)? {
        var rest = Substring(name)
        var qualifier = SetQualifier.none
        if rest.hasPrefix("ForAnyValue:") {
            qualifier = .forAnyValue
            rest = rest.dropFirst("ForAnyValue:".count)
        } else if rest.hasPrefix("ForAllValues:") {
            qualifier = .forAllValues
            rest = rest.dropFirst("ForAllValues:".count)
        }
        var ifExists = false
        if rest.hasSuffix("IfExists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = BaseOperator(rawValue: String(rest)) else { return nil }
        if base == .null && (ifExists || qualifier != .none) { return nil }
        return (qualifier, base, ifExists)
    }

    /// Compiles one operator's values for one key.
    ///
    /// - Parameter literalVariables: The document is version 2008-10-17, where `${…}` is
    ///   plain text; in 2012-10-17 it is a policy variable, which Sigil does not support.
    static func compile(
        operatorName: String, key: ConditionKey, values: [String], literalVariables: Bool,
        fail: (String) -> PolicyError
    ) throws(PolicyError) -> Condition {
        guard let (qualifier, base, ifExists) = parseOperator(operatorName) else {
            throw fail("unknown condition operator \"\(operatorName)\"")
        }
        guard !values.isEmpty else {
            throw fail("condition \(operatorName) on \"\(key.written)\" has no values")
        }
        if !literalVariables, let variable = values.first(where: { $0.contains("${") }) {
            throw fail("condition \(operatorName) on \"\(key.written)\": policy variables are not supported (\"\(variable)\")")
        }
        func invalid(_ value: String, _ what: String) -> PolicyError {
            fail("condition \(operatorName) on \"\(key.written)\": \"\(value)\" is not \(what)")
        }
        let test: Test
        switch base {
        case .stringEquals, .stringNotEquals:
            test = .equals(values)
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            test = .equalsIgnoringCase(values.map { $0.lowercased() })
        case .stringLike, .stringNotLike:
            test = .like(values.map { WildcardPattern($0) })
        case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike:
            var patterns: [ARNPattern] = []
            for value in values {
                guard let pattern = ARNPattern(value) else { throw invalid(value, "an ARN") }
                patterns.append(pattern)
            }
            test = .arn(patterns)
        case .bool, .null:
            var flags: [Bool] = []
            for value in values {
                if equalsIgnoringASCIICase(value, "true") {
                    flags.append(true)
                } else if equalsIgnoringASCIICase(value, "false") {
                    flags.append(false)
                } else {
                    throw invalid(value, "true or false")
                }
            }
            test = base == .bool ? .bool(flags) : .null(flags)
        case .ipAddress, .notIpAddress:
            var ranges: [IPRange] = []
            for value in values {
                guard let range = IPRange(value) else { throw invalid(value, "an IP address or CIDR block") }
                ranges.append(range)
            }
            test = .ip(ranges)
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
            var dates: [Double] = []
            for value in values {
                guard let date = parseDate(value) else { throw invalid(value, "an ISO 8601 date or epoch seconds") }
                dates.append(date)
            }
            let comparison: DateComparison =
                switch base {
                case .dateLessThan: .lessThan
                case .dateLessThanEquals: .lessThanOrEqual
                case .dateGreaterThan: .greaterThan
                case .dateGreaterThanEquals: .greaterThanOrEqual
                default: .equal
                }
            test = .date(comparison, dates)
        }
        return Condition(
            operatorName: operatorName, qualifier: qualifier, ifExists: ifExists, isNegated: base.isNegated,
            key: key, test: test, writtenValues: values)
    }
}

// MARK: - IP addresses

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

    /// Reads a dotted IPv4 address or an IPv6 address (with `::` and a dotted IPv4 tail).
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

    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - 0x30) }
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
                index = end
                break
            }
            guard (1...4).contains(token.count), let group = UInt16(String(decoding: token, as: UTF8.self), radix: 16) else {
                return nil
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
struct IPRange: Sendable {
    let address: IPAddress
    let prefixLength: Int

    /// Reads `ADDRESS` or `ADDRESS/BITS`; a bare address is a block of one.
    init?(_ text: String) {
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(pieces[0]) else { return nil }
        let maximum = address.isIPv6 ? 128 : 32
        if pieces.count == 2 {
            guard (1...3).contains(pieces[1].count), let bits = Int(pieces[1]), (0...maximum).contains(bits) else { return nil }
            prefixLength = bits
        } else {
            prefixLength = maximum
        }
        self.address = address
    }

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

// MARK: - Dates

/// Reads a time as seconds since 1970: epoch seconds, `YYYY-MM-DD` (midnight UTC), or
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or an offset `±HH:MM`.
func parseDate(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    if !bytes.isEmpty, bytes.count <= 12, bytes.allSatisfy(isDigit) {
        return Double(bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) })
    }
    func number(_ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + count)] {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
    func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"), let month = number(5, 2), byte(7) == UInt8(ascii: "-"),
        let day = number(8, 2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    let days = daysSinceEpoch(year: year, month: month, day: day)
    if bytes.count == 10 { return Double(days * 86_400) }

    guard byte(10) == UInt8(ascii: "T"), let hour = number(11, 2), byte(13) == UInt8(ascii: ":"), let minute = number(14, 2),
        hour < 24, minute < 60
    else { return nil }
    var index = 16
    var seconds = 0.0
    if byte(index) == UInt8(ascii: ":") {
        guard let whole = number(index + 1, 2), whole < 60 else { return nil }
        seconds = Double(whole)
        index += 3
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while let digit = byte(index), isDigit(digit) {
                seconds += Double(digit - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
    }
    var offset = 0
    switch byte(index) {
    case UInt8(ascii: "Z"):
        index += 1
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
        let sign = byte(index) == UInt8(ascii: "+") ? 1 : -1
        guard let offsetHours = number(index + 1, 2), byte(index + 3) == UInt8(ascii: ":"), let offsetMinutes = number(index + 4, 2),
            offsetHours < 24, offsetMinutes < 60
        else { return nil }
        offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        index += 6
    default:
        return nil
    }
    guard index == bytes.count else { return nil }
    return Double(days * 86_400 + hour * 3600 + minute * 60 - offset) + seconds
}

private func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
private func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let shiftedMonth = month > 2 ? month - 3 : month + 9
    let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}
