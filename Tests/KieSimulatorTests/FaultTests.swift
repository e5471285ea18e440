import AsyncHTTPClient
import Testing

@testable import KieSimulator

@Suite("faults")
struct FaultTests {
    static func config(_ rule: FaultRule) -> SimulatorConfig {
        testConfig { $0.faults = [rule] }
    }

    @Test func matchKindsPickTheRightRequests() {
        func fired(_ match: FaultMatch?, _ n: Int) -> [Bool] {
            var engine = FaultEngine(rules: [FaultRule(endpoint: "generate", match: match, action: FaultAction(bodyCode: 500))])
            return (0..<n).map { _ in engine.decide(.generate) != nil }
        }
        #expect(fired(FaultMatch(nth: 2), 4) == [false, true, false, false])
        #expect(fired(FaultMatch(every: 2), 4) == [false, true, false, true])
        #expect(fired(FaultMatch(count: 2), 4) == [true, true, false, false])
        #expect(fired(nil, 2) == [true, true])
        let rate = fired(FaultMatch(rate: 0.25, seed: 9), 2000).filter { $0 }.count
        #expect(rate > 350 && rate < 650)
        #expect(fired(FaultMatch(rate: 0.25, seed: 9), 50) == fired(FaultMatch(rate: 0.25, seed: 9), 50))
        var star = FaultEngine(rules: [FaultRule(endpoint: "*", action: FaultAction(httpStatus: 503))])
        #expect(star.decide(.credit) != nil && star.decide(.file) != nil)
        var other = FaultEngine(rules: [FaultRule(endpoint: "credit", action: FaultAction(httpStatus: 503))])
        #expect(other.decide(.generate) == nil)
    }

    @Test func badRulesAreRefused() {
        var c = SimulatorConfig()
        c.faults = [FaultRule(endpoint: "nope", action: FaultAction(reset: "sideways"))]
        #expect(c.problems().count == 2)
        if case .success = SimulatorConfig.decode(json: Array(#"{"faults":[{"endpoint":"generate","action":{}}]}"#.utf8)) {
            Issue.record("empty action accepted")
        }
    }

    @Test func bodyCodeAnswersHTTP200WithTheCodeAndCreatesNothing() async throws {
        let rule = FaultRule(endpoint: "generate", match: FaultMatch(nth: 1), action: FaultAction(bodyCode: 455))
        try await withSimulator(Self.config(rule)) { sim in
            let answer = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(answer.status == 200)
            #expect(answer.json?["code"]?.intValue == 455)
            #expect(sim.tasks().isEmpty)
            _ = try await sim.submit()
            #expect(sim.tasks().count == 1)
        }
    }

    @Test(arguments: [429, 500, 503])
    func httpStatusIsARealStatus(status: Int) async throws {
        let rule = FaultRule(endpoint: "record-info", action: FaultAction(httpStatus: status))
        try await withSimulator(Self.config(rule)) { sim in
            let answer = try await get(sim.recordInfoURL("x"))
            #expect(answer.status == status)
        }
    }

    @Test func malformedBodyIsNotJSON() async throws {
        let rule = FaultRule(endpoint: "credit", action: FaultAction(malformed: true))
        try await withSimulator(Self.config(rule)) { sim in
            let answer = try await get(sim.baseURL + "/api/v1/chat/credit")
            #expect(answer.status == 200)
            #expect(answer.json == nil)
        }
    }

    @Test func truncatedBodyIsCutJSONAndTheTaskExists() async throws {
        let rule = FaultRule(endpoint: "generate", action: FaultAction(truncated: true))
        try await withSimulator(Self.config(rule)) { sim in
            let answer = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(answer.status == 200)
            #expect(answer.json == nil)
            #expect(answer.text.hasPrefix(#"{"code":200"#))
            #expect(sim.tasks().count == 1)
        }
    }

    @Test func resetBeforeDropsTheConnectionAndCreatesNoTask() async throws {
        let rule = FaultRule(endpoint: "generate", match: FaultMatch(nth: 1), action: FaultAction(reset: "before"))
        try await withSimulator(Self.config(rule)) { sim in
            await #expect(throws: (any Error).self) {
                _ = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            }
            #expect(sim.tasks().isEmpty)
            #expect(sim.credits(apiKey: simKey) == 1000)
            _ = try await sim.submit()
        }
    }

    @Test func resetAfterCreatesAndChargesTheTaskButNeverAnswers() async throws {
        let rule = FaultRule(endpoint: "generate", match: FaultMatch(nth: 1), action: FaultAction(reset: "after"))
        try await withSimulator(Self.config(rule)) { sim in
            await #expect(throws: (any Error).self) {
                _ = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            }
            #expect(sim.tasks().count == 1)
            #expect(sim.credits(apiKey: simKey) == 994)
        }
    }

    @Test func hangHoldsTheAnswerPastTheClientTimeout() async throws {
        let rule = FaultRule(endpoint: "generate", match: FaultMatch(nth: 1), action: FaultAction(hangMs: 5000))
        try await withSimulator(Self.config(rule)) { sim in
            await #expect(throws: (any Error).self) {
                _ = try await http(.POST, sim.generateURL, body: Array(#"{"prompt":"p","size":"1:1"}"#.utf8), timeoutMs: 300)
            }
            // On a loaded machine the server may still be reading the request when the client gives up.
            try await sim.eventually { sim.tasks().count == 1 }
        }
    }

    @Test func stallSendsTheHeadAndHalfTheBodyThenTheRest() async throws {
        let rule = FaultRule(endpoint: "credit", match: FaultMatch(nth: 2), action: FaultAction(stallMs: 1500))
        try await withSimulator(Self.config(rule)) { sim in
            let url = sim.baseURL + "/api/v1/chat/credit"
            let plain = try await get(url)
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(simKey)")
            // The async API returns at the head: the whole body's length is announced, half is sent.
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.headers.first(name: "Content-Length") == "\(plain.bytes.count)")
            var chunks = response.body.makeAsyncIterator()
            let first = try await chunks.next().map { Array($0.readableBytesView) } ?? []
            #expect(!first.isEmpty && first.count <= plain.bytes.count / 2)
            var all = first
            while let more = try await chunks.next() { all += Array(more.readableBytesView) }
            #expect(all == plain.bytes)
        }
    }

    @Test func latencyStillAnswers() async throws {
        let rule = FaultRule(endpoint: "credit", action: FaultAction(latencyMs: 50))
        try await withSimulator(Self.config(rule)) { sim in
            let answer = try await get(sim.baseURL + "/api/v1/chat/credit")
            #expect(answer.json?["code"]?.intValue == 200)
        }
    }

    @Test func faultsApplyToUploadAndFileHostsToo() async throws {
        let config = testConfig {
            $0.faults = [
                FaultRule(endpoint: "upload-base64", action: FaultAction(httpStatus: 500)),
                FaultRule(endpoint: "file", action: FaultAction(reset: "before")),
            ]
        }
        try await withSimulator(config) { sim in
            let upload = try await post(sim.uploadBaseURL + "/api/file-base64-upload", #"{"base64Data":"aGk=","uploadPath":"x"}"#)
            #expect(upload.status == 500)
            await #expect(throws: (any Error).self) { _ = try await get(sim.fileBaseURL + "/s/none.png", key: nil) }
        }
    }
}

@Suite("admin API")
struct AdminTests {
    @Test func configCanBeMergedAtRuntimeIncludingFaults() async throws {
        try await withSimulator { sim in
            let merged = try await post(sim.baseURL + "/_sim/config",
                                        #"{"progressMode":"jump","faults":[{"endpoint":"credit","match":{"count":1},"action":{"bodyCode":500,"msg":"boom"}}]}"#, key: nil)
            #expect(merged.status == 200)
            #expect(sim.config.progressMode == .jump)
            #expect(sim.config.generationMs == 1000)
            let credit = try await get(sim.baseURL + "/api/v1/chat/credit")
            #expect(credit.text == #"{"code":500,"msg":"boom","data":null}"#)
            let bad = try await post(sim.baseURL + "/_sim/config", #"{"progresMode":"jump"}"#, key: nil)
            #expect(bad.status == 400)
            let read = try await get(sim.baseURL + "/_sim/config", key: nil)
            #expect(read.json?["progressMode"]?.stringValue == "jump")
        }
    }

    @Test func clockTasksStatsCallbacksInfoAndReset() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            _ = try await sim.recordInfo(taskId)
            let clock = try await post(sim.baseURL + "/_sim/clock", #"{"advanceMs":5000}"#, key: nil)
            #expect(clock.json?["offsetMs"]?.intValue == 5000)
            let frozen = try await post(sim.baseURL + "/_sim/clock", #"{"freeze":true}"#, key: nil)
            #expect(frozen.json?["frozen"] == .bool(true))
            #expect(sim.nowMs == sim.nowMs)
            let tasks = try await get(sim.baseURL + "/_sim/tasks", key: nil)
            let first = tasks.json?["tasks"]?.arrayValue?.first
            #expect(first?["taskId"]?.stringValue == taskId)
            #expect(first?["status"]?.stringValue == "SUCCESS")
            #expect(first?["hits"]?["record-info"]?.intValue == 1)
            let stats = try await get(sim.baseURL + "/_sim/stats", key: nil)
            #expect(stats.json?["generateAccepted"]?.intValue == 1)
            #expect(stats.json?["requests"]?["generate"]?.intValue == 1)
            let info = try await get(sim.baseURL + "/_sim/info", key: nil)
            #expect(info.json == .object([("baseUrl", .string(sim.baseURL)), ("uploadBaseUrl", .string(sim.uploadBaseURL)),
                                          ("fileBaseUrl", .string(sim.fileBaseURL))]))
            #expect(try await get(sim.baseURL + "/_sim/callbacks", key: nil).json?["callbacks"] == .array([]))
            #expect(try await post(sim.baseURL + "/_sim/reset", "", key: nil).status == 200)
            #expect(sim.tasks().isEmpty)
            #expect(sim.credits(apiKey: simKey) == 1000)
            #expect(try await post(sim.baseURL + "/_sim/clock", #"{"advanceMs":-1}"#, key: nil).status == 400)
        }
    }

    @Test func configFileDecodingAcceptsPartialJSONAndRefusesTypos() {
        let ok = SimulatorConfig.decode(json: Array(#"{"generation":{"kind":"lognormal","medianMs":18000,"p95Ms":40000,"seed":3},"apiKeys":{"a":5}}"#.utf8))
        #expect((try? ok.get())?.apiKeys == ["a": 5])
        #expect((try? ok.get())?.recordInfoPerTaskPerSecond == 3)
        if case .success = SimulatorConfig.decode(json: Array(#"{"generationMS":5}"#.utf8)) { Issue.record("typo accepted") }
        if case .success = SimulatorConfig.decode(json: Array(#"{"port":"x"}"#.utf8)) { Issue.record("wrong type accepted") }
        if case .success = SimulatorConfig.decode(json: Array("nope".utf8)) { Issue.record("garbage accepted") }
    }
}

@Suite("pure pieces")
struct PureTests {
    @Test func slidingWindowDropsNotQueues() {
        var w = GenerateWindow()
        let allowed = (0..<25).map { w.allow(nowMs: 1000 + Int64($0), limit: 20, windowMs: 10_000) }
        #expect(allowed.filter { $0 }.count == 20)
        let afterWindow = w.allow(nowMs: 11_001, limit: 20, windowMs: 10_000)
        #expect(afterWindow)
    }

    @Test func jsonParserNeverTrapsOnGarbage() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<2000 {
            let n = Int(rng.next() % 40)
            let alphabet = Array(#"{}[]",:0123456789-+.eEtruefalsn\" abc"#.utf8) + [0, 0xFF, 0xC3]
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            _ = SimJSONParser.parse(bytes)
        }
        let deep = Array(String(repeating: "[", count: 100_000).utf8)
        if case .success = SimJSONParser.parse(deep) { Issue.record("deep nesting accepted") }
        #expect((try? SimJSONParser.parse(#"{"a":"\u00e9\ud83d\ude00","b":[1,-2.5e3,true,null]}"#).get())?["a"]?.stringValue == "é😀")
    }

    @Test func timeFormats() {
        #expect(TimeFormat.iso8601(ms: 1_776_323_952_862) == "2026-04-16T07:19:12.862Z")
        #expect(TimeFormat.dateTime(ms: 1_705_314_600_000) == "2024-01-15 10:30:00")
        #expect(TimeFormat.parseAmzDate(TimeFormat.amzDate(ms: 1_776_323_952_000)) == 1_776_323_952_000)
    }

    @Test func promptDirectives() {
        let d = TaskPlanner.directives(in: "x [sim:generate_failed=451] [sim:ms=250]")
        #expect(d.outcome == "generate_failed" && d.code == 451 && d.ms == 250)
        #expect(TaskPlanner.directives(in: "plain").outcome == nil)
    }

    @Test func lognormalDurationsAreDeterministic() {
        var c = SimulatorConfig()
        c.generation = GenerationDistribution(kind: "lognormal", medianMs: 18000, p95Ms: 40000, seed: 1)
        var a = SplitMix64(seed: 1)
        var b = SplitMix64(seed: 1)
        let xs = (0..<200).map { _ in TaskPlanner.durationMs(config: c, rng: &a) }
        #expect(xs == (0..<200).map { _ in TaskPlanner.durationMs(config: c, rng: &b) })
        let sorted = xs.sorted()
        #expect(sorted[100] > 12000 && sorted[100] < 26000)
    }
}
