/// A strict RFC 8259 reader over UTF-8 bytes, building `JSONValue` in one pass.
///
/// It accepts what the FoundationEssentials JSONDecoder it replaced accepted (the `json` fuzz
/// target compares the two) except trailing commas (`[1,]`) and invalid UTF-8, which that decoder
/// let through: any value at the top level, whitespace only from the RFC's four characters, no
/// trailing data, strings of valid UTF-8 without raw control characters, surrogate escapes only
/// in high/low pairs, numbers without leading zeros, `+`, `.5` or `1.`, and finite. Numbers
/// become `.int` when their decimal value is an integer that fits Int64 (`6`, `6.0`, `1e2`,
/// `9007199254740993`) or their nearest Double is one (`1e-400` is 0), else `.double`. Nesting
/// deeper than `JSON.maxDepth` is rejected before recursing further. A repeated key keeps its
/// first value, as the decoder before did. A leading UTF-8 byte order mark is skipped.
///
/// It can also capture one top-level key's value as text (`parse(_:capturing:)`): the byte range
/// of that value when its text is compact (no whitespace outside strings) and repeats no key, so
/// that any JSON reader reads from it the value this one read and a caller may copy those bytes
/// instead of serializing the value again (numbers and escapes keep their own spelling: `6.0`,
/// `\/`).
struct JSONReader {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    private var depth = 0
    /// Bytes of the string being read when it holds escapes (reused across strings).
    private var scratch: [UInt8] = []
    /// False once whitespace or a repeated key was read since it was last set.
    private var plain = true
    /// The top-level key whose value's range is wanted, and that range once read (when plain).
    private let captureKey: String?
    private var captureDone = false
    private var captured: Range<Int>? = nil

    private init(_ b: UnsafeBufferPointer<UInt8>, captureKey: String? = nil) {
        self.b = b
        self.captureKey = captureKey
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        try parse(bytes, capturing: nil).value
    }

    /// The document, and the byte range of `key`'s value in the top-level object when its text is
    /// compact and repeats no key (nil when the key is absent or the top level is no object).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, capturing key: String?) throws(JSONError) -> (value: JSONValue, captured: Range<Int>?) {
        var r = JSONReader(bytes, captureKey: key)
        // A UTF-8 byte order mark is skipped, as RFC 8259 §8.1 allows and the decoder before did.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { r.i = 3 }
        r.skipWhitespace()
        let v = try r.value()
        r.skipWhitespace()
        guard r.i == bytes.count else { throw r.fail("unexpected data after the document") }
        return (v, r.captured)
    }

    func fail(_ what: String) -> JSONError {
        JSONError("malformed JSON: \(what) at byte \(i)")
    }

    private mutating func skipWhitespace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1; plain = false
            default: return
            }
        }
    }

    private mutating func value() throws(JSONError) -> JSONValue {
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal(0x74_72_75_65, count: 4); return .bool(true)
        case UInt8(ascii: "f"): try literal(0x66_61_6C_73_65, count: 5); return .bool(false)
        case UInt8(ascii: "n"): try literal(0x6E_75_6C_6C, count: 4); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    /// `word` holds the literal's bytes, first byte most significant.
    private mutating func literal(_ word: UInt64, count: Int) throws(JSONError) {
        guard b.count - i >= count else { throw fail("unexpected end of input") }
        var got: UInt64 = 0
        for k in 0..<count { got = got << 8 | UInt64(b[i + k]) }
        guard got == word else { throw fail("invalid literal") }
        i += count
    }

    private mutating func enter() throws(JSONError) {
        depth += 1
        if depth > JSON.maxDepth { throw JSONError("JSON nested deeper than \(JSON.maxDepth) levels") }
        i += 1
        skipWhitespace()
    }

    private mutating func array() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        if i < b.count && b[i] == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            guard i < b.count else { throw fail("unexpected end of input") }
            switch b[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return .array(items)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func object() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var pairs: [(String, JSONValue)] = []
        // Position of each key, built once an object is too wide for a linear search to stay cheap.
        var index: [String: Int]? = nil
        if i < b.count && b[i] == UInt8(ascii: "}") {
            i += 1
            return .object(JSONObject(uniquePairs: pairs))
        }
        // Records have 10-20 keys: growing from empty would reallocate four times.
        pairs.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            let v: JSONValue
            if depth == 1, !captureDone, let captureKey, key == captureKey {
                captureDone = true
                let outer = plain, start = i
                plain = true
                v = try value()
                if plain { captured = start..<i }
                plain = outer && plain
            } else {
                v = try value()
            }
            if pairs.count < 16 {
                // Lengths first: most keys differ in length, and an unequal String comparison is not cheap.
                let length = key.utf8.count
                if !pairs.contains(where: { $0.0.utf8.count == length && $0.0 == key }) { pairs.append((key, v)) } else { plain = false }
            } else {
                if index == nil {
                    var built: [String: Int] = [:]
                    built.reserveCapacity(pairs.count * 2)
                    for (n, p) in pairs.enumerated() { built[p.0] = n }
                    index = built
                }
                if index?[key] == nil {
                    index?[key] = pairs.count
                    pairs.append((key, v))
                } else {
                    plain = false
                }
            }
            skipWhitespace()
            guard i < b.count else { throw fail("unexpected end of input") }
            switch b[i] {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return .object(JSONObject(uniquePairs: pairs))
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    // MARK: strings

    /// Reads a string starting at its opening quote. Runs without escapes are taken as they are;
    /// bytes at or above 0x80 make the whole string go through UTF-8 validation.
    private mutating func string() throws(JSONError) -> String {
        i += 1
        let start = i
        var high = false
        // Fast path: no escape. Eight bytes at a time while none of them needs a look, then byte
        // by byte (in a local: the loop keeps its index in a register).
        var j = i
        let n = b.count
        if let base = b.baseAddress {
            var words: UInt64 = 0
            while n - j >= 8 {
                let w = UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)
                if SWAR.endsPlainRun(w) { break }
                words |= w
                j += 8
            }
            high = words & SWAR.high != 0
        }
        while j < n {
            let c = b[j]
            if c == UInt8(ascii: "\"") {
                i = j + 1
                return try makeString(UnsafeBufferPointer(rebasing: b[start..<j]), validate: high)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 {
                i = j
                throw fail("control character in string")
            }
            if c >= 0x80 { high = true }
            j += 1
        }
        i = j
        return try escapedString(from: start)
    }

    /// The rest of a string whose first escape is at `i` (`start`: just after its opening quote),
    /// unescaped into `scratch`.
    private mutating func escapedString(from start: Int) throws(JSONError) -> String {
        guard i < b.count else { throw fail("unterminated string") }
        scratch.removeAll(keepingCapacity: true)
        // The unescaped string is no longer than what is left of the input: reserve up to 1 KiB of
        // that once per document rather than growing from empty (Market records nest JSON in strings).
        if scratch.capacity == 0 { scratch.reserveCapacity(min(b.count - start, 1024)) }
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                let s = scratch.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
                guard let s else { throw fail("invalid UTF-8 in string") }
                return s
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") {
                let runStart = i
                var j = i + 1
                let n = b.count
                while j < n, b[j] != UInt8(ascii: "\""), b[j] != UInt8(ascii: "\\"), b[j] >= 0x20 { j += 1 }
                i = j
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
                continue
            }
            i += 1
            guard i < b.count else { break }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"): try unicodeEscape()
            default:
                i -= 1
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    private func makeString(_ run: UnsafeBufferPointer<UInt8>, validate: Bool) throws(JSONError) -> String {
        if !validate { return String(decoding: run, as: UTF8.self) }
        guard let s = String(validating: run, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        return s
    }

    /// After `\u`: four hex digits, a high surrogate only when a `\u` low surrogate follows.
    private mutating func unicodeEscape() throws(JSONError) {
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            guard b.count - i >= 6, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                throw fail("high surrogate without its low surrogate")
            }
            i += 2
            let low = try hex4()
            guard low >= 0xDC00 && low <= 0xDFFF else { throw fail("high surrogate without its low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
            throw fail("low surrogate without its high surrogate")
        }
        switch scalar {
        case ..<0x80: scratch.append(UInt8(truncatingIfNeeded: scalar))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(truncatingIfNeeded: scalar >> 6))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(truncatingIfNeeded: scalar >> 12))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(truncatingIfNeeded: scalar >> 18))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail("unterminated unicode escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c &- UInt8(ascii: "A") &+ 10
            default: throw fail("invalid unicode escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }
}
