import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

/// The client on a shared ledger (docs/ledger.md): generates admitted and recorded, idempotency
/// keys across clients (each its own owner, as two processes are), fail closed, resume and
/// resolve on the account's rows. Real SQLite files; PostgreSQL where the engine matters.
@Suite(.serialized) struct LedgerClientTests {
    /// A second client on the same simulator and ledger: another owner, as another process is.
    static func peer(of h: SimHarness, leaseMs: Int64 = 30_000) throws -> KieClient {
        var c = h.client.config
        c.ledgerLeaseMs = leaseMs
        return try KieClient(config: c)
    }

    static func sqlite() throws -> LedgerURL { try LedgerFixture.make(.sqlite).url }

    @Test func generateRunAndDownloadAreRecordedInTheLedger() async throws {
        let url = try Self.sqlite()
        try await withSim(client: { $0.ledger = url }) { h in
            let submitted = try await h.client.generate(h.request("ledgered"), tag: "item-1")
            let ledger = try #require(h.client.ledger)
            let rowId = try #require(submitted.journalId)
            let found = try await ledger.row(id: rowId)
            let row = try #require(found)
            #expect(row.state == .submitted && row.taskId == submitted.taskId && row.tag == "item-1" && row.family == "4o")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kie-ledger-dl-\(UUID().uuidString)").path
            var options = h.waitOptions
            options.downloadDir = dir
            let final = try await h.client.run(h.request("ledgered and saved"), options: options, onEvent: { _ in })
            guard case .completed(let task, let downloads) = final else { Issue.record("no completion"); return }
            #expect(downloads != nil)
            let items = try await h.client.workItems()
            #expect(items.map(\.state) == [.submitted, .downloaded])
            #expect(items.last?.taskId == task.taskId)
            #expect(h.generateCount() == 2)
        }
    }

    @Test func oneIdempotencyKeyFromTwoOwnersSendsOneGenerate() async throws {
        let url = try Self.sqlite()
        try await withSim(client: { $0.ledger = url }) { h in
            let other = try Self.peer(of: h)
            var request = try h.request("once only")
            request.idempotencyKey = "order-42"
            async let a = h.client.generate(request)
            async let b = other.generate(request)
            let (first, second) = try await (a, b)
            #expect(first.taskId == second.taskId)
            #expect(h.generateCount() == 1)
            // Later, again: the same answer, nothing sent.
            let third = try await other.generate(request)
            #expect(third.taskId == first.taskId && h.generateCount() == 1)
            await other.shutdown()
        }
    }

    @Test func aKeyWhoseFirstAnswerWasLostIsUnknownForEveryone() async throws {
        let url = try Self.sqlite()
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(reset: "after"))] },
                          client: { $0.ledger = url }) { h in
            var request = try h.request("lost answer")
            request.idempotencyKey = "lost-1"
            _ = await expectError(.unknownOutcome) { _ = try await h.client.generate(request) }
            let other = try Self.peer(of: h)
            let e = await expectError(.unknownOutcome) { _ = try await other.generate(request) }
            #expect(e?.message.contains("lost-1") == true)
            #expect(h.generateCount() == 1)
            // resolve: abandoned -> the key may be sent again (by any owner), once.
            let plan = try await other.resumeWork(download: false)
            let lost = try #require(plan.unknown.first)
            #expect(lost.request["prompt"]?.stringValue == "lost answer")
            try await other.resolveWork(lost.id, taskId: nil)
            await other.shutdown()
        }
    }

    @Test func aRefusedKeyAnswersWithTheFirstRefusal() async throws {
        let url = try Self.sqlite()
        try await withSim(configure: { $0.apiKeys = [SimHarness.key: 1] }, client: { $0.ledger = url }) { h in
            var request = try h.request()
            request.idempotencyKey = "poor-1"
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(request) }
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(request) }
            #expect(h.generateCount() == 1)
            #expect(try await h.client.workItems().map(\.state) == [.rejected])
        }
    }

    @Test func anUnreachableLedgerSendsNothing() async throws {
        let url = try LedgerURL("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
        try await withSim(client: { $0.ledger = url }) { h in
            let e = await expectError(.ledger) { _ = try await h.client.generate(h.request()) }
            #expect(e?.message.contains("postgresql") == true)
            #expect(h.generateCount() == 0)
            // Reads of kie keep working without the ledger.
            _ = try await h.client.credits()
        }
    }

    @Test func configTakesTheLedgerFromTheEnvironmentAndRefusesItWithAJournal() throws {
        let c = try ClientConfig.parse(json: #"{"apiKey":"k"}"#, env: ["KIE_LEDGER": "sqlite:/tmp/x.db"])
        #expect(c.ledger?.display == "sqlite:/tmp/x.db")
        #expect(throws: KieError.self) { try ClientConfig.parse(json: #"{"apiKey":"k","ledger":"sqlite:/tmp/x.db","journalPath":"/tmp/j"}"#, env: [:]) }
        #expect(throws: KieError.self) { try ClientConfig.parse(json: #"{"apiKey":"k","ledgerLeaseMs":10}"#, env: [:]) }
        #expect(throws: KieError.self) { try ClientConfig.parse(json: #"{"apiKey":"k","ledger":"mysql://x"}"#, env: [:]) }
        let v = try RequestValidator.validate(json: #"{"prompt":"p","size":"1:1","idempotencyKey":"k-1"}"#)
        #expect(v.idempotencyKey == "k-1" && v.body["idempotencyKey"] == nil)
        #expect(throws: KieError.self) { try RequestValidator.validate(json: #"{"prompt":"p","size":"1:1","idempotencyKey":7}"#) }
    }

    @Test func aDeadOwnersSubmittedTaskIsTakenOverByOneResume() async throws {
        let url = try Self.sqlite()
        try await withSim(generationMs: 300, client: { $0.ledger = url; $0.ledgerLeaseMs = 5_000 }) { h in
            let dead = try Self.peer(of: h, leaseMs: 5_000)
            let submitted = try await dead.generate(h.request("orphan"))
            await dead.shutdown()   // renews no more: its lease runs out
            let first = try Self.peer(of: h, leaseMs: 5_000)
            let second = try Self.peer(of: h, leaseMs: 5_000)
            var plans: [ResumePlan] = []
            for _ in 0..<80 {   // until the dead owner's lease ended on the database's clock
                plans = [try await first.resumeWork(download: false), try await second.resumeWork(download: false)]
                if plans.contains(where: { !$0.resume.isEmpty }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let taken = plans.flatMap(\.resume)
            #expect(taken.map(\.taskId) == [submitted.taskId])   // exactly one process took it
            let owner = plans[0].resume.isEmpty ? second : first
            _ = try await owner.wait(submitted.taskId, options: h.waitOptions)
            #expect(try await owner.workItems().first?.state == .succeeded)
            await first.shutdown()
            await second.shutdown()
        }
    }
}

/// Issue #27's shared parts (docs/inputs-proxies-budget.md): with a ledger, the processes of an
/// account share one budget and one map of uploaded local inputs.
@Suite(.serialized) struct LedgerSharedBudgetTests {
    @Test func twoOwnersShareOneBudget() async throws {
        let url = try LedgerFixture.make(.sqlite).url
        // GPT Image 1 costs 6 credits a variant: the budget holds two generates in all.
        try await withSim(client: { $0.ledger = url; $0.maxCredits = 12 }) { h in
            let other = try LedgerClientTests.peer(of: h)
            _ = try await h.client.generate(h.request("first"))
            _ = try await other.generate(h.request("second"))
            let e = await expectError(.budget) { _ = try await h.client.generate(h.request("third")) }
            #expect(e?.message.contains("budget") == true)
            _ = await expectError(.budget) { _ = try await other.generate(h.request("fourth")) }
            #expect(h.generateCount() == 2)
            #expect(try await other.workItems().map(\.state) == [.submitted, .submitted])
            await other.shutdown()
        }
    }

    @Test func twoOwnersShareTheUploadsOfLocalInputs() async throws {
        let url = try LedgerFixture.make(.sqlite).url
        try await withSim(client: { $0.ledger = url }) { h in
            let other = try LedgerClientTests.peer(of: h)
            let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + (0..<64).map { UInt8($0) }
            let first = try await h.client.uploadedURL(bytes: bytes, type: "png")
            let second = try await other.uploadedURL(bytes: bytes, type: "png")
            #expect(first == second)
            #expect(LocalInputTests.uploads(h) == 1)
            await other.shutdown()
        }
    }
}
