import FoundationEssentials

/// Parsing and serialization of `JSONValue`, over bytes: `JSONReader` (strict RFC 8259, one
/// pass, no Foundation decoder) and `JSONWriter` (compact, deterministic).
public enum JSON {
    /// Deepest nesting accepted from outside; deeper documents are rejected, not recursed into.
    public static let maxDepth = 64

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { u in Result { () throws(JSONError) in try JSONReader.parse(u) } }.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { u in Result { () throws(JSONError) in try JSONReader.parse(u) } }.get()
    }

    /// Parses bytes and gives, with the document, the text of `key`'s value in its top-level object
    /// when that text is compact (no whitespace outside strings) and repeats no key in any object,
    /// so that it reads back as the same value and may stand for it (`KieTask.jsonText`); nil
    /// otherwise. Its numbers and escapes are as the input spelled them.
    public static func parse(_ bytes: [UInt8], capturing key: String) throws(JSONError) -> (value: JSONValue, text: ArraySlice<UInt8>?) {
        let (value, range) = try bytes.withUnsafeBufferPointer { u in
            Result { () throws(JSONError) in try JSONReader.parse(u, capturing: key) }
        }.get()
        return (value, range.map { bytes[$0] })
    }

    /// Parses bytes in place (a response buffer, a C string) without copying them first.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        try JSONReader.parse(bytes.assumingMemoryBound(to: UInt8.self))
    }

    /// Parses and requires an object at the top level.
    public static func parseObject(_ text: String, what: String) throws(JSONError) -> JSONObject {
        guard let o = try parse(text).objectValue else { throw JSONError("\(what) must be a JSON object") }
        return o
    }

    public static func serialize(_ value: JSONValue) -> String {
        var w = JSONWriter()
        w.write(value)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The same text as `serialize`, as UTF-8 bytes (a request body needs no String).
    public static func serializeBytes(_ value: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.write(value)
        return w.bytes
    }

    static func write(_ value: JSONValue, into out: inout String) {
        out += serialize(value)
    }

    static func writeString(_ s: String, into out: inout String) {
        var w = JSONWriter(capacity: s.utf8.count + 2)
        w.writeString(s)
        out += String(decoding: w.bytes, as: UTF8.self)
    }
}

public struct JSONError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            if let n = a.count { items.reserveCapacity(n) }
            while !a.isAtEnd { items.append(try a.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let o = try? decoder.container(keyedBy: AnyKey.self) {
            var pairs: [(String, JSONValue)] = []
            pairs.reserveCapacity(o.allKeys.count)
            for k in o.allKeys { pairs.append((k.stringValue, try o.decode(JSONValue.self, forKey: k))) }
            self = .object(JSONObject(uniquePairs: pairs))
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o):
            var k = encoder.container(keyedBy: AnyKey.self)
            for (key, v) in o.pairs { try k.encode(v, forKey: AnyKey(key)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
