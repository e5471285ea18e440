extension StringProtocol {
    /// The text without leading and trailing whitespace (FoundationEssentials has no CharacterSet trimming).
    var trimmed: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = s.lastIndex(where: { !$0.isWhitespace }) ?? first
        return s[first...last]
    }
}

extension StringProtocol {
    /// Whether the text is empty or whitespace only, as `trimmed.isEmpty`: a first byte of visible
    /// ASCII answers without walking Characters (a Character starting with one is never whitespace).
    var isBlank: Bool {
        if let first = utf8.first, first > 0x20, first < 0x7F { return false }
        return trimmed.isEmpty
    }

    /// Whether the text holds more than `limit` Unicode scalars (the API's length limits count
    /// scalars); a text of no more UTF-8 bytes than the limit is within it without counting.
    func hasMoreScalars(than limit: Int) -> Bool {
        utf8.count > limit && unicodeScalars.count > limit
    }
}
