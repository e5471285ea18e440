import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

/// A wait on a PostgreSQL ledger ends when another process records the task's end (docs/ledger.md,
/// "Wake-ups"): the waiter here polls only every 30 s, so a wait that ends after one read of kie
/// in all (the receiver's confirming read) was ended by the notification; it still does after its
/// LISTEN backend was killed (the listener reconnects and re-reads the tasks being waited on).
@Suite(.serialized) struct PostgresWakeupTests {
    static let key = "whk-pg-wakeups"

    @Test(arguments: [false, true])
    func anEndRecordedElsewhereEndsASlowPollingWait(killListenerFirst: Bool) async throws {
        let f = try LedgerFixture.make(.postgresql)
        try await withSim(configure: {
            $0.webhookKey = Self.key
            $0.callbackRetries = 0
        }, client: {
            $0.webhookKey = Self.key
            $0.ledger = f.url
            $0.poll.initialMs = 30_000
            $0.poll.maxMs = 30_000
            $0.poll.deadlineMs = 60_000
        }) { h in
            let body = #"{"prompt":"woken","size":"1:1","callBackUrl":"\#(h.sim.baseURL)/_callback_sink"}"#
            let submitted = try await h.client.generate(RequestValidator.validate(json: body))
            let waiter = h.client
            let waiting = Task { try await waiter.wait(submitted.taskId, options: WaitOptions(poll: waiter.config.poll)) }
            let pg = try SharedPostgres.harness()
            #expect(await eventually { (try? pg.psql(Self.listeners, database: f.database ?? "postgres"))?.contains("1") == true })
            if killListenerFirst {
                _ = try pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kieimage-ledger-listen'")
            }
            var found: CallbackRecord?
            for _ in 0..<500 where found == nil {
                found = h.sim.callbacks().first { $0.taskId == submitted.taskId && $0.forged == nil && $0.signature != nil }
                if found == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let cb = try #require(found)
            let receiver = try KieClient(config: h.client.config)
            let headers = ["X-Webhook-Timestamp": cb.timestamp ?? "", "x-webhook-signature": cb.signature ?? ""]
            let delivery = try await receiver.deliver(headers: headers, body: Array(cb.body.utf8))
            await receiver.shutdown()
            let task = try await waiting.value
            #expect(delivery.recorded && task.isSuccess)
            let reads = (h.sim.requestCounts()["record-info"] ?? 0) + (h.sim.requestCounts()["jobs-recordInfo"] ?? 0)
            #expect(reads == 1)
        }
    }

    static let listeners = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kieimage-ledger-listen'"
}
