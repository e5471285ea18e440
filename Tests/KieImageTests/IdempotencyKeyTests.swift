import FoundationEssentials
import Glibc
import KieSimulator
import Testing
@testable import KieImage

/// Idempotency keys without a ledger (docs/ledger.md, "Idempotency keys"): within one journal
/// (across restarts of its process) or one client, a second generate with a key sends nothing
/// and answers as the first did.
@Suite(.serialized) struct IdempotencyKeyTests {
    func keyed(_ h: SimHarness, _ prompt: String, key: String) throws -> ValidatedRequest {
        var r = try h.request(prompt)
        r.idempotencyKey = key
        return r
    }

    @Test func aJournalAnswersAKeyOnceAcrossARestart() async throws {
        let path = "/tmp/kieimage-idem-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        defer { _ = unlink(path) }
        try await withSim(client: { $0.journalPath = path }) { h in
            async let a = h.client.generate(keyed(h, "once", key: "k-1"))
            async let b = h.client.generate(keyed(h, "once", key: "k-1"))
            let (first, second) = try await (a, b)
            #expect(first.taskId == second.taskId && first.existing != second.existing)
            let restarted = try KieClient(config: h.client.config)
            let third = try await restarted.generate(keyed(h, "once", key: "k-1"))
            #expect(third.taskId == first.taskId && third.existing)
            #expect(h.generateCount() == 1)
            #expect(try restarted.journalEntries().map(\.state) == [.submitted])
            _ = try await restarted.generate(keyed(h, "other", key: "k-2"))
            #expect(h.generateCount() == 2)
            await restarted.shutdown()
        }
    }

    @Test func aClientWithoutAStoreRemembersItsKeysAndTheirRefusals() async throws {
        try await withSim(configure: { $0.apiKeys = [SimHarness.key: 1] }) { h in
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(keyed(h, "poor", key: "k-3")) }
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(keyed(h, "poor", key: "k-3")) }
            #expect(h.generateCount() == 1)
        }
    }

    @Test func aKeyWhoseAnswerWasLostIsUnknownUntilResolved() async throws {
        let path = "/tmp/kieimage-idem-lost-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        defer { _ = unlink(path) }
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", match: FaultMatch(count: 1), action: FaultAction(reset: "after"))] },
                          client: { $0.journalPath = path }) { h in
            _ = await expectError(.unknownOutcome) { _ = try await h.client.generate(keyed(h, "lost", key: "k-4")) }
            let e = await expectError(.unknownOutcome) { _ = try await h.client.generate(keyed(h, "lost", key: "k-4")) }
            #expect(e?.message.contains("k-4") == true)
            #expect(h.generateCount() == 1)
            let lost = try #require(try h.client.journalEntries().first)
            try h.client.resolve(lost.id, taskId: nil)   // abandoned: the key may be sent again
            _ = try await h.client.generate(keyed(h, "lost", key: "k-4"))
            #expect(h.generateCount() == 2)
        }
    }
}
