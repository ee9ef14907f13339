extension StringProtocol {
    /// The text without the leading and trailing characters that `isTrimmed` picks:
    /// Foundation's `trimmingCharacters(in:)`, which FoundationEssentials does not have.
    /// `package`: shared by Sigil's modules, not part of the public API.
    package func trimmingCharacters(where isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension Character {
    /// A space or tab, not a line break (Foundation's `CharacterSet.whitespaces`).
    package var isSpaceOrTab: Bool { isWhitespace && !isNewline }
}
