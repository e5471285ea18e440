import Testing
@testable import KieImage

/// The byte-level writer (JSON/JSONWriter.swift): exact output, escapes, and round trips
/// through the reader.
@Suite struct JSONWriterTests {
    @Test(arguments: [
        (JSONValue.null, "null"), (.bool(true), "true"), (.bool(false), "false"),
        (.int(0), "0"), (.int(7), "7"), (.int(-7), "-7"), (.int(1_774_788_500_000), "1774788500000"),
        (.int(Int64.max), "9223372036854775807"), (.int(Int64.min), "-9223372036854775808"),
        (.double(6.0), "6"), (.double(-2.0), "-2"), (.double(0.48), "0.48"), (.double(1.5e-7), "1.5e-07"),
        (.double(1e20), "1e+20"), (.double(.nan), "null"), (.double(.infinity), "null"),
        (.string(""), #""""#), (.string("plain text"), #""plain text""#),
        (.string("q\"b\\s/"), #""q\"b\\s/""#), (.string("\n\r\t"), #""\n\r\t""#),
        (.string("\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}"), #""\u0000\u0001\u0008\u000c\u001f\#u{7F}""#),
        (.string("é中😀"), "\"é中😀\""),
        (.array([]), "[]"), (.object(JSONObject()), "{}"),
        (["z": 1, "a": [true, nil, "x"], "m": ["k": 0.5]], #"{"z":1,"a":[true,null,"x"],"m":{"k":0.5}}"#),
    ] as [(JSONValue, String)])
    func writes(value: JSONValue, text: String) {
        #expect(JSON.serialize(value) == text)
        #expect(JSON.serializeBytes(value) == Array(text.utf8))
    }

    @Test func longStringWithEscapesBetweenRuns() throws {
        let s = String(repeating: "abc\"def\\ghi\n", count: 500) + "é"
        let text = JSON.serialize(.string(s))
        #expect(text.utf8.count == s.utf8.count + 2 + 3 * 500)
        #expect(try JSON.parse(text) == .string(s))
    }

    @Test(arguments: [
        #"{"code":200,"msg":"success","data":{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","paramJson":"{\"prompt\":\"x\",\"size\":\"1:1\"}","completeTime":1774788518000,"response":{"resultUrls":["https://tempfile.aiquickdraw.com/s/a.png"]},"successFlag":1,"errorCode":null,"progress":"1.00"}}"#,
        #"[1,-1,0.25,-0.125,1.5e+300,123456.789,"\u00e9\ud83d\ude00",[[[]]],{"":{}}]"#,
        #"{"prompt":"line1\nline2\t\"quoted\" \\ back","size":"1:1","nVariants":4,"isEnhance":false}"#,
    ])
    func roundTrips(text: String) throws {
        let value = try JSON.parse(text)
        let once = JSON.serialize(value)
        let back = try JSON.parse(once)
        #expect(back == value)
        #expect(JSON.serialize(back) == once)
    }

    @Test func numbersRoundTripAsTheSameCase() throws {
        for v: JSONValue in [.int(Int64.min), .int(Int64.max), .double(0.1), .double(-1e-300), .double(9.3e18), .double(2.5)] {
            #expect(try JSON.parse(JSON.serialize(v)) == v)
        }
    }

    @Test func internalStringWriterMatchesSerialize() {
        var out = "x="
        JSON.writeString("a\"b", into: &out)
        JSON.write(["k": [1, 2]], into: &out)
        #expect(out == #"x="a\"b"{"k":[1,2]}"#)
    }

    /// Writer and reader skip eight bytes at a time where nothing needs a look (SWAR): every
    /// special byte at every position of strings around word sizes is still seen.
    @Test func specialBytesAtEveryPositionOfAWord() throws {
        let specials: [(UInt8, String)] = [(0x22, #"\""#), (0x5C, #"\\"#), (0x0A, #"\n"#), (0x01, #"\u0001"#), (0x1F, #"\u001f"#)]
        for length in 1...25 {
            for at in 0..<length {
                for (byte, escaped) in specials {
                    var raw = Array(repeating: UInt8(ascii: "a"), count: length)
                    raw[at] = byte
                    let s = String(decoding: raw, as: UTF8.self)
                    let expected = "\"" + String(repeating: "a", count: at) + escaped + String(repeating: "a", count: length - at - 1) + "\""
                    #expect(JSON.serialize(.string(s)) == expected)
                    #expect(try JSON.parse(expected) == .string(s))
                }
                // A raw control character or an unescaped quote in a document is refused wherever it is.
                var bad = Array(repeating: UInt8(ascii: "a"), count: length)
                bad[at] = 0x01
                #expect(throws: JSONError.self) { try JSON.parse([0x22] + bad + [0x22]) }
                // Non-ASCII anywhere is validated: a lone continuation byte is refused.
                bad[at] = 0x80
                #expect(throws: JSONError.self) { try JSON.parse([0x22] + bad + [0x22]) }
                bad[at] = 0xC3
                #expect(throws: JSONError.self) { try JSON.parse([0x22] + bad + [0x22]) }
                let e = Array(repeating: UInt8(ascii: "a"), count: at) + Array("é".utf8) + Array(repeating: UInt8(ascii: "a"), count: length - at)
                #expect(try JSON.parse([0x22] + e + [0x22]) == .string(String(decoding: e, as: UTF8.self)))
            }
        }
    }
}
