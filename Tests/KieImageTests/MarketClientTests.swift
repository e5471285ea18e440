import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

/// The Market family end to end against the simulator (docs/kie-market-api.md): createTask,
/// recordInfo, results, reads by family, the not-visible-yet grace, and both families on one client.
@Suite(.serialized) struct MarketClientTests {
    @Test func gptImage2GenerateWaitDownload() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.marketRequest(resolution: "1K"))
            #expect(submitted.family == "market" && submitted.taskId.count == 32)
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            #expect(task.isSuccess && task.family == .market && task.model == "gpt-image-2-text-to-image")
            #expect(task.state == "success" && task.creditsConsumed == 6 && task.resultUrls.count == 1)
            #expect(task.request["input"]?["aspect_ratio"]?.stringValue == "16:9")
            let files = try await h.client.download(task, to: "/tmp/kieimage-market-\(task.taskId)")
            #expect(files.count == 1 && files[0].path.hasSuffix(".png"))
            #expect(h.sim.requestCounts()["jobs-createTask"] == 1 && (h.sim.requestCounts()["generate"] ?? 0) == 0)
            #expect((h.sim.requestCounts()["record-info"] ?? 0) == 0)
        }
    }

    @Test func marketAndFourOWaitsRunSideBySideOnOneClient() async throws {
        try await withSim { h in
            let market = try await h.client.generate(h.marketRequest())
            let fourO = try await h.client.generate(h.request())
            async let a = h.client.wait(market.taskId, options: h.waitOptions)
            async let b = h.client.wait(fourO.taskId, options: h.waitOptions)
            let (m, f) = try await (a, b)
            #expect(m.isSuccess && m.family == .market && f.isSuccess && f.family == .fourO)
            #expect((h.sim.requestCounts()["jobs-recordInfo"] ?? 0) >= 1 && (h.sim.requestCounts()["record-info"] ?? 0) >= 1)
        }
    }

    @Test func anUnknownIdIsAskedOf4oThenMarket() async throws {
        try await withSim { h in
            // A task this client did not create (another process made it).
            let other = try KieClient(config: h.client.config)
            let id = try await other.generate(h.marketRequest()).taskId
            await other.shutdown()
            let task = try await h.client.task(id)
            #expect(task.family == .market)
            // The record's text stands for `raw` in the task JSON, as kie.ai spelled it (the
            // simulator writes compact JSON and creditsConsumed 6.0, as recorded traffic does).
            #expect(task.rawText.bytes != nil)
            #expect(JSON.serialize(try JSON.parse(task.jsonText)) == JSON.serialize(task.json))
            #expect(task.jsonText.contains(#""creditsConsumed":6,"#) && task.jsonText.contains(#""creditsConsumed":6.0,"#))
            // Extended (kie-image wait --json adds downloads): the same text, the keys after raw;
            // a key the task JSON has already is not written twice.
            let files: KieImage.JSONValue = .array([["path": "/tmp/a.png"]])
            let extended = task.jsonText(adding: [("downloads", files), ("taskId", "other"), ("raw", .null)])
            #expect(extended == String(task.jsonText.dropLast()) + #","downloads":[{"path":"/tmp/a.png"}]}"#)
            var rebuilt = task
            rebuilt.raw = task.raw  // drops the answer's text: written from the values
            #expect(rebuilt.rawText.bytes == nil)
            let fromValues = try JSON.parse(rebuilt.jsonText(adding: [("downloads", files), ("taskId", "other")]))
            #expect(fromValues["downloads"] == files && fromValues["taskId"]?.stringValue == id)
            #expect(fromValues.objectValue?.pairs.map(\.0).last == "downloads")
            #expect(h.sim.requestCounts()["record-info"] == 1 && h.sim.requestCounts()["jobs-recordInfo"] == 1)
            // The family is remembered: the next read goes straight to Market.
            _ = try await h.client.task(id)
            #expect(h.sim.requestCounts()["record-info"] == 1 && h.sim.requestCounts()["jobs-recordInfo"] == 2)
            _ = await expectError(.notFound) { _ = try await h.client.task("0123456789abcdef0123456789abcdef") }
        }
    }

    @Test func transientNotFoundRightAfterCreateTaskIsWaitedOut() async throws {
        try await withSim(configure: { $0.marketTransientNotFound = 2 }) { h in
            let s = try await h.client.generate(h.marketRequest())
            let task = try await h.client.wait(s.taskId, options: h.waitOptions)
            #expect(task.isSuccess)
            #expect((h.sim.requestCounts()["jobs-recordInfo"] ?? 0) >= 3)
        }
    }

    @Test func failedMarketTaskCarriesFailCodeAndMessage() async throws {
        try await withSim { h in
            let s = try await h.client.generate(h.marketRequest("[sim:generate_failed=500] a broken one"))
            let e = await expectError(.taskFailed) { _ = try await h.client.wait(s.taskId, options: h.waitOptions) }
            #expect(e?.taskId == s.taskId && e?.message.contains("failCode") == true)
        }
    }

    @Test func journaledMarketWorkResumesAsMarket() async throws {
        let path = "/tmp/kieimage-market-journal-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        try await withSim(client: { $0.journalPath = path }) { h in
            let s = try await h.client.generate(h.marketRequest(), tag: "poster-1")
            var config = h.client.config
            config.journalPath = path
            let restarted = try KieClient(config: config)
            let plan = try restarted.resumePlan(download: false)
            #expect(plan.resume.map(\.family) == ["market"] && plan.resume.map(\.tag) == ["poster-1"])
            let task = try await restarted.wait(s.taskId, options: h.waitOptions)
            await restarted.shutdown()
            #expect(task.family == .market && task.tag == "poster-1")
            #expect((h.sim.requestCounts()["record-info"] ?? 0) == 0)
        }
    }
}
