import FoundationEssentials
import Glibc
import KieSimulator
import Testing
@testable import KieImage

/// The core's task lifecycle (docs/journal.md): intent before send, settled states, unknown
/// outcomes never resent, resolve and resume, and the rate limit of a restarted process.
@Suite(.serialized) struct LifecycleTests {
    static func journalPath(_ name: String) -> String {
        let path = "/tmp/kieimage-lifecycle-\(name)-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        _ = unlink(path)
        return path
    }

    @Test func generateJournalsIntentThenSubmittedWithTagAndRequest() async throws {
        let path = Self.journalPath("submitted")
        try await withSim(client: { $0.journalPath = path }) { h in
            let submitted = try await h.client.generate(h.request("journaled"), tag: "item-7")
            let entries = try h.client.journalEntries()
            #expect(entries.count == 1)
            let e = try #require(entries.first)
            #expect(e.state == .submitted && e.taskId == submitted.taskId && e.tag == "item-7" && e.family == "4o")
            #expect(e.request["prompt"]?.stringValue == "journaled")
            #expect(submitted.journalId == e.id)
            // On disk: the intent line (request, tag) precedes the submitted line.
            let lines = try LocalFile.read(path, limit: 1 << 20).split(separator: UInt8(ascii: "\n")).map { try JSON.parse(Array($0)) }
            #expect(lines.map { $0["state"]?.stringValue } == ["intent", "submitted"])
            #expect(lines[0]["tag"]?.stringValue == "item-7" && lines[0]["request"]?["prompt"]?.stringValue == "journaled")
        }
    }

    @Test func unknownOutcomeIsJournaledUnknownAndNotResumed() async throws {
        let path = Self.journalPath("unknown")
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(reset: "after"))] },
                          client: { $0.journalPath = path }) { h in
            _ = await expectError(.unknownOutcome) { _ = try await h.client.generate(h.request("lost answer"), tag: "t1") }
            let plan = try h.client.resumePlan(download: false)
            #expect(plan.resume.isEmpty)
            #expect(plan.unknown.map(\.tag) == ["t1"])
            #expect(plan.unknown.first?.request["prompt"]?.stringValue == "lost answer")
            #expect(h.generateCount() == 1)
        }
    }

    @Test func refusedGenerateIsJournaledRejected() async throws {
        let path = Self.journalPath("rejected")
        try await withSim(configure: { $0.apiKeys = [SimHarness.key: 1] }, client: { $0.journalPath = path }) { h in
            _ = await expectError(.insufficientCredits) { _ = try await h.client.generate(h.request()) }
            let states = try h.client.journalEntries().map(\.state)
            #expect(states == [.rejected])
        }
    }

    @Test func intentLeftByADeadProcessReadsUnknownThenResolves() async throws {
        let path = Self.journalPath("reopen")
        // What a process killed with its generate in flight leaves: an intent and nothing after it.
        let dead = try TaskJournal(path: path)
        let id = try dead.begin(request: ["prompt": "in flight", "size": "1:1"], family: "4o", tag: "job-1")
        #expect(dead.entry(id: id)?.state == .intent)
        try await withSim(client: { $0.journalPath = path }) { h in
            let plan = try h.client.resumePlan(download: false)
            #expect(plan.unknown.map(\.id) == [id] && plan.unknown.first?.tag == "job-1")
            // Settling it: wrong states and ids are refused; a task id makes it resumable.
            _ = await expectError(.notFound) { try h.client.resolve("w-nope", taskId: nil) }
            // The task kie's logs show (made here by a client without a journal); a task id that
            // another entry holds is refused.
            var plain = h.client.config
            plain.journalPath = nil
            let other = try KieClient(config: plain)
            let real = try await other.generate(h.request("found in the logs"))
            await other.shutdown()
            let mine = try await h.client.generate(h.request("journaled here"))
            _ = await expectError(.invalidArgument) { try h.client.resolve(id, taskId: mine.taskId) }
            try h.client.resolve(id, taskId: real.taskId)
            try h.client.resolve(id, taskId: real.taskId)   // the same resolution twice is fine
            _ = await expectError(.invalidArgument) { try h.client.resolve(id, taskId: nil) }
            let resumable = try h.client.resumePlan(download: false).resume
            #expect(resumable.contains { $0.id == id && $0.taskId == real.taskId })
            let task = try await h.client.wait(real.taskId, options: h.waitOptions)
            #expect(task.isSuccess)
            let final = try h.client.journalEntries().first { $0.id == id }
            #expect(final?.state == .succeeded)
        }
    }

    @Test func abandonedUnknownIsNeitherResumedNorReported() async throws {
        let path = Self.journalPath("abandon")
        let id = try TaskJournal(path: path).begin(request: ["prompt": "x", "size": "1:1"], family: "4o", tag: nil)
        try await withSim(client: { $0.journalPath = path }) { h in
            try h.client.resolve(id, taskId: nil)
            let plan = try h.client.resumePlan(download: true)
            #expect(plan.resume.isEmpty && plan.unknown.isEmpty)
            let states = try h.client.journalEntries().map(\.state)
            #expect(states == [.abandoned])
        }
    }

    @Test func downloadIsJournaledAndSucceededTasksResumeOnlyForDownload() async throws {
        let path = Self.journalPath("download")
        try await withSim(client: { $0.journalPath = path }) { h in
            let s = try await h.client.generate(h.request())
            _ = try await h.client.wait(s.taskId, options: h.waitOptions)
            let withoutDownload = try h.client.resumePlan(download: false).resume
            let withDownload = try h.client.resumePlan(download: true).resume
            #expect(withoutDownload.isEmpty && withDownload.map(\.taskId) == [s.taskId])
            var options = h.waitOptions
            options.downloadDir = "/tmp/kieimage-lifecycle-dl-\(s.taskId)"
            let end = try await h.client.waitAndDownload(s.taskId, options: options) { _ in }
            guard case .completed(_, let downloads) = end else { Issue.record("no completion"); return }
            let entries = try h.client.journalEntries()
            let entry = try #require(entries.first)
            #expect(entry.state == .downloaded)
            #expect(entry.detail["files"] == downloads?["files"].map { .array($0.arrayValue?.compactMap { $0["path"] } ?? []) })
            let after = try h.client.resumePlan(download: true).resume
            #expect(after.isEmpty)
        }
    }

    @Test func restartedProcessWaitsOutTheWindowOfTheSendsItJournaled() async throws {
        let path = Self.journalPath("window")
        try await withSim(client: { $0.journalPath = path }) { h in
            for i in 0..<20 { _ = try await h.client.generate(h.request("burst \(i)")) }
            // A new process (a new client on the same journal) right after 20 sends.
            var config = h.client.config
            config.journalPath = path
            let restarted = try KieClient(config: config)
            _ = try await restarted.generate(h.request("after restart"))
            await restarted.shutdown()
            // No 429 was drawn: a 429 would have made the client send again after the window.
            #expect(h.generateCount() == 21)
            #expect(h.sim.tasks().count == 21)
        }
    }

    @Test func runEmitsSubmittedWithFamilyThenCompletes() async throws {
        try await withSim { h in
            let events = EventLog()
            let end = try await h.client.run(h.request(), options: h.waitOptions) { events.append($0) }
            guard case .completed(let task, _) = end else { Issue.record("run did not complete"); return }
            #expect(task.isSuccess)
            guard case .submitted(let id, _, let family)? = events.all.first else { Issue.record("no submitted event"); return }
            #expect(id == task.taskId && family == "4o")
            #expect(WaitEvent.submitted(taskId: id, warnings: []).json(tag: "k")["tag"]?.stringValue == "k")
        }
    }
}

/// Requests waiting for one of the transport's in-flight slots keep their whole timeout for the
/// wire: local queueing must never turn a generate into an unknown outcome.
@Suite(.serialized) struct InFlightQueueTests {
    @Test func generatesQueuedBehindTheInFlightLimitKeepTheirWholeTimeout() async throws {
        // Three waves: the last waits two answers (6 s) for a slot, then needs 3 s on the wire.
        // With an 8 s timeout counted from the call it would time out after sending; counted
        // from the slot it has 5 s to spare (wide, so a loaded machine does not matter).
        let n = 2 * ConcurrencyLimits.requestsOnTheWire + 16
        try await withSim(configure: {
            $0.apiKeys = [SimHarness.key: 100_000]
            $0.generateLimit = RateLimit(requests: 10_000, perMs: 1000)
            $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(latencyMs: 3000))]
        }, client: {
            $0.requestTimeoutMs = 8000
            $0.rateLimit.requests = 0
        }) { h in
            let outcomes = try await withThrowingTaskGroup(of: KieStatus.self) { group in
                for i in 0..<n {
                    group.addTask {
                        do { _ = try await h.client.generate(h.request("queued \(i)")); return .ok } catch { return KieError.wrap(error).status }
                    }
                }
                var all: [KieStatus] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(outcomes.filter { $0 != .ok }.isEmpty, "\(outcomes.filter { $0 != .ok }.map(\.name))")
            #expect(h.generateCount() == n && h.sim.tasks().count == n)
        }
    }
}
