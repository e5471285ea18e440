import Testing

@testable import KieSimulator

@Suite("generate")
struct GenerateTests {
    @Test func acceptedRequestAnswersTheRealShapeWithA32HexTaskId() async throws {
        try await withSimulator { sim in
            let answer = try await post(sim.generateURL, #"{"prompt":"A serene mountain lake","size":"1:1"}"#)
            #expect(answer.status == 200)
            #expect(keys(answer.json) == ["code", "msg", "data"])
            let taskId = try #require(answer.json?["data"]?["taskId"]?.stringValue)
            #expect(answer.text == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)"}}"#)
            #expect(taskId.count == 32)
            #expect(taskId.allSatisfy { "0123456789abcdef".contains($0) })
        }
    }

    @Test func missingOrWrongKeyGetsThe401BodyWithoutData() async throws {
        try await withSimulator { sim in
            for key in [nil, "wrong-key"] as [String?] {
                let answer = try await post(sim.generateURL, #"{"prompt":"x","size":"1:1"}"#, key: key)
                #expect(answer.status == 200)
                #expect(answer.text == #"{"code":401,"msg":"You do not have access permissions"}"#)
            }
            #expect(sim.tasks().isEmpty)
        }
    }

    /// kie's request schema (docs/kie-api.md §1a): what is accepted and what is refused.
    @Test(arguments: [
        (#"{"prompt":"p","size":"1:1"}"#, 200),
        (#"{"prompt":"p","size":"3:2"}"#, 200),
        (#"{"prompt":"p","size":"2:3"}"#, 200),
        (#"{"prompt":"p","size":"16:9"}"#, 422),
        (#"{"prompt":"p","size":"1024x1024"}"#, 422),
        (#"{"prompt":"p"}"#, 422),
        (#"{"prompt":"p","size":1}"#, 422),
        (#"{"size":"1:1"}"#, 422),
        (#"{"prompt":"","size":"1:1"}"#, 422),
        (#"{"size":"1:1","filesUrl":["https://example.com/a.png"]}"#, 200),
        (#"{"size":"1:1","fileUrl":"https://example.com/a.png"}"#, 200),
        (#"{"size":"1:1","filesUrl":[]}"#, 422),
        (#"{"prompt":"p","size":"1:1","filesUrl":["https://e.com/1.png","https://e.com/2.jpg","https://e.com/3.jpeg","https://e.com/4.webp","https://e.com/5.jfif"]}"#, 200),
        (#"{"prompt":"p","size":"1:1","filesUrl":["https://e.com/1.png","https://e.com/2.png","https://e.com/3.png","https://e.com/4.png","https://e.com/5.png","https://e.com/6.png"]}"#, 422),
        (#"{"prompt":"p","size":"1:1","filesUrl":"https://e.com/1.png"}"#, 422),
        (#"{"prompt":"p","size":"1:1","filesUrl":["not a url"]}"#, 422),
        (#"{"prompt":"p","size":"1:1","filesUrl":["https://e.com/a.gif"]}"#, 422),
        (#"{"prompt":"p","size":"1:1","nVariants":1}"#, 200),
        (#"{"prompt":"p","size":"1:1","nVariants":2}"#, 200),
        (#"{"prompt":"p","size":"1:1","nVariants":4}"#, 200),
        (#"{"prompt":"p","size":"1:1","nVariants":3}"#, 422),
        (#"{"prompt":"p","size":"1:1","nVariants":"2"}"#, 422),
        (#"{"prompt":"p","size":"1:1","fallbackModel":"GPT_IMAGE_1","enableFallback":true}"#, 200),
        (#"{"prompt":"p","size":"1:1","fallbackModel":"FLUX_MAX"}"#, 200),
        (#"{"prompt":"p","size":"1:1","fallbackModel":"DALL_E"}"#, 422),
        (#"{"prompt":"p","size":"1:1","isEnhance":true,"uploadCn":false,"enableFallback":false}"#, 200),
        (#"{"prompt":"p","size":"1:1","isEnhance":"yes"}"#, 422),
        (#"{"prompt":"p","size":"1:1","maskUrl":"https://e.com/m.png","callBackUrl":"https://e.com/cb"}"#, 200),
        (#"{"prompt":"p","size":"1:1","callBackUrl":"ftp://e.com/cb"}"#, 422),
        (#"{"prompt":"p","size":"1:1","maskUrl":42}"#, 422),
        (#"{"prompt":"p","size":"1:1","someExtraField":true}"#, 200),
        (#"["prompt","size"]"#, 400),
        (#"{"prompt":"p","size":"1:1""#, 400),
        ("", 400),
    ])
    func requestSchema(body: String, expectedCode: Int) async throws {
        try await withSimulator(testConfig { $0.generateLimit = RateLimit(requests: 0, perMs: 0) }) { sim in
            let answer = try await post(sim.generateURL, body)
            #expect(answer.status == 200)
            #expect(answer.json?["code"]?.intValue == expectedCode, "\(body) -> \(answer.text)")
            if expectedCode != 200 {
                #expect(answer.json?["data"] == .null)
                let msg = answer.json?["msg"]?.stringValue ?? ""
                #expect(msg.count > 0)
            }
        }
    }

    @Test func rejectionMessagesNameTheProblem() {
        func msg(_ body: String) -> String? {
            guard case .success(let json) = SimJSONParser.parse(body),
                case .failure(let r) = FourOGenerateRequest.validate(json)
            else { return nil }
            return r.msg
        }
        #expect(msg(#"{"prompt":"p"}"#) == "size is required")
        #expect(msg(#"{"prompt":"p","size":"4:3"}"#) == "size must be one of 1:1, 3:2, 2:3")
        #expect(msg(#"{"prompt":"p","size":"1:1","nVariants":3}"#) == "nVariants must be one of 1, 2, 4")
        #expect(msg(#"{"prompt":"p","size":"1:1","fallbackModel":"X"}"#) == "fallbackModel must be one of GPT_IMAGE_1, FLUX_MAX")
        #expect(msg(#"{"prompt":"p","size":"1:1","filesUrl":["https://a/1","https://a/2","https://a/3","https://a/4","https://a/5","https://a/6"]}"#)
            == "filesUrl supports at most 5 images")
        #expect(msg(#"{"size":"1:1"}"#)?.contains("fileUrl or prompt must not be empty") == true)
    }

    @Test func nVariantsIgnoreModeAcceptsAnyValue() {
        guard case .success(let json) = SimJSONParser.parse(#"{"prompt":"p","size":"1:1","nVariants":3}"#) else { return }
        let r = try? FourOGenerateRequest.validate(json, nVariantsMode: "ignore").get()
        #expect(r?.nVariants == 1)
    }

    @Test func creditsAreChargedPerVariantAndRefusedWith402() async throws {
        try await withSimulator(testConfig { $0.apiKeys = [simKey: 30]; $0.creditsPerVariant = 6 }) { sim in
            _ = try await sim.submit(#"{"prompt":"p","size":"1:1","nVariants":4}"#)
            #expect(sim.credits(apiKey: simKey) == 6)
            let credit = try await get(sim.baseURL + "/api/v1/chat/credit")
            #expect(credit.text == #"{"code":200,"msg":"success","data":6.0}"#)
            let refused = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1","nVariants":2}"#)
            #expect(refused.json?["code"]?.intValue == 402)
            #expect(sim.tasks().count == 1)
        }
    }

    @Test func twentyFirstGenerateInTenSecondsIs429AndDropped() async throws {
        try await withSimulator { sim in
            sim.freezeClock()
            for _ in 0..<20 { _ = try await sim.submit() }
            let limited = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(limited.status == 200)
            #expect(limited.json?["code"]?.intValue == 429)
            #expect(limited.json?["data"] == .null)
            #expect(sim.tasks().count == 20)
            #expect(sim.credits(apiKey: simKey) == 880)
            sim.advanceClock(ms: 10_001)
            _ = try await sim.submit()
            #expect(sim.tasks().count == 21)
        }
    }

    @Test func rateLimitCanBeARealHTTP429() async throws {
        try await withSimulator(testConfig { $0.generateLimit = RateLimit(requests: 1, perMs: 10000); $0.rateLimitStyle = "http" }) { sim in
            _ = try await sim.submit()
            let limited = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(limited.status == 429)
            #expect(limited.json?["code"]?.intValue == 429)
        }
    }

    @Test func twoMegabyteGarbageIs400AndOversizedBodyIs413() async throws {
        try await withSimulator(testConfig { $0.maxBodyBytes = 1 << 20 }) { sim in
            var garbage = [UInt8](repeating: 0, count: 2 << 20)
            for i in garbage.indices { garbage[i] = UInt8(truncatingIfNeeded: i &* 7919) }
            let big = try await http(.POST, sim.generateURL, body: garbage)
            #expect(big.status == 413)
            let smaller = try await http(.POST, sim.generateURL, body: Array(garbage.prefix(900_000)))
            #expect(smaller.json?["code"]?.intValue == 400)
            // The simulator still answers afterwards.
            _ = try await sim.submit()
        }
    }

    @Test func wrongMethodsAndUnknownPathsGetErrorAnswers() async throws {
        try await withSimulator { sim in
            let wrong = try await get(sim.generateURL)
            #expect(wrong.status == 405)
            #expect(wrong.json?["code"]?.intValue == 405)
            #expect(wrong.header("Allow") == "POST")
            let wrong2 = try await http(.DELETE, sim.recordInfoURL("x"))
            #expect(wrong2.status == 405)
            let unknown = try await get(sim.baseURL + "/api/v1/nothing")
            #expect(unknown.status == 404)
            #expect(unknown.json?["code"]?.intValue == 404)
        }
    }

    @Test func paramJsonHasServerKeysSortedLikeTheRealValue() {
        guard case .success(let json) = SimJSONParser.parse(#"{"size":"1:1","prompt":"A serene mountain lake at sunset with reflections"}"#),
            case .success(let r) = FourOGenerateRequest.validate(json)
        else { Issue.record("not accepted"); return }
        #expect(r.paramJson == #"{"enableFallback":false,"fileUrlOrPromptNotEmpty":true,"nVariantsValid":true,"prompt":"A serene mountain lake at sunset with reflections","size":"1:1"}"#)
    }
}
