import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

/// Callbacks with a shared ledger (docs/webhooks.md, "Several processes"): a callback delivered
/// to another process ends a wait through the account's rows with one confirming read in all,
/// and a callback naming a row left `unknown` (`kie_lid`) settles it. Each client is its own
/// owner, as a process is; the callbacks are the simulator's own.
@Suite(.serialized) struct LedgerCallbackTests {
    static let key = "whk-ledger"

    func withLedgerSim(faults: [FaultRule] = [], _ body: (SimHarness) async throws -> Void) async throws {
        let url = try LedgerFixture.make(.sqlite).url
        try await withSim(configure: {
            $0.webhookKey = Self.key
            $0.callbackRetries = 0
            $0.faults = faults
        }, client: {
            $0.callbacks = true
            $0.webhookKey = Self.key
            $0.ledger = url
        }, body)
    }

    func request(_ h: SimHarness, _ prompt: String) throws -> ValidatedRequest {
        try RequestValidator.validate(json: #"{"prompt":"\#(prompt)","size":"1:1","callBackUrl":"\#(h.sim.baseURL)/_callback_sink?mine=1"}"#)
    }

    func callback(_ h: SimHarness, _ taskId: String) async throws -> (headers: [String: String], body: [UInt8], url: String) {
        for _ in 0..<500 {
            if let c = h.sim.callbacks().first(where: { $0.taskId == taskId && $0.forged == nil && $0.signature != nil }) {
                return (["X-Webhook-Timestamp": c.timestamp ?? "", "x-webhook-signature": c.signature ?? ""], Array(c.body.utf8), c.url)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw KieError(.timeout, "the simulator sent no callback for \(taskId)")
    }

    func reads(_ h: SimHarness) -> Int { (h.sim.requestCounts()["record-info"] ?? 0) + (h.sim.requestCounts()["jobs-recordInfo"] ?? 0) }

    @Test func aCallbackDeliveredToAnotherProcessEndsTheWaitThroughTheLedger() async throws {
        try await withLedgerSim { h in
            let submitted = try await h.client.generate(request(h, "called back elsewhere"))
            let waiter = h.client
            let waiting = Task { try await waiter.wait(submitted.taskId, options: h.waitOptions) }
            let cb = try await callback(h, submitted.taskId)
            #expect(cb.url.contains("mine=1&kie_lid=\(submitted.journalId ?? "?")"))
            let receiver = try KieClient(config: h.client.config)
            let delivery = try await receiver.deliver(headers: cb.headers, body: cb.body)
            let again = try await receiver.deliver(headers: cb.headers, body: cb.body)
            await receiver.shutdown()
            let task = try await waiting.value
            #expect(delivery.recorded && !again.recorded)
            #expect(task.isSuccess && task.resultUrls == delivery.task.resultUrls)
            #expect(reads(h) == 1)   // the receiver's confirming read; the waiter read the ledger
            #expect(try await h.client.workItems().map(\.state) == [.succeeded])
        }
    }

    @Test func aCallbackSettlesARowWhoseGenerateAnswerWasLost() async throws {
        try await withLedgerSim(faults: [FaultRule(endpoint: "generate", action: FaultAction(reset: "after"))]) { h in
            _ = await expectError(.unknownOutcome) { _ = try await h.client.generate(request(h, "answer lost")) }
            let lost = try #require(try await h.client.workItems().first)
            #expect(lost.state == .unknown && lost.taskId == nil)
            // The simulator created the task anyway; its callback names the row.
            var cb: (headers: [String: String], body: [UInt8], url: String)?
            for _ in 0..<500 where cb == nil {
                if let c = h.sim.callbacks().first(where: { $0.forged == nil && $0.signature != nil }) {
                    cb = (["X-Webhook-Timestamp": c.timestamp ?? "", "x-webhook-signature": c.signature ?? ""], Array(c.body.utf8), c.url)
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let found = try #require(cb)
            #expect(CallbackLink.rowId(in: found.url) == lost.id)
            let receiver = try KieClient(config: h.client.config)
            let delivery = try await receiver.deliver(headers: found.headers.merging([":path": "/_callback_sink"]) { a, _ in a }, body: found.body)
            await receiver.shutdown()
            let settled = try #require(try await h.client.workItems().first)
            #expect(settled.id == lost.id && settled.taskId == delivery.task.taskId && settled.state == .succeeded)
            #expect(h.generateCount() == 1)
        }
    }

    @Test func callbackLinksKeepTheUsersQueryAndReadBack() {
        #expect(CallbackLink.adding("ab12", to: "https://x.example/cb") == "https://x.example/cb?kie_lid=ab12")
        #expect(CallbackLink.adding("ab12", to: "https://x.example/cb?a=1#frag") == "https://x.example/cb?a=1&kie_lid=ab12#frag")
        #expect(CallbackLink.rowId(in: "/kie?a=1&kie_lid=ab12") == "ab12")
        #expect(CallbackLink.rowId(in: "/kie?kie_lid=../../etc") == nil)
        #expect(CallbackLink.rowId(in: "/kie") == nil)
        #expect(CallbackLink.keyedRowId(account: "a", key: "k") == CallbackLink.keyedRowId(account: "a", key: "k"))
        #expect(CallbackLink.keyedRowId(account: "a", key: "k") != CallbackLink.keyedRowId(account: "b", key: "k"))
    }
}
