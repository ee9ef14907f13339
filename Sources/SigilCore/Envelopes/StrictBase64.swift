/// Base64 (RFC 4648) as the envelopes carry it, read strictly so that every value has one
/// spelling: a tampered envelope cannot hide in an alternate encoding of the same bytes.
///
/// The decoder refuses characters outside the alphabets allowed, the standard (`+/`) and
/// URL-safe (`-_`) alphabets mixed in one string, padding where none is allowed or that does
/// not complete the last group of four, a length no encoding has (one character left
/// over), and non-zero unused bits in the last character. JOSE's ``Base64URL`` and DSSE's
/// ``DSSEBase64`` are this decoder with their own rules.
enum StrictBase64 {
    enum Alphabet {
        /// `A–Z a–z 0–9 + /`
        case standard
        /// `A–Z a–z 0–9 - _`
        case urlSafe

        fileprivate var characters: [UInt8] {
            switch self {
            case .standard: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            case .urlSafe: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
            }
        }
    }

    /// The alphabets a string may use (one per string): a bit set, so that checking one
    /// needs no hashing and no generic type at run time, as a `Set` would for every value.
    struct Alphabets: OptionSet {
        let rawValue: UInt8
        static let standard = Alphabets(rawValue: 1)
        static let urlSafe = Alphabets(rawValue: 2)
    }

    /// Why a string is not strict base64.
    enum Problem: Error, Equatable {
        /// `count` characters, which leaves one over: no encoding has that length.
        case impossibleLength(count: Int)
        /// `=` where padding is not allowed, or padding that does not complete the last group.
        case padding
        /// A character outside the alphabets allowed.
        case character
        /// Both alphabets in one string.
        case mixedAlphabets
        /// The last character carries bits past the last whole byte that are not zero.
        case unusedBits
    }

    private static let standardTable = Alphabet.standard.characters
    private static let urlSafeTable = Alphabet.urlSafe.characters

    /// Encodes `bytes` in `alphabet`, with `=` padding when `padded`.
    static func encode(_ bytes: some Sequence<UInt8>, alphabet: Alphabet, padded: Bool) -> String {
        let table = alphabet == .standard ? standardTable : urlSafeTable
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(table[Int(group >> 18 & 63)])
            output.append(table[Int(group >> 12 & 63)])
            output.append(table[Int(group >> 6 & 63)])
            output.append(table[Int(group & 63)])
            index += 3
        }
        let remaining = input.count - index
        if remaining > 0 {
            let group = UInt32(input[index]) << 16 | (remaining == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(table[Int(group >> 18 & 63)])
            output.append(table[Int(group >> 12 & 63)])
            if remaining == 2 { output.append(table[Int(group >> 6 & 63)]) }
            if padded { output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - remaining)) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // Four tables, one per position in a group of four characters: each entry holds the
    // character's 6 bits already shifted to their place in the group's 24 bits, and above
    // them a flag for the alphabet only it belongs to, or `invalid`. A group is then the OR
    // of four look-ups, and OR-ing the groups of a string tells in one pass which alphabets
    // it used and whether any character was foreign.
    private static let standardOnly: UInt32 = 1 << 24
    private static let urlSafeOnly: UInt32 = 1 << 25
    private static let invalid: UInt32 = 1 << 26

    private static let groupTables: [UInt32] = {
        var value = [UInt32](repeating: invalid, count: 256)
        for (sextet, character) in standardTable.enumerated() { value[Int(character)] = UInt32(sextet) }
        for (sextet, character) in urlSafeTable.enumerated() where value[Int(character)] == invalid {
            value[Int(character)] = UInt32(sextet)
        }
        var tables: [UInt32] = []
        tables.reserveCapacity(4 * 256)
        for shift in [18, 12, 6, 0] {
            tables += value.enumerated().map { character, entry in
                var flags = entry & invalid
                if "+/".utf8.contains(UInt8(character)) { flags |= standardOnly }
                if "-_".utf8.contains(UInt8(character)) { flags |= urlSafeOnly }
                return flags == invalid ? invalid : entry << shift | flags
            }
        }
        return tables
    }()

    /// Decodes `text` under the rules given.
    ///
    /// - Parameters:
    ///   - text: The characters.
    ///   - alphabets: The alphabets a string may use (one per string).
    ///   - paddingAllowed: Whether `=` may complete the last group (it is never required).
    /// - Returns: The bytes.
    /// - Throws: The first ``Problem`` found.
    static func decode(
        _ text: UnsafeBufferPointer<UInt8>, alphabets: Alphabets, paddingAllowed: Bool
    ) throws(Problem) -> [UInt8] {
        let characters = try unpadded(text, paddingAllowed: paddingAllowed)
        var problem: Problem?
        let output = [UInt8](unsafeUninitializedCapacity: decodedCount(characters)) { buffer, written in
            do throws(Problem) {
                written = try decode(characters, alphabets: alphabets, into: buffer)
            } catch {
                problem = error
                written = 0
            }
        }
        if let problem { throw problem }
        return output
    }

    /// Decodes `text` into a temporary buffer and passes the bytes to `body`: for values
    /// read once and dropped, such as a protected header, without an array of their own.
    static func withDecoded<Result>(
        _ text: UnsafeBufferPointer<UInt8>, alphabets: Alphabets, paddingAllowed: Bool,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) throws -> Result {
        let characters = try unpadded(text, paddingAllowed: paddingAllowed)
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: decodedCount(characters)) { buffer in
            let written = try decode(characters, alphabets: alphabets, into: buffer)
            return try body(UnsafeBufferPointer(rebasing: buffer[..<written]))
        }
    }

    /// `text` without its `=` padding, once the padding is checked; the length is checked too.
    private static func unpadded(_ text: UnsafeBufferPointer<UInt8>, paddingAllowed: Bool) throws(Problem) -> UnsafeBufferPointer<UInt8> {
        var count = text.count
        if paddingAllowed {
            var padding = 0
            while count > 0, text[count - 1] == UInt8(ascii: "=") {
                count -= 1
                padding += 1
            }
            if padding > 0, padding > 2 || (count + padding) % 4 != 0 { throw .padding }
        }
        guard count % 4 != 1 else { throw .impossibleLength(count: text.count) }
        return UnsafeBufferPointer(rebasing: text[..<count])
    }

    private static func decodedCount(_ characters: UnsafeBufferPointer<UInt8>) -> Int {
        characters.count / 4 * 3 + (characters.count % 4 == 0 ? 0 : characters.count % 4 - 1)
    }

    /// Decodes unpadded `text` (its length already checked) into `output`, which holds
    /// ``decodedCount(_:)`` bytes; returns that count.
    private static func decode(
        _ text: UnsafeBufferPointer<UInt8>, alphabets: Alphabets, into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(Problem) -> Int {
        let count = text.count
        var seen: UInt32 = 0
        var leftover: UInt32 = 0
        var written = 0
        groupTables.withUnsafeBufferPointer { tables in
            // The entry of `character` at position `slot` of its group.
            func entry(_ slot: Int, _ character: UInt8) -> UInt32 { tables[slot &* 256 &+ Int(character)] }
            var input = 0
            while input + 4 <= count {
                let group = entry(0, text[input]) | entry(1, text[input + 1]) | entry(2, text[input + 2]) | entry(3, text[input + 3])
                seen |= group
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                output[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                output[written + 2] = UInt8(truncatingIfNeeded: group)
                input += 4
                written += 3
            }
            if count - input >= 2 {
                let group = entry(0, text[input]) | entry(1, text[input + 1]) | (count - input == 3 ? entry(2, text[input + 2]) : 0)
                seen |= group
                output[written] = UInt8(truncatingIfNeeded: group >> 16)
                written += 1
                if count - input == 3 {
                    output[written] = UInt8(truncatingIfNeeded: group >> 8)
                    written += 1
                    leftover = group & 0xFF
                } else {
                    leftover = group & 0xFFFF
                }
            }
        }
        if seen & invalid != 0 { throw text.contains(UInt8(ascii: "=")) ? .padding : .character }
        if seen & standardOnly != 0, !alphabets.contains(.standard) { throw .character }
        if seen & urlSafeOnly != 0, !alphabets.contains(.urlSafe) { throw .character }
        if seen & (standardOnly | urlSafeOnly) == standardOnly | urlSafeOnly { throw .mixedAlphabets }
        guard leftover == 0 else { throw .unusedBits }
        return written
    }
}
