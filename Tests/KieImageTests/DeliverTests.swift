import FoundationEssentials
import Glibc
import KieSimulator
import Testing
@testable import KieImage

/// `deliver` (kie_webhook_deliver, docs/webhooks.md): each callback case gives its documented
/// outcome and records the end once. Callbacks are the simulator's real ones (it POSTs them to a
/// sink on its own host and keeps each body with its headers), or forged from them.
@Suite(.serialized) struct DeliverTests {
    static let key = "whk-deliver"

    static func journalPath(_ name: String) -> String {
        let path = "/tmp/kieimage-deliver-\(name)-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        _ = unlink(path)
        return path
    }

    func withCallbackSim(callbacks: Bool = true, journal: String? = nil, key: String? = DeliverTests.key, deadlineMs: Int64? = nil,
                         faults: [CallbackFaultRule] = [], _ body: (SimHarness) async throws -> Void) async throws {
        try await withSim(configure: {
            $0.webhookKey = DeliverTests.key
            $0.callbackRetries = 0
            $0.callbackFaults = faults
        }, client: {
            $0.callbacks = callbacks
            $0.journalPath = journal
            $0.webhookKey = key
            if let deadlineMs { $0.poll.deadlineMs = deadlineMs }
        }, body)
    }

    func submit(_ h: SimHarness) async throws -> String {
        let body = #"{"prompt":"called back","size":"1:1","callBackUrl":"\#(h.sim.baseURL)/_callback_sink"}"#
        return try await h.client.generate(RequestValidator.validate(json: body)).taskId
    }

    /// The simulator's genuine callback for the task, once it has sent it.
    func callback(_ h: SimHarness, _ taskId: String) async throws -> (headers: [String: String], body: [UInt8]) {
        for _ in 0..<500 {
            if let c = h.sim.callbacks().first(where: { $0.taskId == taskId && $0.forged == nil && $0.signature != nil }) {
                return (["X-Webhook-Timestamp": c.timestamp ?? "", "x-webhook-signature": c.signature ?? ""], Array(c.body.utf8))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw KieError(.timeout, "the simulator sent no callback for \(taskId)")
    }

    func reads(_ h: SimHarness) -> Int { (h.sim.requestCounts()["record-info"] ?? 0) + (h.sim.requestCounts()["jobs-recordInfo"] ?? 0) }

    /// Lines of the journal file recording the task's end.
    func endLines(_ path: String, _ taskId: String) throws -> Int {
        let text = String(decoding: try LocalFile.read(path, limit: 1 << 24), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.contains(taskId) && ($0.contains(#""succeeded""#) || $0.contains(#""failed""#)) }.count
    }

    /// Submits a task, starts a wait on it in `h.client`, and delivers its callback to
    /// `receiver` (default: the same client); returns what the wait and the delivery gave.
    func waitThenDeliver(_ h: SimHarness, to receiver: KieClient? = nil) async throws -> (String, KieTask, WebhookDelivery) {
        let taskId = try await submit(h)
        let waiter = h.client
        let waiting = Task { try await waiter.wait(taskId, options: h.waitOptions) }
        let cb = try await callback(h, taskId)
        let delivery = try await (receiver ?? h.client).deliver(headers: cb.headers, body: cb.body)
        return (taskId, try await waiting.value, delivery)
    }

    @Test func aDeliveredCallbackEndsTheWaitWithItsOneConfirmingRead() async throws {
        let path = Self.journalPath("ends")
        try await withCallbackSim(journal: path) { h in
            let (taskId, task, delivery) = try await waitThenDeliver(h)
            #expect(delivery.recorded && delivery.task.isSuccess && delivery.task.taskId == taskId)
            #expect(task.isSuccess && task.resultUrls == delivery.task.resultUrls)
            #expect(reads(h) == 1)  // the confirming read; the wait made none
            #expect(try endLines(path, taskId) == 1)
            // A second wait on the task ends at once, without a read.
            _ = try await h.client.wait(taskId, options: h.waitOptions)
            #expect(reads(h) == 1)
        }
    }

    @Test func aDuplicateIsOkWithTheSameEventAndRecordsNothingMore() async throws {
        let path = Self.journalPath("dup")
        try await withCallbackSim(journal: path) { h in
            let taskId = try await submit(h)
            let cb = try await callback(h, taskId)
            let first = try await h.client.deliver(headers: cb.headers, body: cb.body)
            let again = try await h.client.deliver(headers: cb.headers, body: cb.body)
            #expect(first.recorded && !again.recorded)
            #expect(again.json["duplicate"] == true && first.json["duplicate"] == false)
            for said in [first.json, again.json] {
                #expect(said["receiverAnswer"] == 200 && said["receiverBody"] == #"{"code":200,"msg":"success"}"#)
            }
            #expect(again.event.taskId == first.event.taskId && again.task == first.task)
            #expect(reads(h) == 1)
            #expect(try endLines(path, taskId) == 1)
        }
    }

    @Test func aLateCallbackAfterThePollEndedTheTaskIsADuplicate() async throws {
        let path = Self.journalPath("late")
        try await withCallbackSim(callbacks: false, journal: path) { h in
            let taskId = try await submit(h)
            _ = try await h.client.wait(taskId, options: h.waitOptions)
            #expect(try endLines(path, taskId) == 1)
            let cb = try await callback(h, taskId)
            let late = try await h.client.deliver(headers: cb.headers, body: cb.body)
            #expect(!late.recorded && late.task.isSuccess)
            #expect(try endLines(path, taskId) == 1)
        }
    }

    @Test func anUnknownIdIsNotFoundAndAFloodOfItCostsOneRead() async throws {
        try await withCallbackSim(key: nil) { h in
            let body = Array(#"{"code":200,"msg":"success","data":{"taskId":"0123456789abcdef0123456789abcdef","info":null}}"#.utf8)
            for _ in 0..<5 {
                _ = await expectError(.notFound) { _ = try await h.client.deliver(headers: [:], body: body) }
            }
            // One read per family asked (4o, then Market), not one per callback.
            #expect(h.sim.requestCounts()["record-info"] == 1 && h.sim.requestCounts()["jobs-recordInfo"] == 1)
        }
    }

    @Test(arguments: ["wrong signature", "too old", "unsigned"])
    func aRefusedSignatureCostsNoReadAndRecordsNothing(case name: String) async throws {
        let path = Self.journalPath("forged")
        try await withCallbackSim(journal: path) { h in
            let taskId = try await submit(h)
            var cb = try await callback(h, taskId)
            let now = WallClock.nowSeconds()
            switch name {
            case "wrong signature":
                cb.headers["x-webhook-signature"] = WebhookVerifier.sign(key: "not-the-key", taskId: taskId, timestamp: now)
                cb.headers["X-Webhook-Timestamp"] = String(now)
            case "too old":
                cb.headers["x-webhook-signature"] = WebhookVerifier.sign(key: Self.key, taskId: taskId, timestamp: now - 3_600)
                cb.headers["X-Webhook-Timestamp"] = String(now - 3_600)
            default:
                cb.headers = [:]
            }
            let before = reads(h)
            let e = await expectError(.signature) { _ = try await h.client.deliver(headers: cb.headers, body: cb.body) }
            #expect(e?.taskId == taskId)
            #expect(e?.json["receiverAnswer"] == 401)
            #expect(e?.json["receiverBody"] == .string(JSON.serialize(["code": 401, "msg": .string(e?.message ?? "")])))
            #expect(reads(h) == before)
            #expect(try endLines(path, taskId) == 0)
        }
    }

    @Test func aCallbackForATaskStillRunningIsRefusedRetryablyAndRecordsNothing() async throws {
        let path = Self.journalPath("running")
        try await withCallbackSim(journal: path, key: nil) { h in
            let taskId = try await h.client.generate(h.request("slow [sim:ms=60000]")).taskId
            let body = Array(#"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","info":{"result_urls":["https://x/y.png"]}}}"#.utf8)
            let e = await expectError(.unavailable) { _ = try await h.client.deliver(headers: [:], body: body) }
            #expect(e?.retryable == true)
            #expect(try endLines(path, taskId) == 0)
        }
    }

    @Test func aLostCallbackStillEndsTheWaitByPollingBeforeTheDeadline() async throws {
        let path = Self.journalPath("lost")
        let lose = try JSONDecoder().decode(CallbackFaultRule.self, from: Data(#"{"action":{"lose":true}}"#.utf8))
        try await withCallbackSim(journal: path, deadlineMs: 3_000, faults: [lose]) { h in
            let taskId = try await submit(h)
            let task = try await h.client.wait(taskId, options: h.waitOptions)
            #expect(task.isSuccess)
            #expect(reads(h) == 1)  // one safety-net read, not a polling schedule
            #expect(try endLines(path, taskId) == 1)
            #expect(h.sim.callbacks().filter { $0.taskId == taskId }.map(\.state) == ["lost"])
        }
    }

    /// Two clients on one journal file stand for two processes: the receiver records the end
    /// with the task's record; the waiter re-reads the journal and ends without reading kie.
    @Test func aCallbackDeliveredToAnotherClientEndsTheWaitThroughTheJournal() async throws {
        let path = Self.journalPath("shared")
        try await withCallbackSim(journal: path) { h in
            let receiver = try KieClient(config: h.client.config)
            let (taskId, task, delivery) = try await waitThenDeliver(h, to: receiver)
            await receiver.shutdown()
            #expect(delivery.recorded && task.isSuccess && task.resultUrls == delivery.task.resultUrls)
            #expect(reads(h) == 1)
            #expect(try endLines(path, taskId) == 1)
        }
    }
}
