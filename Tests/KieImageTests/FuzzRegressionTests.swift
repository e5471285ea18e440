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
        // The same data handed back as task JSON (kie_download's input) goes through the parser too.
        #expect(try TaskJSON.parse(#"{"raw":\#(data)}"#).taskId == "t")
    }

    // taskjson target: a normalized task without `raw` came back with `raw` = itself, so its
    // re-serialized JSON parsed through the raw branch as record-info data and lost resultUrls.
    @Test func normalizedTaskSurvivesItsOwnRoundTrip() throws {
        let text = #"{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","status":"SUCCESS","successFlag":1,"progress":1,"resultUrls":["https://tempfile.aiquickdraw.com/s/5fd1b68dbca66cddf73654e72e2094ea_0_1774788516_2971.png"],"errorCode":null,"errorMessage":null,"createTime":1774788500000,"completeTime":1774788518000,"request":{"prompt":"A serene mountain lake at sunset with reflections","size":"1:1"}}"#
        let task = try TaskJSON.parse(text)
        let back = try TaskJSON.parse(JSON.serialize(task.json))
        #expect(back.taskId == task.taskId && back.status == .success)
        #expect(back.resultUrls == task.resultUrls && back.resultUrls.count == 1)
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
