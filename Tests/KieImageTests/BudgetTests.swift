import KieSimulator
import Testing
@testable import KieImage

/// Config `maxCredits` (docs/inputs-proxies-budget.md, "Budget"): a generate whose price would take the spend
/// above it fails BUDGET before anything is sent; spend survives restarts through the journal.
@Suite(.serialized) struct BudgetTests {
    static func journal(_ name: String) -> String {
        "/tmp/kieimage-budget-\(name)-\(UInt32.random(in: 0...UInt32.max)).jsonl"
    }

    /// Runs `count` generate-and-waits at once; returns the successes and the statuses of the failures.
    static func runAll(_ h: SimHarness, _ requests: [ValidatedRequest]) async -> (ok: Int, failed: [KieStatus]) {
        await withTaskGroup(of: KieStatus.self) { group in
            for r in requests {
                group.addTask {
                    do {
                        _ = try await h.client.run(r, options: h.waitOptions, onEvent: { _ in })
                        return .ok
                    } catch { return KieError.wrap(error).status }
                }
            }
            var ok = 0, failed: [KieStatus] = []
            for await s in group { if s == .ok { ok += 1 } else { failed.append(s) } }
            return (ok, failed)
        }
    }

    @Test func budgetReachedMidBatchStopsNewGeneratesAndLetsSubmittedOnesFinish() async throws {
        try await withSim(client: { $0.maxCredits = 30 }) { h in
            let requests = try (0..<8).map { try h.request("picture \($0)") }
            let result = await Self.runAll(h, requests)
            // 4o costs 6 per image (docs/kie-market-api.md §6): five fit in 30, three are refused.
            #expect(result.ok == 5)
            #expect(result.failed == [.budget, .budget, .budget])
            #expect(h.generateCount() == 5)
            let status = h.client.budgetStatus()
            #expect(status.spent == 30 && status.reserved == 0 && status.maxCredits == 30)
        }
    }

    @Test func marketSpendIsWhatKieChargedAndTheRefusalSaysWhy() async throws {
        try await withSim(configure: { $0.marketWaitingMs = 0; $0.marketGenerationMs = 100 }, client: { $0.maxCredits = 26 }) { h in
            let r = try h.marketRequest(aspect: "16:9", resolution: "2K")
            #expect(h.client.price(of: r) == 10)
            _ = try await h.client.run(r, options: h.waitOptions, onEvent: { _ in })
            _ = try await h.client.run(r, options: h.waitOptions, onEvent: { _ in })
            let e = await expectError(.budget) { _ = try await h.client.generate(r) }
            #expect(e?.message.contains("costs 10 credits and the spend is 20 of maxCredits 26") == true)
            #expect(h.sim.requestCounts()["jobs-createTask"] == 2)
            #expect(h.client.budgetStatus().spent == 20)
            // A 4o image (6) still fits: 26 reaches the limit, and only passing it is refused.
            _ = try await h.client.generate(h.request())
            #expect(h.client.budgetStatus().spent == 26 && h.client.budgetStatus().reserved == 0)
        }
    }

    @Test func aRefusedGenerateIsNotCountedAndARefusedBudgetWritesNoIntent() async throws {
        let path = Self.journal("refused")
        try await withSim(configure: {
            $0.faults = [FaultRule(endpoint: "generate", match: FaultMatch(count: 1), action: FaultAction(bodyCode: 402, msg: "Credits insufficient"))]
        }, client: { $0.maxCredits = 6; $0.journalPath = path }) { h in
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(h.request()) }
            #expect(h.client.budgetStatus().spent == 0)
            _ = try await h.client.generate(h.request())
            let entries = try h.client.journalEntries().count
            _ = await expectError(.budget) { _ = try await h.client.generate(h.request()) }
            #expect(try h.client.journalEntries().count == entries)
            #expect(h.generateCount() == 2)
        }
    }

    @Test func spendSurvivesARestartThroughTheJournalAndBudgetSinceCountsFromItsDate() async throws {
        let path = Self.journal("restart")
        try await withSim(client: { $0.journalPath = path }) { h in
            _ = try await h.client.run(h.request(), options: h.waitOptions, onEvent: { _ in })
            _ = try await h.client.generate(h.request())
            var config = h.client.config
            config.maxCredits = 17
            let second = try KieClient(config: config)
            #expect(second.budgetStatus().spent == 12)
            _ = await expectError(.budget) { _ = try await second.generate(h.request()) }
            #expect(h.generateCount() == 2)
            config.budgetSince = "2999-01-01"
            config.budgetSinceMs = ISODate.parseMs("2999-01-01")
            let third = try KieClient(config: config)
            #expect(third.budgetStatus().spent == 0)
            _ = try await third.generate(h.request())
            #expect(h.generateCount() == 3)
            await second.shutdown()
            await third.shutdown()
        }
    }

    @Test func aModelWithoutAPriceIsRefusedUntilTheJournalHasSeenItsCharge() async throws {
        let path = Self.journal("unknown-model")
        let json = #"{"model":"acme/painter-v1","input":{"prompt":"a fox"}}"#
        try await withSim(configure: { $0.marketWaitingMs = 0; $0.marketGenerationMs = 100; $0.marketDefaultCredits = 7 },
                          client: { $0.journalPath = path }) { h in
            var config = h.client.config
            config.maxCredits = 100
            let budgeted = try KieClient(config: config)
            let e = await expectError(.budget) { _ = try await budgeted.generate(json: json) }
            #expect(e?.field == "model")
            #expect(h.sim.requestCounts()["jobs-createTask"] == nil)
            await budgeted.shutdown()
            // Without a budget it runs, and the journal keeps what kie charged.
            _ = try await h.client.run(RequestValidator.validate(json: json), options: h.waitOptions, onEvent: { _ in })
            config.maxCredits = 7
            let learned = try KieClient(config: config)
            #expect(try learned.price(of: RequestValidator.validate(json: json)) == 7)
            #expect(learned.budgetStatus().spent == 7)
            _ = await expectError(.budget) { _ = try await learned.generate(json: json) }
            await learned.shutdown()
        }
    }

    @Test(arguments: [
        (#"{"maxCredits": -1}"#, "maxCredits"), (#"{"maxCredits": "10"}"#, "maxCredits"),
        (#"{"budgetSince": "yesterday"}"#, "budgetSince"), (#"{"budgetSince": "2026-13-01"}"#, "budgetSince"),
    ])
    func badBudgetKeysAreRefusedByName(json: String, field: String) {
        let text = json.replacing("{", with: #"{"apiKey":"k-123456","#, maxReplacements: 1)
        let parsed = Result { () throws(KieError) in try ClientConfig.parse(json: text, env: [:]) }
        guard case .failure(let error) = parsed else { Issue.record("accepted \(json)"); return }
        #expect(error.field == field && error.status == .invalidArgument)
    }

    @Test func budgetKeysParse() throws {
        let c = try ClientConfig.parse(json: #"{"apiKey":"k-123456","maxCredits":12.5,"budgetSince":"2026-12-01T10:00:00+01:00"}"#, env: [:])
        #expect(c.maxCredits == 12.5)
        #expect(c.budgetSinceMs == ISODate.parseMs("2026-12-01T09:00:00Z"))
        #expect(ISODate.parseMs("1970-01-02") == 86_400_000)
        #expect(ISODate.parseMs("2026-12-01T09:00:00.250Z") == ISODate.parseMs("2026-12-01T09:00:00Z").map { $0 + 250 })
    }
}
