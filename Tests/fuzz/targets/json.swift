// libFuzzer target: the byte-level JSON reader and writer (JSON/JSONReader.swift, JSONWriter.swift).
// Differential: whatever JSON.parse accepts, FoundationEssentials' JSONDecoder (the parser it
// replaced, with the same depth limit) accepts too and decodes to the same value (numbers equal
// to 1e-15 relative beyond 2^53: the decoder truncates some, e.g. 9007199254740993.5); whatever
// that decoder accepts from valid UTF-8 without NUL bytes (it guesses UTF-16/32 from those, and
// repairs invalid UTF-8) and without raw control characters in strings (it lets some through, and
// invalid escapes near them), JSON.parse accepts once trailing commas (it allows them) are removed.
// JSONDecoder checks a number's or a string's syntax only when it decodes that value, and it never
// decodes the value of a duplicate key it drops ({"a":1,"a":00} and {"a":1,"a":"\q"} pass), so the
// reference also applies RFC 8259's number and escape grammar to every token (referenceTokensValid).
// Round trip: an accepted value serializes, parses back equal, and serializes to the same bytes.
// Capture (JSON.parse(_:capturing:)): see checkCapture.
import FoundationEssentials
import KieImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let ours = try? JSON.parse(bytes)
    let reference = referenceParse(bytes)
    switch (ours, reference) {
    case (let o?, let r?):
        if !same(o, r) { fatalError("JSON.parse and JSONDecoder disagree: \(o) vs \(r)") }
    case (_?, nil):
        fatalError("JSON.parse accepts what JSONDecoder rejects")
    case (nil, _?):
        // JSONDecoder also guesses UTF-16/32 from NUL bytes and repairs invalid UTF-8 in strings;
        // JSON.parse reads valid UTF-8 only.
        if !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil,
            let strict = strictForm(bytes), (try? JSON.parse(strict)) == nil
        {
            fatalError("JSON.parse rejects what JSONDecoder accepts")
        }
    case (nil, nil):
        break
    }
    guard let value = ours else { return 0 }
    let text = JSON.serialize(value)
    if JSON.serializeBytes(value) != Array(text.utf8) { fatalError("serialize and serializeBytes differ") }
    let back: JSONValue
    do { back = try JSON.parse(text) } catch { fatalError("serialized value rejected: \(error)") }
    if back != value { fatalError("round trip changed the value") }
    if JSON.serialize(back) != text { fatalError("serialization is not stable") }
    checkCapture(bytes, value: value, text: text)
    return 0
}

/// The parser before the byte-level reader: a bracket-depth pre-scan, then JSONDecoder.
func referenceParse(_ bytes: [UInt8]) -> JSONValue? {
    var depth = 0, maxSeen = 0, inString = false, escaped = false
    for b in bytes {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            continue
        }
        switch b {
        case 0x22: inString = true
        case 0x5B, 0x7B:
            depth += 1
            maxSeen = max(maxSeen, depth)
        case 0x5D, 0x7D: depth -= 1
        default: break
        }
    }
    guard maxSeen <= JSON.maxDepth, referenceTokensValid(bytes) else { return nil }
    return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
}

/// Every maximal run of number characters outside strings matches RFC 8259's grammar
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and every escape in a string is one of
/// `\" \\ \/ \b \f \n \r \t \uXXXX`, a `\u` surrogate only as a high-low pair.
func referenceTokensValid(_ bytes: [UInt8]) -> Bool {
    func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    func isNumberByte(_ b: UInt8) -> Bool {
        isDigit(b) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
    }
    func validNumber(_ t: ArraySlice<UInt8>) -> Bool {
        var i = t.startIndex
        func digits() -> Int {
            let start = i
            while i < t.endIndex, isDigit(t[i]) { i += 1 }
            return i - start
        }
        if i < t.endIndex, t[i] == 0x2D { i += 1 }
        guard i < t.endIndex, isDigit(t[i]) else { return false }
        if t[i] == 0x30 { i += 1 } else { _ = digits() }
        if i < t.endIndex, t[i] == 0x2E {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < t.endIndex, t[i] == 0x65 || t[i] == 0x45 {
            i += 1
            if i < t.endIndex, t[i] == 0x2B || t[i] == 0x2D { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == t.endIndex
    }
    /// The value of the four hex digits at `i`, or nil.
    func hex4(_ i: Int) -> Int? {
        guard i >= 0, bytes.count - i >= 4 else { return nil }
        var v = 0
        for b in bytes[i..<i + 4] {
            switch b {
            case 0x30...0x39: v = v * 16 + Int(b - 0x30)
            case 0x41...0x46: v = v * 16 + Int(b - 0x41 + 10)
            case 0x61...0x66: v = v * 16 + Int(b - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }
    var inString = false, number: Int? = nil, i = 0
    while i < bytes.count {
        let b = bytes[i]
        if inString {
            if b == 0x22 {
                inString = false
            } else if b == 0x5C {
                guard i + 1 < bytes.count else { return false }
                switch bytes[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 1
                case 0x75:
                    guard let u = hex4(i + 2) else { return false }
                    if (0xDC00...0xDFFF).contains(u) { return false }
                    if (0xD800...0xDBFF).contains(u) {
                        guard i + 7 < bytes.count, bytes[i + 6] == 0x5C, bytes[i + 7] == 0x75,
                            let low = hex4(i + 8), (0xDC00...0xDFFF).contains(low)
                        else { return false }
                        i += 6
                    }
                    i += 5
                default: return false
                }
            }
            i += 1
            continue
        }
        // A run starts at a digit or '-' (a bare 'e' or '+' is not a number: JSONDecoder rejects it).
        if let s = number {
            if isNumberByte(b) {
                i += 1
                continue
            }
            if !validNumber(bytes[s..<i]) { return false }
            number = nil
        } else if isDigit(b) || b == 0x2D {
            number = i
            i += 1
            continue
        }
        if b == 0x22 { inString = true }
        i += 1
    }
    if let s = number, !validNumber(bytes[s...]) { return false }
    return true
}

func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)):
        return x.keys.count == y.keys.count && x.pairs.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
    case (.int(let x), .int(let y)) where x.magnitude < 1 << 53 && y.magnitude < 1 << 53: return x == y
    case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
        guard let x = a.doubleValue, let y = b.doubleValue else { return false }
        return x == y || abs(x - y) <= max(abs(x), abs(y)) * 1e-15
    default: return a == b
    }
}

/// The input without the commas that only whitespace separates from a closing bracket; nil when
/// a string holds a raw control character.
func strictForm(_ bytes: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = []
    var inString = false, escaped = false, pendingComma: Int? = nil
    for b in bytes {
        if inString {
            if b < 0x20 { return nil }
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            out.append(b)
            continue
        }
        switch b {
        case 0x2C:
            pendingComma = out.count
        case 0x5D, 0x7D:
            if let at = pendingComma { out.remove(at: at) }
            pendingComma = nil
        case 0x20, 0x09, 0x0A, 0x0D: break
        default: pendingComma = nil
        }
        if b == 0x22 { inString = true }
        out.append(b)
    }
    return out
}

/// JSON.parse(_:capturing:) (KieTask.jsonText copies a record's text as `raw` when it gives it):
/// captured text reads back as the same value and is compact; the writer's text is always
/// captured; input without whitespace whose every key survived (no repeat dropped) is captured.
func checkCapture(_ bytes: [UInt8], value: JSONValue, text: String) {
    // Inside the envelope the value is one level deeper: at the limit it is refused there.
    guard nesting(value) < JSON.maxDepth else { return }
    let open = Array(#"{"code":200,"data":"#.utf8)
    func captured(_ inner: [UInt8]) -> (JSONValue, ArraySlice<UInt8>?)? {
        guard let (doc, slice) = try? JSON.parse(open + inner + [0x7D], capturing: "data"), let data = doc["data"] else { return nil }
        return (data, slice)
    }
    if let (data, slice) = captured(bytes) {
        if data != value { fatalError("the wrapped value differs") }
        if let slice {
            if (try? JSON.parse(Array(slice))) != value { fatalError("captured text reads back as another value") }
            if outsideStrings(Array(slice), isWhitespace) > 0 {
                fatalError("captured text is not compact")
            }
        } else if outsideStrings(bytes, isWhitespace) == 0,
                  outsideStrings(bytes, { $0 == 0x3A }) == pairCount(value)
        {
            fatalError("compact text without a repeated key was not captured")
        }
    } else if !bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        // Only a byte order mark (top level only) makes the input unreadable inside an object.
        fatalError("a value read alone is refused inside an object")
    }
    // The writer's text is always captured, as it is.
    guard let (_, slice) = captured(Array(text.utf8)), let slice, Array(slice) == Array(text.utf8) else {
        fatalError("the writer's own text was not captured: \(text)")
    }
}

/// Key-value pairs in a value, at every level.
func pairCount(_ v: JSONValue) -> Int {
    switch v {
    case .array(let a): a.reduce(0) { $0 + pairCount($1) }
    case .object(let o): o.pairs.reduce(o.pairs.count) { $0 + pairCount($1.1) }
    default: 0
    }
}

/// Levels of arrays and objects in a value (a scalar is 0).
func nesting(_ v: JSONValue) -> Int {
    switch v {
    case .array(let a): 1 + (a.map(nesting).max() ?? 0)
    case .object(let o): 1 + (o.pairs.map { nesting($0.1) }.max() ?? 0)
    default: 0
    }
}
