import Testing
@testable import KieImage

/// Inputs the libFuzzer targets (Tests/fuzz) found crashing or breaking a round trip; each stays
/// here once fixed. The invariant each test checks is the one its fuzz target asserts.
@Suite struct FuzzRegressionTests {
    // recordinfo target: `createTime` of Int64.min (as a number or a string) trapped on
    // `n * 1000` in RecordInfoParser.timestamp: a hostile or broken answer killed the host process.
    @Test(arguments: [
        #"{"taskId":"t","successFlag":0,"createTime":-9223372036854775808}"#,
        #"{"taskId":"t","successFlag":0,"completeTime":"-9223372036854775808"}"#,
        #"{"taskId":"t","successFlag":1,"createTime":-9.2e18,"completeTime":-1}"#,
    ])
    func negativeTimestampIsNoTime(data: String) throws {
        let body = Array(#"{"code":200,"msg":"success","data":\#(data)}"#.utf8)
        let envelope = try ErrorMapping.decode(HTTPAnswer(status: 200, body: body), redact: { $0 })
        let task = try RecordInfoParser.parse(envelope.data)
        #expect(task.createTime == nil && task.completeTime == nil)
        // The same data handed back inside a task JSON (kie_download's input): only the id is read.
        #expect(try TaskReference.parse(#"{"taskId":"t","raw":\#(data)}"#) == TaskReference(taskId: "t"))
    }

    // taskjson target: a normalized task without `raw` came back from TaskJSON.parse with `raw` =
    // itself and lost its resultUrls. kie_download now reads only the id and family of a task
    // JSON (TaskReference, the target's parser since): the same text names the same task.
    @Test func aNormalizedTaskJSONNamesItsTask() throws {
        let text = #"{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","status":"SUCCESS","successFlag":1,"progress":1,"resultUrls":["https://tempfile.aiquickdraw.com/s/5fd1b68dbca66cddf73654e72e2094ea_0_1774788516_2971.png"],"errorCode":null,"errorMessage":null,"createTime":1774788500000,"completeTime":1774788518000,"request":{"prompt":"A serene mountain lake at sunset with reflections","size":"1:1"}}"#
        let named = try TaskReference.parse(text)
        #expect(named == TaskReference(taskId: "5fd1b68dbca66cddf73654e72e2094ea"))
        let task = try RecordInfoParser.parse(JSON.parse(#"{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","successFlag":1}"#))
        #expect(try TaskReference.parse(task.jsonText) == TaskReference(taskId: named.taskId, family: .fourO))
    }

    // json target: JSONDecoder (the reference) accepted {"a":1,"a":00} and {"a":1,"a":"\q"}: it
    // keeps a duplicate key's first value and never checks the syntax of the one it drops. The
    // target's reference now checks every token's grammar; JSON.parse checks every value it reads.
    @Test(arguments: [#"{"raw":{},"raw":{"":00}}"#, #"{"paramJson":true,"paramJson":"\a"}"#, #"{"a":1,"a":1.}"#,
        #"{"a":1,"a":"\ud800"}"#])
    func aDuplicateKeysDroppedValueIsStillChecked(text: String) {
        #expect(throws: JSONError.self) { try JSON.parse(text) }
    }

    // urlparts target (differential against the Character-level parser it replaced): the origin
    // check of every API request; these are the cases where byte and Character work could differ.
    @Test func urlPartsByteParserKeepsTheOldAnswers() {
        let cases: [(String, (String, String, Int, String)?)] = [
            ("https://api.kie.ai/api/v1/gpt4o-image/generate", ("https", "api.kie.ai", 443, "/api/v1/gpt4o-image/generate")),
            ("HTTP://User:pw@Example.COM:8080/a?b#c", ("http", "example.com", 8080, "/a")),
            ("http://[::1]:9/p", ("http", "[::1]", 9, "/p")),
            ("http://[::1]junk/p", ("http", "[::1]", 80, "/p")),
            ("http://h:+80", ("http", "h", 80, "")),
            ("http://h:0080/", ("http", "h", 80, "/")),
            ("http://ÖL.example/x", ("http", "öl.example", 80, "/x")),
            ("http://a@b@evil.example/", ("http", "evil.example", 80, "/")),
            ("http://h:0/", nil), ("http://h:65536/", nil), ("http://h:-1/", nil), ("http://:80/", nil),
            ("http://h/a b", nil), ("http://h/\u{2028}", nil), ("http://h/\u{85}", nil), ("ftp://h/", nil),
            ("http://[::1/", nil), ("https:/h", nil),
        ]
        for (text, want) in cases {
            let got = URLParts(text)
            #expect(got.map { [$0.scheme, $0.host, String($0.port), $0.path] } == want.map { [$0.0, $0.1, String($0.2), $0.3] }, "\(text)")
        }
    }
}

@Suite struct WideJSONTests {
    @Test func anObjectWithManyKeysParsesWithAllOfThem() throws {
        // Found by fuzzing: 50 000 keys took 80 s when each insert searched the keys before it.
        let body = "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"taskId\":\"t\"}"
        let value = try JSON.parse(body)
        #expect(value.objectValue?.keys.count == 50_001)
        #expect(try WebhookEvent.parse(Array(body.utf8)).taskId == "t")
    }
}
