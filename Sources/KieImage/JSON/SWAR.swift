/// Word-at-a-time tests of eight bytes (Mycroft's zero-byte test): exact when the answer is
/// "none", may answer "some" for a byte after a true match, which only sends the caller to its
/// byte-by-byte loop.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// Some byte of `w` is below `n` (n <= 0x80).
    @inline(__always) static func hasLess(_ w: UInt64, _ n: UInt8) -> Bool {
        (w &- ones &* UInt64(n)) & ~w & high != 0
    }

    /// Some byte of `w` is `c`.
    @inline(__always) static func has(_ w: UInt64, _ c: UInt8) -> Bool {
        hasLess(w ^ (ones &* UInt64(c)), 1)
    }

    /// Some byte of `w` ends a plain string run: `"`, `\` or a control character.
    @inline(__always) static func endsPlainRun(_ w: UInt64) -> Bool {
        hasLess(w, 0x20) || has(w, 0x22) || has(w, 0x5C)
    }
}
