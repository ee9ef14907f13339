import GnuTLSCheck
import SigilCrypto
import Testing

/// Whether `body` throws a ``SigilError`` with `code`. Returning normally is `false`;
/// any other error is recorded as an issue (a refusal for the wrong reason is a bug too).
func sigilFails(with code: SigilError.Code, _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch let error as SigilError {
        if error.code != code {
            Issue.record("expected SigilError \(code), got \(error.code): \(error)")
        }
        return error.code == code
    } catch {
        Issue.record("expected SigilError \(code), got \(type(of: error)): \(error)")
        return false
    }
}

/// Random bytes for test inputs (OpenSSL's generator: fast, and which generator made
/// the inputs does not matter to either side).
func randomBytes(_ count: Int) throws -> [UInt8] {
    try SecureRandom.bytes(count: count)
}

/// A length from `range`, with the two ends first: index 0 is the lower end, index 1
/// the upper end, the rest uniform.
func sampledLength(index: Int, in range: ClosedRange<Int>) -> Int {
    switch index {
    case 0: return range.lowerBound
    case 1: return range.upperBound
    default: return Int.random(in: range)
    }
}

/// Counts what was tried and what held, for the one-line summary each check prints.
struct CheckCounter {
    private(set) var tried = 0
    private(set) var held = 0

    mutating func record(_ ok: Bool) {
        tried += 1
        if ok { held += 1 }
    }

    var allHeld: Bool { tried == held }
    var summary: String { "\(held)/\(tried)" }
}

extension GnuTLSDigest {
    /// The GnuTLS digest for a SigilCrypto hash function.
    init(_ hash: HashFunction) {
        switch hash {
        case .sha1: self = .sha1
        case .sha224: self = .sha224
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        default: self = .sha512
        }
    }
}
