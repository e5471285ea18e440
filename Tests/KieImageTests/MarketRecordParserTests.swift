import Testing
@testable import KieImage

/// The recorded Market recordInfo answers of docs/kie-market-api.md §3b, verbatim (the running
/// record's `paramJson` elision is filled with its `param` string; the success record, shown
/// there as a diff of the running one, is completed the same way: 806 and 1042 bytes, as recorded).
@Suite struct MarketRecordParserTests {
    static let running = #"{"code":200,"msg":"success","data":{"taskId":"366e2065ed94e590a9e1201e1f1e1704","model":"gpt-image-2-5-flare-text-to-image","state":"generating","param":"{\"input\":\"{\\\"aspect_ratio\\\":\\\"16:9\\\",\\\"prompt\\\":\\\"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.\\\"}\",\"model\":\"gpt-image-2-5-flare-text-to-image\"}","resultJson":"","failCode":null,"failMsg":null,"costTime":null,"completeTime":null,"createTime":1789126694807,"creditsConsumed":6.0,"operationType":"gpt-image-2-5-flare-text-to-image","successFlag":0,"paramJson":"{\"input\":\"{\\\"aspect_ratio\\\":\\\"16:9\\\",\\\"prompt\\\":\\\"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.\\\"}\",\"model\":\"gpt-image-2-5-flare-text-to-image\"}"}}"#
    static let success = #"{"code":200,"msg":"success","data":{"taskId":"366e2065ed94e590a9e1201e1f1e1704","model":"gpt-image-2-5-flare-text-to-image","state":"success","param":"{\"input\":\"{\\\"aspect_ratio\\\":\\\"16:9\\\",\\\"prompt\\\":\\\"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.\\\"}\",\"model\":\"gpt-image-2-5-flare-text-to-image\"}","resultJson":"{\"resultUrls\":[\"https://tempfile.aiquickdraw.com/images/chatgpt/file_00000000d72c81f583619ddba0f6125a.png\"]}","failCode":null,"failMsg":null,"costTime":66,"completeTime":1789126761759,"createTime":1789126694807,"creditsConsumed":6.0,"operationType":"gpt-image-2-5-flare-text-to-image","response":{"resultUrls":["https://tempfile.aiquickdraw.com/images/chatgpt/file_00000000d72c81f583619ddba0f6125a.png"]},"successFlag":1,"paramJson":"{\"input\":\"{\\\"aspect_ratio\\\":\\\"16:9\\\",\\\"prompt\\\":\\\"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.\\\"}\",\"model\":\"gpt-image-2-5-flare-text-to-image\"}"}}"#
    static let failSeedance = #"{"code":200,"msg":"success","data":{"taskId":"caaa5d964f44ac218c7db5ab6c50cf69","model":"bytedance/seedance-2-fast","state":"fail","param":"…","resultJson":"","failCode":"422","failMsg":"generate playground failed, task id is blank","costTime":null,"completeTime":null,"createTime":1775800223443}}"#
    static let failGrok = #"{"code":200,"msg":"success","data":{"taskId":"d848c013a98a71d8d3d40c3b5b5d2a8b","model":"grok-imagine/image-to-video","state":"fail","param":"…","resultJson":"","failCode":"500","failMsg":"Upload failed: Server internal error.","costTime":6,"completeTime":1775143497230,"createTime":1775143490785}}"#

    func task(_ envelope: String) throws -> KieTask {
        try MarketRecordParser.parse(#require(JSON.parse(envelope)["data"]))
    }

    static let url = "https://tempfile.aiquickdraw.com/images/chatgpt/file_00000000d72c81f583619ddba0f6125a.png"
    static let prompt = "A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic."

    @Test func recordedBodiesHaveTheirRecordedSizes() {
        #expect(Self.running.utf8.count == 806 && Self.success.utf8.count == 1042)
    }

    @Test func recordedRunningTask() throws {
        let t = try task(Self.running)
        #expect(t.taskId == "366e2065ed94e590a9e1201e1f1e1704" && t.family == .market)
        #expect(t.model == "gpt-image-2-5-flare-text-to-image" && t.state == "generating")
        #expect(t.status == .generating && t.progress == 0 && t.successFlag == 0 && t.resultUrls.isEmpty)
        #expect(t.creditsConsumed == 6.0 && t.failCode == nil && t.errorMessage == nil && t.errorCode == .null)
        #expect(t.createTime == 1789126694807 && t.completeTime == nil)
        #expect(t.request == ["model": "gpt-image-2-5-flare-text-to-image", "input": ["aspect_ratio": "16:9", "prompt": .string(Self.prompt)]])
    }

    @Test func recordedSuccessfulTask() throws {
        let t = try task(Self.success)
        #expect(t.status == .success && t.isSuccess && t.progress == 1 && t.successFlag == 1 && t.state == "success")
        #expect(t.resultUrls == [Self.url])
        #expect(t.creditsConsumed == 6.0 && t.completeTime == 1789126761759 && t.createTime == 1789126694807)
        #expect(t.request["input"]?["prompt"] == .string(Self.prompt))
    }

    @Test(arguments: [
        (MarketRecordParserTests.failSeedance, "caaa5d964f44ac218c7db5ab6c50cf69", "bytedance/seedance-2-fast", "422", "generate playground failed, task id is blank"),
        (MarketRecordParserTests.failGrok, "d848c013a98a71d8d3d40c3b5b5d2a8b", "grok-imagine/image-to-video", "500", "Upload failed: Server internal error."),
    ])
    func recordedFailures(body: String, id: String, model: String, code: String, message: String) throws {
        let t = try task(body)
        #expect(t.taskId == id && t.model == model && t.state == "fail")
        #expect(t.status == .generateFailed && t.isTerminal && !t.isSuccess && t.progress == 0)
        #expect(t.failCode == code && t.errorMessage == message && t.errorCode == .int(Int64(code) ?? 0))
        #expect(t.creditsConsumed == nil && t.resultUrls.isEmpty && t.request == .null)
        let e = t.failure
        #expect(e.status == .taskFailed && e.taskId == id && e.apiCode == Int(code))
        #expect(e.message.contains(message) && e.message.contains("failCode \(code)"))
    }

    /// The same success in the older shapes: 2026-04 (no creditsConsumed, operationType,
    /// successFlag, paramJson, response) and 2026-08 (creditsConsumed added).
    @Test(arguments: [
        ["creditsConsumed", "operationType", "successFlag", "paramJson", "response"],
        ["operationType", "successFlag", "paramJson", "response"],
    ])
    func olderRecordShapesParse(dropping keys: [String]) throws {
        var data = try #require(JSON.parse(Self.success)["data"]?.objectValue)
        for key in keys { data[key] = nil }
        let t = try MarketRecordParser.parse(.object(data))
        #expect(t.status == .success && t.resultUrls == [Self.url] && t.successFlag == nil && t.progress == 1)
        #expect(t.creditsConsumed == (keys.contains("creditsConsumed") ? nil : 6))
        #expect(t.request["input"]?["aspect_ratio"] == "16:9")
    }

    @Test func documentedFailureCallbackDataParses() throws {
        // docs/kie-market-api.md §4: the documented failure callback's data
        let t = try MarketRecordParser.parse(JSON.parse(#"{"taskId":"cb1","model":"happyhorse-1-1/image-to-video","state":"fail","param":"{\"input\":\"{}\",\"callBackUrl\":\"https://e.com/cb\",\"model\":\"happyhorse-1-1/image-to-video\"}","failCode":"GENERATION_FAILED","failMsg":"The generation task failed."}"#))
        #expect(t.status == .generateFailed && t.failCode == "GENERATION_FAILED" && t.errorMessage == "The generation task failed.")
        #expect(t.request == ["model": "happyhorse-1-1/image-to-video", "input": [:], "callBackUrl": "https://e.com/cb"])
        #expect(t.failure.message == "The generation task failed. (failCode GENERATION_FAILED)")
    }

    @Test(arguments: [
        ("waiting", KieTask.Status.generating), ("queuing", .generating), ("generating", .generating),
        ("rendering", .generating), ("success", .success), ("fail", .generateFailed), ("SUCCESS", .success),
    ])
    func stateWordsNormalize(state: String, status: KieTask.Status) throws {
        let t = try MarketRecordParser.parse(["taskId": "t", "state": .string(state)])
        #expect(t.status == status && t.state == state)
    }

    @Test(arguments: [
        (JSONValue.int(0), KieTask.Status.generating), (1, .success), (2, .generateFailed), (3, .generateFailed),
    ])
    func successFlagDecidesWithoutState(flag: JSONValue, status: KieTask.Status) throws {
        #expect(try MarketRecordParser.parse(["taskId": "t", "successFlag": flag]).status == status)
    }

    @Test func stateWinsOverSuccessFlag() throws {
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "generating", "successFlag": 1]).status == .generating)
    }

    @Test(arguments: [
        (JSONValue.string("422"), "422" as String?), (.int(500), "500"), (.double(501), "501"), (.string(""), nil), (.null, nil),
        (.string("GENERATION_FAILED"), "GENERATION_FAILED"),
    ])
    func failCodeIsStringNumberOrNull(code: JSONValue, text: String?) throws {
        let t = try MarketRecordParser.parse(["taskId": "t", "state": "fail", "failCode": code, "failMsg": "m"])
        #expect(t.failCode == text && t.failure.message.contains("m"))
        if text == "GENERATION_FAILED" { #expect(t.errorCode == "GENERATION_FAILED" && t.failure.apiCode == nil) }
    }

    @Test func emptyFailMsgIsNoMessage() throws {
        let t = try MarketRecordParser.parse(["taskId": "t", "state": "fail", "failCode": "", "failMsg": ""])
        #expect(t.errorMessage == nil && t.failCode == nil && t.failure.message == "task ended GENERATE_FAILED")
    }

    @Test(arguments: [
        // resultJson first, all URLs in order
        (#"{"taskId":"t","state":"success","resultJson":"{\"resultUrls\":[\"https://a/1.png\",\"https://a/2.png\"]}","response":{"resultUrls":["https://b/1.png"]}}"#, ["https://a/1.png", "https://a/2.png"]),
        // resultJson empty: response.resultUrls
        (#"{"taskId":"t","state":"success","resultJson":"","response":{"resultUrls":["https://b/1.png","https://b/2.png"]}}"#, ["https://b/1.png", "https://b/2.png"]),
        // resultJson null or absent, no response
        (#"{"taskId":"t","state":"success","resultJson":null}"#, []),
        (#"{"taskId":"t","state":"success"}"#, []),
        // resultJson as an object, and unparseable text
        (#"{"taskId":"t","state":"success","resultJson":{"resultUrls":["https://c/1.png"]}}"#, ["https://c/1.png"]),
        (#"{"taskId":"t","state":"success","resultJson":"{not json","response":{"resultUrls":["https://b/1.png"]}}"#, ["https://b/1.png"]),
        // resultObject (text models): no URLs
        (#"{"taskId":"t","state":"success","resultJson":"{\"resultObject\":{\"text\":\"x\"}}"}"#, []),
    ])
    func resultUrlsFromResultJsonThenResponse(json: String, urls: [String]) throws {
        #expect(try MarketRecordParser.parse(JSON.parse(json)).resultUrls == urls)
    }

    @Test(arguments: [
        (JSONValue.int(48), 0.48), (.double(100), 1), (.int(250), 1), (.int(-5), 0), (.string("12"), 0.12), (.string("x"), 0),
    ])
    func progressIsPercentWhileRunning(progress: JSONValue, expected: Double) throws {
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "generating", "progress": progress]).progress == expected)
    }

    @Test func creditsConsumedIsOptional() throws {
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "waiting"]).creditsConsumed == nil)
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "waiting", "creditsConsumed": nil]).creditsConsumed == nil)
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "fail", "creditsConsumed": 0]).creditsConsumed == 0)
        #expect(try MarketRecordParser.parse(["taskId": "t", "state": "success", "creditsConsumed": 4.5]).creditsConsumed == 4.5)
    }

    @Test func paramFallsBackToParamJsonAndKeepsOtherKeys() throws {
        let param = #"{"input":"{\"prompt\":\"p\"}","callBackUrl":"https://e.com/cb","model":"m"}"#
        let t = try MarketRecordParser.parse(["taskId": "t", "state": "waiting", "param": nil, "paramJson": .string(param)])
        #expect(t.request == ["model": "m", "input": ["prompt": "p"], "callBackUrl": "https://e.com/cb"])
        #expect(JSON.serialize(t.request) == #"{"model":"m","input":{"prompt":"p"},"callBackUrl":"https://e.com/cb"}"#)
    }

    @Test func expectedTaskIdFillsAMissingOne() throws {
        #expect(try MarketRecordParser.parse(["state": "waiting"], expectedTaskId: "abc").taskId == "abc")
    }

    @Test func shapelessDataIsAProtocolError() {
        for bad: JSONValue in [["taskId": "t"], ["state": "success"], [], "x", nil] {
            do { _ = try MarketRecordParser.parse(bad); Issue.record("accepted \(bad)") } catch { #expect(error.status == .protocol) }
        }
    }

    @Test func familyDispatch() throws {
        let data = try #require(JSON.parse(Self.success)["data"])
        #expect(try RecordInfoParser.parse(data, family: .market) == MarketRecordParser.parse(data))
    }

    @Test func taskJSONKeepsTheNewFields() throws {
        var t = try task(Self.success)
        t.tag = "line-7"
        let json = t.json
        #expect(json["family"] == "market" && json["model"] == "gpt-image-2-5-flare-text-to-image" && json["state"] == "success")
        #expect(json["creditsConsumed"] == .double(6) && json["failCode"] == .null && json["tag"] == "line-7")
        #expect(json["resultUrls"] == .array([.string(Self.url)]) && json["status"] == "SUCCESS")
        #expect(JSON.serialize(try JSON.parse(t.jsonText)) == JSON.serialize(json))
        // handed to kie_download, it names the task and its family, with or without raw
        #expect(try TaskReference.parse(t.jsonText) == TaskReference(taskId: t.taskId, family: .market))
        var bare = try #require(json.objectValue)
        bare["raw"] = nil
        #expect(try TaskReference.parse(JSON.serialize(.object(bare))) == TaskReference(taskId: t.taskId, family: .market))
    }

    @Test func failedTaskJSONKeepsFailCode() throws {
        let json = try task(Self.failGrok).json
        #expect(json["failCode"] == "500" && json["status"] == "GENERATE_FAILED" && json["family"] == "market")
    }

    @Test func downloadNeedsOnlyTheTaskId() throws {
        #expect(try TaskReference.parse(#"{"taskId":"abc","resultUrls":["https://x/a.png"]}"#) == TaskReference(taskId: "abc"))
        #expect(try TaskReference.parse(#"{"taskId":"abc","family":"market"}"#) == TaskReference(taskId: "abc", family: .market))
        #expect(try TaskReference.parse(#"{"taskId":"abc","family":null}"#) == TaskReference(taskId: "abc"))
        #expect(throws: KieError.self) { try TaskReference.parse(#"{"resultUrls":[]}"#) }
        #expect(throws: KieError.self) { try TaskReference.parse(#"{"taskId":""}"#) }
        #expect(throws: KieError.self) { try TaskReference.parse(#"{"taskId":"abc","family":"veo"}"#) }
        #expect(throws: KieError.self) { try TaskReference.parse("[]") }
    }
}
