/// A decimal number as the `Numeric…` and `Date…` operators compare it: exactly, with no
/// rounding, so that `1796513454` and `1796513454.000001` are told apart however many
/// digits they have.
///
/// The value is `whole + 0.fraction` with the fraction in [0, 1): -1.25 is whole -2 and
/// fraction digits `75`.
struct ExactNumber: Sendable, Comparable {
    let whole: Int
    /// Decimal digits (0…9) after the point, without trailing zeros.
    let fraction: [UInt8]

    init(whole: Int, fraction: [UInt8] = []) {
        self.whole = whole
        var digits = fraction
        while digits.last == 0 { digits.removeLast() }
        self.fraction = digits
    }

    /// Reads `[-]DIGITS[.DIGITS]`, the integer part within 64 bits; nil for anything else
    /// (exponents, a leading `+` or `.`, a trailing `.`, spaces).
    init?(decimal text: some StringProtocol) {
        var bytes = Substring(text).utf8[...]
        let isNegative = bytes.first == UInt8(ascii: "-")
        if isNegative { bytes = bytes.dropFirst() }
        let integerDigits = bytes.prefix { isDecimalDigit($0) }
        guard !integerDigits.isEmpty, let magnitude = decimalValue(integerDigits) else { return nil }
        bytes = bytes.dropFirst(integerDigits.count)
        var fraction: [UInt8] = []
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard !bytes.isEmpty, bytes.allSatisfy(isDecimalDigit) else { return nil }
            fraction = bytes.map { $0 - UInt8(ascii: "0") }
        } else if !bytes.isEmpty {
            return nil
        }
        self.init(whole: magnitude, fraction: fraction)
        if isNegative { self = self.negated }
    }

    /// `-self`: a fraction f becomes 1 - f, borrowing one from the whole part.
    private var negated: ExactNumber {
        guard !fraction.isEmpty else { return ExactNumber(whole: -whole) }
        var complement = fraction.map { 9 - $0 }
        complement[complement.count - 1] += 1
        return ExactNumber(whole: -whole - 1, fraction: complement)
    }

    static func < (lhs: ExactNumber, rhs: ExactNumber) -> Bool {
        if lhs.whole != rhs.whole { return lhs.whole < rhs.whole }
        // With trailing zeros removed, digit-by-digit order is numeric order.
        return lhs.fraction.lexicographicallyPrecedes(rhs.fraction)
    }
}

@inline(__always)
private func isDecimalDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// The value of ASCII decimal digits; nil past `Int.max`.
private func decimalValue(_ digits: some Collection<UInt8>) -> Int? {
    var value = 0
    for digit in digits {
        let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (next, overflowB) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
        guard !overflowA, !overflowB else { return nil }
        value = next
    }
    return value
}

// MARK: - Dates

/// Reads a time as seconds since 1970, as the `Date…` operators accept it (as AWS does):
/// - epoch seconds, `1796513454` or `1796513454.5` (at most 12 digits before the point);
/// - a date, `2026-12-05`, meaning midnight UTC;
/// - a date and time, `2026-12-05T23:30[:54[.250]]`, then `Z` or an offset `±HH:MM`,
///   `±HHMM` or `±HH`.
///
/// A time without a zone is refused: it names no instant.
func parseInstant(_ text: String) -> ExactNumber? {
    let bytes = Array(text.utf8)
    if let first = bytes.first, isDecimalDigit(first), !bytes.contains(UInt8(ascii: "-")), !bytes.contains(UInt8(ascii: ":")) {
        let integerDigits = bytes.prefix(while: isDecimalDigit).count
        guard integerDigits <= 12 else { return nil }
        return ExactNumber(decimal: text)
    }
    func number(_ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        let digits = bytes[start..<(start + count)]
        guard digits.allSatisfy(isDecimalDigit) else { return nil }
        return decimalValue(digits)
    }
    func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"), let month = number(5, 2), byte(7) == UInt8(ascii: "-"),
        let day = number(8, 2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
    else { return nil }
    let days = daysSinceEpoch(year: year, month: month, day: day)
    if bytes.count == 10 { return ExactNumber(whole: days * 86_400) }

    guard byte(10) == UInt8(ascii: "T"), let hour = number(11, 2), byte(13) == UInt8(ascii: ":"), let minute = number(14, 2),
        hour < 24, minute < 60
    else { return nil }
    var index = 16
    var second = 0
    var fraction: [UInt8] = []
    if byte(index) == UInt8(ascii: ":") {
        guard let whole = number(index + 1, 2), whole < 60 else { return nil }
        second = whole
        index += 3
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            while let digit = byte(index), isDecimalDigit(digit) {
                fraction.append(digit - UInt8(ascii: "0"))
                index += 1
            }
            guard !fraction.isEmpty else { return nil }
        }
    }
    var offset = 0
    switch byte(index) {
    case UInt8(ascii: "Z"):
        index += 1
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
        let sign = byte(index) == UInt8(ascii: "+") ? 1 : -1
        guard let offsetHours = number(index + 1, 2), offsetHours < 24 else { return nil }
        index += 3
        var offsetMinutes = 0
        if byte(index) == UInt8(ascii: ":") { index += 1 }
        if index < bytes.count {
            guard let minutes = number(index, 2), minutes < 60 else { return nil }
            offsetMinutes = minutes
            index += 2
        } else if byte(index - 1) == UInt8(ascii: ":") {
            return nil
        }
        offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
    default:
        return nil
    }
    guard index == bytes.count else { return nil }
    return ExactNumber(whole: days * 86_400 + hour * 3600 + minute * 60 + second - offset, fraction: fraction)
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
