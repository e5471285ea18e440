import Testing

@testable import KieSimulator

@Suite("Market createTask")
struct MarketCreateTaskTests {
    static let flare = #"{"model":"gpt-image-2-5-flare-text-to-image","input":{"prompt":"A lighthouse","aspect_ratio":"16:9"}}"#

    @Test func acceptedTaskAnswersTheRecordedShape() async throws {
        try await withSimulator { sim in
            let answer = try await post(sim.createTaskURL, Self.flare)
            #expect(answer.status == 200)
            let taskId = try #require(answer.json?["data"]?["taskId"]?.stringValue)
            #expect(taskId.count == 32 && taskId.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(answer.text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","recordId":"\#(taskId)"}}"#)
            let task = try #require(sim.tasks().first)
            #expect(task.family == "market")
            #expect(task.model == "gpt-image-2-5-flare-text-to-image")
        }
    }

    @Test(arguments: [
        #"{"input":{"prompt":"p"}}"#,
        #"{"model":"gpt-image-2-text-to-image"}"#,
        #"{"model":"gpt-image-2-text-to-image","input":"prompt"}"#,
        #"{"model":"gpt-image-2-text-to-image","input":{"aspect_ratio":"1:1"}}"#,
        #"{"model":"gpt-image-2-image-to-image","input":{"prompt":"p","image_url":"https://x/a.png"}}"#,
        #"{"model":"gpt-image/1.5-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1"}}"#,
        #"{"model":"seedream/4.5-text-to-image","input":{"prompt":"p","quality":"basic"}}"#,
        #"[1,2]"#,
    ])
    func missingFieldsAnswerThisFieldIsRequired(body: String) async throws {
        try await withSimulator { sim in
            let answer = try await post(sim.createTaskURL, body)
            #expect(answer.status == 200)
            #expect(answer.text == #"{"code":500,"msg":"This field is required","data":null}"#)
            #expect(sim.tasks().isEmpty)
            #expect(sim.credits(apiKey: simKey) == 1000)
        }
    }

    @Test func extraInputKeysAndUnknownModelsAreAccepted() async throws {
        try await withSimulator { sim in
            let gpt2 = try await sim.createMarketTask(
                #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p","nsfw_checker":false}}"#)
            let other = try await sim.createMarketTask(#"{"model":"acme/new-model","input":{"anything":[1,2]}}"#)
            let tasks = sim.tasks()
            #expect(tasks.map(\.taskId) == [gpt2, other])
            #expect(tasks.first?.paramJson == #"{"input":"{\"nsfw_checker\":false,\"prompt\":\"p\"}","model":"gpt-image-2-text-to-image"}"#)
            // Unknown model: the default price (marketDefaultCredits, 6).
            #expect(tasks.last?.cost == 6)
            #expect(sim.credits(apiKey: simKey) == 988.0)
        }
    }

    @Test(arguments: [
        (#"{"model":"gpt-image-2-5-sunburst-image-to-image","input":{"prompt":"p","input_urls":["https://x/a.png"],"resolution":"2K"}}"#, 10.0),
        (#"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p","resolution":"4K","aspect_ratio":"16:9"}}"#, 16.0),
        (#"{"model":"gpt-image-2-5-flare-text-to-image","input":{"prompt":"p"}}"#, 6.0),
        (#"{"model":"gpt-image/1.5-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"high"}}"#, 22.0),
        (#"{"model":"gpt-image/1.5-image-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"medium","input_urls":["https://x/a.png"]}}"#, 4.0),
        (#"{"model":"nano-banana-2","input":{"prompt":"p","resolution":"4K"}}"#, 18.0),
        (#"{"model":"seedream/4.5-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"high"}}"#, 6.5),
        (#"{"model":"flux-2/pro-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","resolution":"2K"}}"#, 7.0),
        (#"{"model":"qwen2/text-to-image","input":{"prompt":"p"}}"#, 5.6),
    ])
    func creditsAreDeductedAtCreationPerTheTable(body: String, credits: Double) async throws {
        try await withSimulator(testConfig { $0.marketGenerationMs = 60_000 }) { sim in
            let taskId = try await sim.createMarketTask(body)
            #expect(sim.credits(apiKey: simKey) == 1000 - credits)
            let record = try await sim.marketRecord(taskId)
            #expect(record.json?["data"]?["creditsConsumed"]?.doubleValue == credits)
            #expect(record.text.contains(",\"creditsConsumed\":\(SimJSON.formatDecimal(credits)),"))
        }
    }

    @Test func insufficientCreditsAndTheSharedWindowRefuseWithoutCharge() async throws {
        let config = testConfig {
            $0.apiKeys = [simKey: 30]
            $0.generateLimit = RateLimit(requests: 3, perMs: 10_000)
        }
        try await withSimulator(config) { sim in
            sim.freezeClock()
            _ = try await sim.submit()
            _ = try await sim.createMarketTask(#"{"model":"qwen2/text-to-image","input":{"prompt":"p"}}"#)
            _ = try await sim.createMarketTask(#"{"model":"grok-imagine-image-2-0/text-to-image","input":{"prompt":"p"}}"#)
            // The window (20 per 10 s in production, 3 here) is per account, across both families.
            let market = try await post(sim.createTaskURL, #"{"model":"qwen2/text-to-image","input":{"prompt":"p"}}"#)
            #expect(market.json?["code"]?.intValue == 429)
            let fourO = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(fourO.json?["code"]?.intValue == 429)
            // 30 - 6 - 5.6 - 4 = 14.4 left: a 22-credit task is refused for credits.
            let high = #"{"model":"gpt-image/1.5-text-to-image","input":{"prompt":"p","aspect_ratio":"1:1","quality":"high"}}"#
            #expect(try await post(sim.createTaskURL, high).text == #"{"code":402,"msg":"The current credits are insufficient. Please top up.","data":null}"#)
            #expect(sim.tasks().count == 3)
            #expect(abs((sim.credits(apiKey: simKey) ?? 0) - 14.4) < 1e-9)
            sim.advanceClock(ms: 10_001)
            _ = try await sim.createMarketTask(#"{"model":"grok-imagine-image-2-0/text-to-image","input":{"prompt":"p"}}"#)
            #expect(abs((sim.credits(apiKey: simKey) ?? 0) - 10.4) < 1e-9)
        }
    }

    @Test func createTaskFaultsBehaveAsForGenerate() async throws {
        let rules = [FaultRule(endpoint: "jobs-createTask", match: FaultMatch(nth: 1), action: FaultAction(reset: "after"))]
        try await withSimulator(testConfig { $0.faults = rules }) { sim in
            await #expect(throws: (any Error).self) { _ = try await post(sim.createTaskURL, Self.flare) }
            // The request was carried out: a charged task exists though no answer came.
            #expect(sim.tasks().count == 1)
            #expect(sim.credits(apiKey: simKey) == 994)
            #expect(sim.requestCounts()["jobs-createTask"] == 1)
        }
    }
}
