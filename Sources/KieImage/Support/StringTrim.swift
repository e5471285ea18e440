extension StringProtocol {
    /// The text without leading and trailing whitespace (FoundationEssentials has no CharacterSet trimming).
    var trimmed: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = s.lastIndex(where: { !$0.isWhitespace }) ?? first
        return s[first...last]
    }
}
