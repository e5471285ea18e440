import Testing

@testable import KieSimulator

@Suite("record-info")
struct RecordInfoTests {
    static let realOrder = ["taskId", "paramJson", "completeTime", "response", "successFlag", "status", "errorCode",
                            "errorMessage", "createTime", "progress"]

    @Test func generatingShapeMatchesTheRealExample() async throws {
        try await withSimulator(testConfig { $0.generationMs = 60_000 }) { sim in
            // Frozen: progress stays "0.00" however slowly the machine runs.
            sim.freezeClock()
            let taskId = try await sim.submit()
            let answer = try await get(sim.recordInfoURL(taskId))
            let json = try #require(answer.json)
            #expect(keys(json) == ["code", "msg", "data"])
            let data = try #require(json["data"])
            #expect(keys(data) == Self.realOrder)
            let createTime = try #require(data["createTime"]?.intValue)
            #expect(createTime % 1000 == 0)
            #expect(answer.text == """
                {"code":200,"msg":"success","data":{"taskId":"\(taskId)","paramJson":"{\\"enableFallback\\":false,\\"fileUrlOrPromptNotEmpty\\":true,\\"nVariantsValid\\":true,\\"prompt\\":\\"A serene mountain lake at sunset with reflections\\",\\"size\\":\\"1:1\\"}","completeTime":null,"response":null,"successFlag":0,"status":"GENERATING","errorCode":null,"errorMessage":null,"createTime":\(createTime),"progress":"0.00"}}
                """)
        }
    }

    @Test func successShapeMatchesTheRealExample() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let data = try #require(try await sim.recordInfo(taskId)["data"])
            #expect(keys(data) == Self.realOrder)
            #expect(data["successFlag"]?.intValue == 1)
            #expect(data["status"]?.stringValue == "SUCCESS")
            #expect(data["progress"]?.stringValue == "1.00")
            #expect(data["errorCode"] == .null)
            #expect(data["errorMessage"] == .null)
            let complete = try #require(data["completeTime"]?.intValue)
            let create = try #require(data["createTime"]?.intValue)
            #expect(complete >= create)
            #expect(keys(data["response"]) == ["resultUrls"])
            let url = try #require(data["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            // <fileBase>/s/<taskId>_<i>_<unixsec>_<rand>.png
            #expect(url.hasPrefix(sim.fileBaseURL + "/s/\(taskId)_0_"))
            #expect(url.hasSuffix(".png"))
            let parts = url.dropFirst((sim.fileBaseURL + "/s/").count).dropLast(4).split(separator: "_")
            #expect(parts.count == 4)
            #expect(Int(parts[2]) != nil && Int(parts[3]) != nil)
        }
    }

    @Test func steadyProgressAdvancesAsADecimalString() {
        let config = testConfig()
        let request = try? FourOGenerateRequest.validate(.object([("prompt", .string("p")), ("size", .string("1:1"))])).get()
        guard let request else { Issue.record("invalid"); return }
        let task = SimTask(taskId: "t", apiKey: "k", request: request, paramJsonLiteral: "\"{}\"", createdAtMs: 0,
                           completeAtMs: 10_000, outcome: .success, resultNames: ["a.png"], cost: 6)
        let progress = [0, 4_800, 9_999, 10_000].map { TaskView(task: task, nowMs: $0, config: config, fileBase: "").progress }
        #expect(progress == ["0.00", "0.48", "0.99", "1.00"])
        var jump = config
        jump.progressMode = .jump
        let jumped = [0, 4_800, 9_999, 10_000].map { TaskView(task: task, nowMs: $0, config: jump, fileBase: "").progress }
        #expect(jumped == ["0.00", "0.00", "0.00", "1.00"])
    }

    @Test func resultUrlsKeyCanBeSnakeCase() async throws {
        try await withSimulator(testConfig { $0.resultUrlsKey = "result_urls" }) { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let data = try await sim.recordInfo(taskId)["data"]
            #expect(keys(data?["response"]) == ["result_urls"])
        }
    }

    @Test(arguments: [
        ("[sim:create_task_failed]", 2, "CREATE_TASK_FAILED"),
        ("[sim:generate_failed=400]", 3, "GENERATE_FAILED"),
        ("[sim:generate_failed=451]", 3, "GENERATE_FAILED"),
    ])
    func documentedFailuresCarryErrorCodeAndMessage(directive: String, flag: Int, status: String) async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit(#"{"prompt":"cat \#(directive)","size":"1:1"}"#)
            sim.advanceClock(ms: 2000)
            let data = try #require(try await sim.recordInfo(taskId)["data"])
            #expect(keys(data) == Self.realOrder)
            #expect(data["successFlag"]?.intValue == flag)
            #expect(data["status"]?.stringValue == status)
            let code = try #require(data["errorCode"]?.intValue)
            #expect([400, 451, 500].contains(code))
            let message = try #require(data["errorMessage"]?.stringValue)
            #expect((FailureTexts.code400 + FailureTexts.code451).contains(message))
            #expect(data["response"] == .null)
            #expect(sim.credits(apiKey: simKey) == 1000)
        }
    }

    @Test func internalErrorVariantHasFlag3AndNullErrorCode() async throws {
        try await withSimulator(testConfig { $0.failureRates = FailureRates(internalError: 1) }) { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let data = try #require(try await sim.recordInfo(taskId)["data"])
            #expect(data["successFlag"]?.intValue == 3)
            #expect(data["errorMessage"]?.stringValue == "Internal Error")
            #expect(data["errorCode"] == .null)
        }
    }

    @Test func failureQuirksAreConfigurable() async throws {
        let config = testConfig {
            $0.failureRates = FailureRates(generateFailed: 1)
            $0.errorCodeType = "string"
            $0.failureResponse = "emptyList"
            $0.generateFailedFlag = 2
            $0.timeFormat = "string"
        }
        try await withSimulator(config) { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let data = try #require(try await sim.recordInfo(taskId)["data"])
            #expect(data["successFlag"]?.intValue == 2)
            #expect(data["errorCode"]?.stringValue != nil)
            #expect(data["response"] == .object([("resultUrls", .array([]))]))
            let created = try #require(data["createTime"]?.stringValue)
            #expect(created.count == 19)
        }
    }

    @Test func unknownTaskAnswersTheRecordedShapeOrAnEarlierOne() async throws {
        try await withSimulator { sim in
            let answer = try await get(sim.recordInfoURL("0123456789abcdef0123456789abcdef"))
            #expect(answer.status == 200)
            #expect(answer.text == #"{"code":422,"msg":"The record does not exist","data":null}"#)
            let missing = try await get(sim.baseURL + "/api/v1/gpt4o-image/record-info")
            #expect(missing.json?["code"]?.intValue == 422)
        }
        try await withSimulator(testConfig { $0.unknownTaskMode = "nullData" }) { sim in
            let answer = try await get(sim.recordInfoURL("0123456789abcdef0123456789abcdef"))
            #expect(answer.text == #"{"code":200,"msg":"success","data":null}"#)
        }
        try await withSimulator(testConfig { $0.unknownTaskMode = "404" }) { sim in
            let answer = try await get(sim.recordInfoURL("0123456789abcdef0123456789abcdef"))
            #expect(answer.text == #"{"code":404,"msg":"record is null","data":null}"#)
        }
    }

    @Test func fourthQueryInOneSecondForATaskIs429() async throws {
        try await withSimulator(testConfig { $0.generationMs = 60_000 }) { sim in
            sim.freezeClock()
            let taskId = try await sim.submit()
            var codes: [Int] = []
            for _ in 0..<4 { codes.append(try await sim.recordInfo(taskId)["code"]?.intValue ?? 0) }
            #expect(codes == [200, 200, 200, 429])
            sim.advanceClock(ms: 1001)
            #expect(try await sim.recordInfo(taskId)["code"]?.intValue == 200)
            #expect(sim.tasks().first?.hits["record-info"] == 4)
        }
    }

    @Test func tasksOfAnotherKeyAreNotVisible() async throws {
        try await withSimulator(testConfig { $0.apiKeys = [simKey: 100, "other": 100] }) { sim in
            let taskId = try await sim.submit()
            let answer = try await get(sim.recordInfoURL(taskId), key: "other")
            #expect(answer.json?["code"]?.intValue == 422)
        }
    }
}
