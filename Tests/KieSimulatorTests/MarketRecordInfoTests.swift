import Testing

@testable import KieSimulator

@Suite("Market recordInfo")
struct MarketRecordInfoTests {
    /// The request of the recorded GPT Image 2.5 flare example (docs/kie-market-api.md §3b).
    static let request = #"{"model":"gpt-image-2-5-flare-text-to-image","input":{"prompt":"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.","aspect_ratio":"16:9"}}"#
    /// Its `param`, exactly as recorded (a JSON string literal).
    static let param = #""{\"input\":\"{\\\"aspect_ratio\\\":\\\"16:9\\\",\\\"prompt\\\":\\\"A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic.\\\"}\",\"model\":\"gpt-image-2-5-flare-text-to-image\"}""#
    static let sepOrder = ["taskId", "model", "state", "param", "resultJson", "failCode", "failMsg", "costTime",
                           "completeTime", "createTime", "creditsConsumed", "operationType", "successFlag", "paramJson"]

    /// Generation of the recorded task: created ...694807, completed ...761759 (costTime 66).
    static func recorded(_ change: (inout SimulatorConfig) -> Void = { _ in }) -> SimulatorConfig {
        testConfig {
            $0.marketGenerationMs = 66_952
            $0.marketWaitingMs = 0
            change(&$0)
        }
    }

    @Test func runningAndSuccessRecordsMatchTheRecordedText() async throws {
        try await withSimulator(Self.recorded()) { sim in
            sim.freezeClock()
            let taskId = try await sim.createMarketTask(Self.request)
            let running = try await sim.marketRecord(taskId)
            let data = try #require(running.json?["data"])
            #expect(keys(data) == Self.sepOrder)
            let created = try #require(data["createTime"]?.intValue)
            #expect(running.text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","model":"gpt-image-2-5-flare-text-to-image","state":"generating","param":\#(Self.param),"resultJson":"","failCode":null,"failMsg":null,"costTime":null,"completeTime":null,"createTime":\#(created),"creditsConsumed":6.0,"operationType":"gpt-image-2-5-flare-text-to-image","successFlag":0,"paramJson":\#(Self.param)}}"#)

            sim.advanceClock(ms: 66_952)
            let done = try await sim.marketRecord(taskId)
            let url = try #require(done.json?["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            #expect(url.hasPrefix(sim.fileBaseURL + "/m/"))
            let completed = created + 66_952
            #expect(done.text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","model":"gpt-image-2-5-flare-text-to-image","state":"success","param":\#(Self.param),"resultJson":"{\"resultUrls\":[\"\#(url)\"]}","failCode":null,"failMsg":null,"costTime":66,"completeTime":\#(completed),"createTime":\#(created),"creditsConsumed":6.0,"operationType":"gpt-image-2-5-flare-text-to-image","response":{"resultUrls":["\#(url)"]},"successFlag":1,"paramJson":\#(Self.param)}}"#)
        }
    }

    @Test func earlierShapesLeaveOutTheLaterFields() async throws {
        try await withSimulator(Self.recorded { $0.marketRecordShape = "2026-08" }) { sim in
            sim.freezeClock()
            let taskId = try await sim.createMarketTask(Self.request)
            let text = try await sim.marketRecord(taskId).text
            let created = try #require(try await sim.marketRecord(taskId).json?["data"]?["createTime"]?.intValue)
            #expect(text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","model":"gpt-image-2-5-flare-text-to-image","state":"generating","param":\#(Self.param),"resultJson":"","failCode":null,"failMsg":null,"costTime":null,"completeTime":null,"createTime":\#(created),"creditsConsumed":6.0}}"#)
        }
        // April shape, and the recorded failure (grok-imagine i2v: failCode "500", costTime 6).
        let failing = #"{"model":"grok-imagine/image-to-video","input":{"prompt":"wave [sim:generate_failed=500]"}}"#
        try await withSimulator(Self.recorded { $0.marketRecordShape = "2026-04"; $0.marketGenerationMs = 6_445 }) { sim in
            sim.freezeClock()
            let taskId = try await sim.createMarketTask(failing)
            let created = try #require(try await sim.marketRecord(taskId).json?["data"]?["createTime"]?.intValue)
            sim.advanceClock(ms: 6_445)
            let text = try await sim.marketRecord(taskId).text
            let param = #""{\"input\":\"{\\\"prompt\\\":\\\"wave [sim:generate_failed=500]\\\"}\",\"model\":\"grok-imagine/image-to-video\"}""#
            #expect(text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","model":"grok-imagine/image-to-video","state":"fail","param":\#(param),"resultJson":"","failCode":"500","failMsg":"Upload failed: Server internal error.","costTime":6,"completeTime":\#(created + 6_445),"createTime":\#(created)}}"#)
            // Refunded (refundOnFailure).
            #expect(sim.credits(apiKey: simKey) == 1000)
        }
    }

    @Test func lifecycleGoesWaitingGeneratingSuccess() async throws {
        let config = testConfig {
            $0.marketWaitingMs = 2_000
            $0.marketGenerationMs = 10_000
        }
        try await withSimulator(config) { sim in
            sim.freezeClock()
            let taskId = try await sim.createMarketTask(MarketCreateTaskTests.flare)
            func look() async throws -> (String?, Int?, SimJSON?) {
                let data = try await sim.marketRecord(taskId).json?["data"]
                return (data?["state"]?.stringValue, data?["successFlag"]?.intValue, data?["completeTime"])
            }
            var seen: [String] = []
            for step: Int64 in [0, 1_999, 1, 7_999, 1] {
                sim.advanceClock(ms: step)
                let (state, flag, complete) = try await look()
                seen.append(state ?? "?")
                #expect(flag == (state == "success" ? 1 : 0))
                #expect((complete == .null) == (state != "success"))
            }
            #expect(seen == ["waiting", "waiting", "generating", "generating", "success"])
            #expect(sim.tasks().first?.state == "success")
            #expect(sim.tasks().first?.hits["jobs-recordInfo"] == 5)
        }
    }

    @Test func failuresShowFailCodeAndAnUnchargedInstantFail() async throws {
        try await withSimulator(testConfig { $0.marketWaitingMs = 0 }) { sim in
            sim.freezeClock()
            let instant = try await sim.createMarketTask(#"{"model":"qwen2/text-to-image","input":{"prompt":"x [sim:create_task_failed]"}}"#)
            sim.advanceClock(ms: 1_000)
            let data = try #require(try await sim.marketRecord(instant).json?["data"])
            #expect(data["state"]?.stringValue == "fail")
            #expect(data["failCode"]?.stringValue == "422")
            #expect(data["failMsg"]?.stringValue == "generate playground failed, task id is blank")
            #expect(data["costTime"] == .null && data["completeTime"] == .null)
            #expect(data["resultJson"]?.stringValue == "")
            #expect(data["creditsConsumed"]?.doubleValue == 0)
            #expect(data["successFlag"]?.intValue == 3)
            #expect(data["response"] == nil)
        }
    }

    @Test func transientNotFoundHidesTheFirstPolls() async throws {
        try await withSimulator(testConfig { $0.marketTransientNotFound = 2 }) { sim in
            let taskId = try await sim.createMarketTask(MarketCreateTaskTests.flare)
            let notFound = #"{"code":422,"msg":"recordInfo is null","data":null}"#
            #expect(try await sim.marketRecord(taskId).text == notFound)
            #expect(try await sim.marketRecord(taskId).text == notFound)
            #expect(try await sim.marketRecord(taskId).json?["data"]?["taskId"]?.stringValue == taskId)
            // Only fresh tasks: a second task hides its own first polls, the first one no longer.
            let second = try await sim.createMarketTask(MarketCreateTaskTests.flare)
            #expect(try await sim.marketRecord(second).text == notFound)
            #expect(try await sim.marketRecord(taskId).json?["code"]?.intValue == 200)
        }
    }

    @Test func eachFamilyReadsOnlyItsOwnIds() async throws {
        try await withSimulator(testConfig { $0.apiKeys = [simKey: 100, "other": 100] }) { sim in
            let market = try await sim.createMarketTask(MarketCreateTaskTests.flare)
            let fourO = try await sim.submit()
            #expect(try await sim.marketRecord(fourO).text == #"{"code":422,"msg":"recordInfo is null","data":null}"#)
            #expect(try await get(sim.recordInfoURL(market)).text == #"{"code":422,"msg":"The record does not exist","data":null}"#)
            let link = try await post(sim.baseURL + "/api/v1/gpt4o-image/download-url", #"{"taskId":"\#(market)","url":"https://x/a.png"}"#)
            #expect(link.text == #"{"code":422,"msg":"record is null","data":null}"#)
            // Another account's task is not found either.
            #expect(try await get(sim.marketRecordInfoURL(market), key: "other").json?["msg"]?.stringValue == "recordInfo is null")
            #expect(sim.tasks().map(\.family) == ["market", "4o"])
        }
    }
}
