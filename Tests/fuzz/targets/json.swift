// libFuzzer target: the byte-level JSON reader and writer (Support/JSONReader.swift, JSONWriter.swift).
// Differential: whatever JSON.parse accepts, FoundationEssentials' JSONDecoder (the parser it
// replaced, with the same depth limit) accepts too and decodes to the same value (numbers equal
// to 1e-15 relative beyond 2^53: the decoder truncates some, e.g. 9007199254740993.5); whatever
// that decoder accepts from valid UTF-8 without NUL bytes (it guesses UTF-16/32 from those, and
// repairs invalid UTF-8) and without raw control characters in strings (it lets some through, and
// invalid escapes near them), JSON.parse accepts once trailing commas (it allows them) are removed.
// Round trip: an accepted value serializes, parses back equal, and serializes to the same bytes.
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
    guard maxSeen <= JSON.maxDepth else { return nil }
    return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
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
