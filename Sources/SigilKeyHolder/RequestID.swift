import Synchronization

/// The ids of requests and of the key holder's own scheduled actions, as their audit
/// events and the `x-amzn-RequestId` header carry them.
enum RequestID {
    /// A request id in the form of a lowercase UUID, as AWS request ids are: a random
    /// 64-bit prefix chosen once per process, then a counter, so that ids never repeat
    /// within a process and are unlikely to across restarts. Not a secret, so not drawn
    /// from the random generator per request (which showed in the key holder's profile).
    static func next() -> String {
        let sequence = requestCounter.add(1, ordering: .relaxed).newValue
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, value) in [requestPrefix, sequence].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { text.append(UInt8(ascii: "-")) }
                text.append(digits[Int((value >> UInt64(60 - 4 * nibble)) & 0xF)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let requestPrefix = UInt64.random(in: .min ... .max)
    private static let requestCounter = Atomic<UInt64>(0)
}
