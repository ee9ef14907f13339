/// A pattern of the policy language, compiled once: `*` matches any run of characters
/// (none included) and `?` exactly one character.
///
/// The pattern is split at its `*`s when it is read, so matching is one anchored
/// comparison at each end and a leftmost search for each piece in between: no
/// backtracking, no regular expression, no allocation. A `?` consumes one Unicode scalar
/// (all its UTF-8 bytes). With `ignoringCase`, ASCII letters compare without case (action
/// names are ASCII); other characters compare exactly.
struct WildcardPattern: Sendable {
    /// A segment unit that stands for `?`; every other unit is one literal byte.
    private static let anyCharacter: UInt16 = 0x100

    private enum Shape: Sendable {
        /// Only `*`s: matches everything.
        case anything
        /// No wildcard at all.
        case exact([UInt8])
        /// `head` is anchored at the start; `tail`, when the pattern has a `*`, at the end;
        /// `middle` holds the non-empty pieces between `*`s, found in order.
        case glob(head: [UInt16], middle: [[UInt16]], tail: [UInt16]?)
    }

    /// The pattern as written in the policy.
    let text: String
    private let shape: Shape
    private let ignoresCase: Bool

    /// Compiles a pattern in which `*` and `?` are wildcards.
    init(_ text: String, ignoringCase: Bool = false) {
        self.text = text
        ignoresCase = ignoringCase
        var segments: [[UInt16]] = [[]]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "*"): segments.append([])
            case UInt8(ascii: "?"): segments[segments.count - 1].append(Self.anyCharacter)
            default: segments[segments.count - 1].append(UInt16(ignoringCase ? foldASCII(byte) : byte))
            }
        }
        if segments.count == 1 {
            let only = segments[0]
            if only.contains(Self.anyCharacter) {
                shape = .glob(head: only, middle: [], tail: nil)
            } else {
                shape = .exact(only.map { UInt8($0) })
            }
        } else if segments.allSatisfy(\.isEmpty) {
            shape = .anything
        } else {
            let middle = segments.dropFirst().dropLast().filter { !$0.isEmpty }
            shape = .glob(head: segments[0], middle: Array(middle), tail: segments[segments.count - 1])
        }
    }

    /// Compiles a literal: `*` and `?` stand for themselves.
    init(literal text: String, ignoringCase: Bool = false) {
        self.text = text
        ignoresCase = ignoringCase
        shape = .exact(text.utf8.map { ignoringCase ? foldASCII($0) : $0 })
    }

    /// Whether the pattern matches all of `value`.
    func matches(_ value: String) -> Bool {
        if case .anything = shape { return true }
        if let result = value.utf8.withContiguousStorageIfAvailable({ matches($0, 0, $0.count) }) {
            return result
        }
        let copy = Array(value.utf8)
        return copy.withUnsafeBufferPointer { matches($0, 0, $0.count) }
    }

    /// Whether the pattern matches exactly the bytes `input[start..<end]`, which begin and
    /// end on character boundaries.
    func matches(_ input: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        switch shape {
        case .anything:
            return true
        case .exact(let literal):
            guard end - start == literal.count else { return false }
            for offset in 0..<literal.count where fold(input[start + offset]) != literal[offset] {
                return false
            }
            return true
        case .glob(let head, let middle, let tail):
            guard let afterHead = forward(head, input, from: start, limit: end) else { return false }
            guard let tail else { return afterHead == end }
            guard let tailStart = backward(tail, input, from: end, limit: afterHead) else { return false }
            var position = afterHead
            for segment in middle {
                guard let found = search(segment, input, from: position, limit: tailStart) else { return false }
                position = found
            }
            return true
        }
    }

    @inline(__always)
    private func fold(_ byte: UInt8) -> UInt8 { ignoresCase ? foldASCII(byte) : byte }

    /// Matches `segment` starting at `start`; returns where it ends, never past `limit`.
    private func forward(_ segment: [UInt16], _ input: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        var index = start
        for unit in segment {
            guard index < limit else { return nil }
            if unit == Self.anyCharacter {
                index += 1
                while index < limit, isContinuation(input[index]) { index += 1 }
            } else {
                guard UInt16(fold(input[index])) == unit else { return nil }
                index += 1
            }
        }
        return index
    }

    /// Matches `segment` ending at `end`; returns where it starts, never before `limit`.
    private func backward(_ segment: [UInt16], _ input: UnsafeBufferPointer<UInt8>, from end: Int, limit: Int) -> Int? {
        var index = end
        for unit in segment.reversed() {
            guard index > limit else { return nil }
            if unit == Self.anyCharacter {
                index -= 1
                while index > limit, isContinuation(input[index]) { index -= 1 }
            } else {
                guard UInt16(fold(input[index - 1])) == unit else { return nil }
                index -= 1
            }
        }
        return index
    }

    /// Finds the leftmost place at or after `start` where `segment` matches and ends by
    /// `limit`; returns where that match ends. Leftmost is enough: a match that starts
    /// earlier never ends later, so it leaves the most room for what follows.
    private func search(_ segment: [UInt16], _ input: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Int? {
        var candidate = start
        while candidate + segment.count <= limit {
            if !isContinuation(input[candidate]), let end = forward(segment, input, from: candidate, limit: limit) {
                return end
            }
            candidate += 1
        }
        return nil
    }
}

/// An ARN pattern for the `Arn…` condition operators: the six colon-separated parts of an
/// ARN are matched one by one, so a wildcard in one part never runs into the next. The
/// sixth part (the resource) is the rest of the ARN and may contain colons.
struct ARNPattern: Sendable {
    /// The pattern as written.
    let text: String
    /// Nil for a lone `*`, which matches any value.
    private let parts: [WildcardPattern]?

    /// Compiles a pattern; nil when it is neither `*` nor made of six colon-separated parts
    /// starting with `arn`.
    init?(_ text: String) {
        self.text = text
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: "*") }) && !text.isEmpty {
            parts = nil
            return
        }
        let pieces = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard pieces.count == 6, pieces[0] == "arn" else { return nil }
        parts = pieces.map { WildcardPattern(String($0)) }
    }

    /// Whether `value` has an ARN's shape: `arn:` and five more colon-separated parts
    /// (the last may hold colons too). The `Arn…` operators cannot judge anything else.
    static func isARN(_ value: String) -> Bool {
        value.hasPrefix("arn:") && value.utf8.lazy.filter { $0 == UInt8(ascii: ":") }.count >= 5
    }

    /// Whether the pattern matches the ARN `value`.
    func matches(_ value: String) -> Bool {
        guard let parts else { return true }
        if let result = value.utf8.withContiguousStorageIfAvailable({ matches($0, parts) }) { return result }
        let copy = Array(value.utf8)
        return copy.withUnsafeBufferPointer { matches($0, parts) }
    }

    private func matches(_ input: UnsafeBufferPointer<UInt8>, _ parts: [WildcardPattern]) -> Bool {
        var start = 0
        for part in 0..<5 {
            var colon = start
            while colon < input.count, input[colon] != UInt8(ascii: ":") { colon += 1 }
            guard colon < input.count, parts[part].matches(input, start, colon) else { return false }
            start = colon + 1
        }
        return parts[5].matches(input, start, input.count)
    }
}

@inline(__always)
func foldASCII(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

@inline(__always)
private func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

/// Whether two strings are equal when ASCII letters are compared without case.
func equalsIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    return zip(lhs.utf8, rhs.utf8).allSatisfy { foldASCII($0) == foldASCII($1) }
}

/// Whether `text` starts with `prefix` when ASCII letters are compared without case.
func hasPrefixIgnoringASCIICase(_ text: String, _ prefix: String) -> Bool {
    guard text.utf8.count >= prefix.utf8.count else { return false }
    return zip(text.utf8, prefix.utf8).allSatisfy { foldASCII($0) == foldASCII($1) }
}
