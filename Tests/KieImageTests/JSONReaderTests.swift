import Testing
@testable import KieImage

/// The byte-level reader (JSON/JSONReader.swift): what it accepts, what it rejects, and the
/// values it builds. The `json` fuzz target checks the same against FoundationEssentials' decoder.
@Suite struct JSONReaderTests {
    @Test(arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)),
        ("0", .int(0)), ("-0", .int(0)), ("42", .int(42)), ("-17", .int(-17)),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("6.0", .int(6)), ("1e2", .int(100)), ("1E+2", .int(100)), ("2.5e1", .int(25)), ("-0.0", .int(0)),
        ("1.5", .double(1.5)), ("-2.25", .double(-2.25)), ("1e-2", .double(0.01)), ("0.48", .double(0.48)),
        ("9223372036854775808", .double(9.223372036854775808e18)),
        ("-9223372036854775809", .int(Int64.min)), ("9007199254740993", .int(9_007_199_254_740_993)),
        ("9007199254740993.0", .int(9_007_199_254_740_993)), ("1e-400", .int(0)), ("1e19", .double(1e19)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("1.7976931348623157e308", .double(1.7976931348623157e308)), ("5e-324", .double(5e-324)),
        ("0.1e1", .int(1)), ("3.141592653589793", .double(3.141592653589793)),
        (#""""#, .string("")), (#""a\"b\\c\/d""#, .string("a\"b\\c/d")),
        (#""\b\f\n\r\t""#, .string("\u{8}\u{C}\n\r\t")), (#""\u00e9\u4E2D""#, .string("é中")),
        (#""\ud83d\ude00""#, .string("😀")), (#""😀 é""#, .string("😀 é")), (#""\u0000""#, .string("\u{0}")),
        ("[]", .array([])), ("{}", .object(JSONObject())), (" \t\r\n[ 1 , \"x\" ] \n", .array([1, "x"])),
        (#"{"a":{"b":[null,true]}}"#, ["a": ["b": [nil, true]]]), ("\u{FEFF}{}", .object(JSONObject())),
    ] as [(String, JSONValue)])
    func accepts(text: String, expected: JSONValue) throws {
        #expect(try JSON.parse(text) == expected)
        #expect(try JSON.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        "", " ", "nul", "nulll", "True", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}",
        "[1 2]", "[", "]", "{", "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"", "01", "-01", "+1", ".5",
        "1.", "1.e3", "1e", "1e+", "-", "--1", "0x10", "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"", "\"a\u{1}\"", "\"tab\there\"",
        "1 2", "{} x", "[1]]", "\u{A0}1", "\u{FEFF}\u{FEFF}{}", "'a'", "[1,\n]",
    ])
    func rejects(text: String) {
        #expect(throws: JSONError.self) { try JSON.parse(text) }
    }

    @Test(arguments: [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
                      [0x22, 0x5C, 0x6E, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x5B, 0x80, 0x5D]] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONError.self) { try JSON.parse(bytes) }
    }

    @Test func depthLimitIsSixtyFourLevels() throws {
        let ok = String(repeating: "[", count: JSON.maxDepth) + String(repeating: "]", count: JSON.maxDepth)
        #expect(try JSON.parse(ok).arrayValue != nil)
        let deep = String(repeating: "[", count: JSON.maxDepth + 1) + String(repeating: "]", count: JSON.maxDepth + 1)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        let hostile = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: JSONError.self) { try JSON.parse(hostile) }
        // Brackets inside strings are not nesting.
        #expect(try JSON.parse(#"["\#(String(repeating: "[", count: 500))"]"#).arrayValue?.count == 1)
    }

    @Test func repeatedKeyKeepsItsFirstValue() throws {
        // As FoundationEssentials' JSONDecoder, which parsed before, did.
        let o = try #require(try JSON.parse(#"{"a":1,"b":2,"a":3}"#).objectValue)
        #expect(o.keys == ["a", "b"] && o["a"] == .int(1))
        // Past the linear-search width too.
        let wide = "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k3\":\"x\",\"k39\":null}"
        let w = try #require(try JSON.parse(wide).objectValue)
        #expect(w.keys.count == 40 && w.keys[3] == "k3" && w["k3"] == 3 && w["k39"] == 39)
    }

    @Test func keysKeepDocumentOrder() throws {
        let o = try #require(try JSON.parse(#"{"z":1,"a":2,"m":3}"#).objectValue)
        #expect(o.keys == ["z", "a", "m"])
    }

    @Test func rawBufferParsesInPlace() throws {
        let bytes = Array(#"{"code":200,"data":{"x":[1.5]}}"#.utf8)
        let v = try bytes.withUnsafeBytes { try JSON.parse($0) }
        #expect(v["data"]?["x"] == [1.5])
        #expect(throws: JSONError.self) { try JSON.parse(UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// The text of a top-level key's value is captured when it is compact and repeats no key,
    /// spelled as it was (numbers and escapes included).
    @Test(arguments: [
        #"{"a":1,"b":"x\"y\\z\n\r\t","c":[true,false,null],"d":{}}"#, "-12", "0", "0.48", "-0", "6.0", "1e2", "1E+19",
        #""\u0001\u001F \/ \u00e9 é 😀""#, "[]", #"{"k":[{"n":-9223372036854775808}]}"#, #"{"a":{"x":1},"b":{"x":2}}"#,
        #""with spaces\tand \" quotes""#,
    ])
    func capturesCompactText(inner: String) throws {
        let (doc, text) = try JSON.parse(Array(("{ \"code\": 200, \"data\":" + inner + " }").utf8), capturing: "data")
        let captured = try #require(text)
        #expect(String(decoding: captured, as: UTF8.self) == inner)
        #expect(try JSON.parse(Array(captured)) == doc["data"])
    }

    @Test(arguments: [
        #"{"a": 1}"#, #"{"a":1 }"#, "[1,\n2]", "[1\r]", "[\t1]", #"{"a":1,"a":2}"#, #"[{"a":1,"b":2,"a":3}]"#,
        "{" + (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + #","k7":0}"#,
    ])
    func capturesNothingWithWhitespaceOrARepeatedKey(inner: String) throws {
        let (doc, text) = try JSON.parse(Array(#"{"code":200,"data":"#.utf8) + Array(inner.utf8) + [0x7D], capturing: "data")
        #expect(text == nil)
        #expect(doc["data"] == (try JSON.parse(inner)))
    }

    @Test func capturesTheFirstOfARepeatedKeyAtTheTopLevelOnly() throws {
        let (doc, text) = try JSON.parse(Array(#"{"x":{"data":1},"data":[2],"data":3}"#.utf8), capturing: "data")
        #expect(doc["data"] == [2])
        #expect(text.map { Array($0) } == Array("[2]".utf8))
        #expect(try JSON.parse(Array(#"{"x":{"data":1}}"#.utf8), capturing: "data").text == nil)
        #expect(try JSON.parse(Array(#"[{"data":1}]"#.utf8), capturing: "data").text == nil)
    }
}
