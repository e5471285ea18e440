/// Serializes `JSONValue` into UTF-8 bytes. Output is compact, in the objects' own key order, and
/// byte-for-byte what the previous String-based writer produced: strings escape `"`, `\`, `\n`,
/// `\r`, `\t` and other control characters as `\u00xx`; everything else (non-ASCII included) is
/// copied, in runs of unescaped bytes at once. Doubles that are integral and below 1e15 print as
/// integers; non-finite doubles print as `null`.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .double(let d):
            if d.isFinite {
                if d.rounded() == d && d.magnitude < 1e15 {
                    writeInt(Int64(d))
                } else {
                    bytes.append(contentsOf: String(d).utf8)
                }
            } else {
                append("null")
            }
        case .string(let s): writeString(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for v in a {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(v)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            writeObject(o.pairs)
        }
    }

    /// An object of `pairs`, then `key` with `text` (compact JSON text from the reader,
    /// JSON.parse(_:capturing:)) as its value, copied as it is.
    mutating func writeObject(
        _ pairs: [(String, JSONValue)], thenKey key: String, text: ArraySlice<UInt8>, then trailing: [(String, JSONValue)] = []
    ) {
        writeObject(pairs, closed: false)
        if !pairs.isEmpty { bytes.append(UInt8(ascii: ",")) }
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: text)
        for (k, v) in trailing {
            bytes.append(UInt8(ascii: ","))
            writeString(k)
            bytes.append(UInt8(ascii: ":"))
            write(v)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func writeObject(_ pairs: [(String, JSONValue)], closed: Bool = true) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in pairs {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            writeString(k)
            bytes.append(UInt8(ascii: ":"))
            write(v)
        }
        if closed { bytes.append(UInt8(ascii: "}")) }
    }

    /// Appends JSON text as it is (punctuation and keys the caller spells).
    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func writeInt(_ i: Int64) {
        if i < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = i.magnitude
        if m < 10 {
            bytes.append(UInt8(truncatingIfNeeded: m) &+ UInt8(ascii: "0"))
            return
        }
        // Up to 20 digits, written backwards into a small buffer, then appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var k = 20
            while m > 0 && k > 0 {
                k -= 1
                digits[k] = UInt8(truncatingIfNeeded: m % 10) &+ UInt8(ascii: "0")
                m /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[k..<20]))
        }
    }

    mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { writeEscaped($0) }
        if done == nil { Array(s.utf8).withUnsafeBufferPointer { writeEscaped($0) } }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ u: UnsafeBufferPointer<UInt8>) {
        guard let base = u.baseAddress else { return }
        let n = u.count
        // Most strings need no escape: find the first byte that does, eight bytes at a time
        // (SWAR.swift), and copy everything before it at once.
        var k = 0
        while n - k >= 8, !SWAR.endsPlainRun(UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) { k += 8 }
        while k < n, Self.plain(base[k]) { k += 1 }
        if k == n {
            bytes.append(contentsOf: u)
            return
        }
        var runStart = 0
        while k < n {
            let c = base[k]
            k += 1
            if Self.plain(c) { continue }
            if runStart < k - 1 { bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: k - 1 - runStart)) }
            runStart = k
            bytes.append(UInt8(ascii: "\\"))
            switch c {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                hex.withUTF8Buffer { h in
                    bytes.append(h[Int(c >> 4)])
                    bytes.append(h[Int(c & 0xF)])
                }
            }
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart)) }
    }

    /// A byte written as it is inside a string.
    @inline(__always) private static func plain(_ c: UInt8) -> Bool { c >= 0x20 && c != 0x22 && c != 0x5C }
}
