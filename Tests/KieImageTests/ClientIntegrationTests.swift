import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

@Suite(.serialized) struct ClientIntegrationTests {
    @Test func generateWaitDownloadEndToEnd() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request())
            #expect(submitted.taskId.count == 32)
            let events = EventLog()
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions) { events.append($0) }
            #expect(task.isSuccess && task.resultUrls.count == 1 && task.progress == 1)
            #expect(task.request["prompt"]?.stringValue == "A beautiful sunset over the mountains")
            let dir = "/tmp/kieimage-core-\(submitted.taskId)"
            let files = try await h.client.download(task, to: dir)
            #expect(files.count == 1 && files[0].path.hasSuffix(".png") && files[0].bytes > 1000)
            let head = try LocalFile.read(files[0].path, limit: 1 << 24).prefix(8)
            #expect(Array(head) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(h.sim.fileRequests().allSatisfy { !$0.hadAuthorization })
            #expect(!h.sim.fileRequests().isEmpty)
        }
    }

    @Test func generateResetAfterAcceptanceIsUnknownOutcomeAndNeverRepeated() async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(reset: "after"))] }) { h in
            let e = await expectError(.unknownOutcome) { _ = try await h.client.generate(h.request()) }
            #expect(e?.request?["prompt"]?.stringValue == "A beautiful sunset over the mountains")
            #expect(h.generateCount() == 1)
            #expect(h.sim.tasks().count == 1)
        }
    }

    @Test func generateResetBeforeAnswerIsUnknownOutcomeToo() async throws {
        // The client cannot tell a reset before processing from one after it.
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(reset: "before"))] }) { h in
            _ = await expectError(.unknownOutcome) { _ = try await h.client.generate(h.request()) }
            #expect(h.generateCount() == 1)
        }
    }

    @Test func insufficientCreditsIsNotRetried() async throws {
        try await withSim(configure: { $0.apiKeys = [SimHarness.key: 1] }) { h in
            let e = await expectError(.insufficientCredits) { _ = try await h.client.generate(h.request()) }
            #expect(e?.apiCode == 402 && e?.attempts == 1)
            #expect(h.generateCount() == 1)
        }
    }

    @Test func bodyCode429OnGenerateIsWaitedOut() async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "generate", match: FaultMatch(count: 2), action: FaultAction(bodyCode: 429))] },
                          client: { $0.retry.rateLimitWaitMs = 100 }) { h in
            let submitted = try await h.client.generate(h.request())
            #expect(submitted.taskId.count == 32)
            #expect(h.generateCount() == 3)
            #expect(h.sim.tasks().count == 1)
        }
    }

    @Test func clientLimiterKeepsABurstUnderTheServerLimit() async throws {
        try await withSim(configure: { $0.generateLimit = RateLimit(requests: 5, perMs: 1_000) },
                          client: { $0.rateLimit.requests = 5; $0.rateLimit.perMs = 1_000 }) { h in
            try await withThrowingTaskGroup(of: Void.self) { g in
                for i in 0..<12 { g.addTask { _ = try await h.client.generate(h.request("burst \(i)")) } }
                try await g.waitForAll()
            }
            #expect(h.generateCount() == 12)
            #expect(h.sim.tasks().count == 12)
        }
    }

    @Test func concurrentReadsOfOneTaskStayUnderItsPerTaskLimit() async throws {
        // kie.ai allows 3 record-info calls per second per task (the simulator enforces it with
        // body code 429): 7 callers reading one task at once are spaced by the client, so each
        // read is one request, none answered 429 and retried.
        try await withSim(generationMs: 0, configure: { $0.recordInfoPerTaskPerSecond = 3 }) { h in
            let id = try await h.client.generate(h.request()).taskId
            let before = h.sim.requestCounts()["record-info"] ?? 0
            try await withThrowingTaskGroup(of: KieTask.self) { g in
                for _ in 0..<7 { g.addTask { try await h.client.task(id) } }
                for try await task in g { #expect(task.taskId == id) }
            }
            #expect((h.sim.requestCounts()["record-info"] ?? 0) - before == 7)
            #expect(h.sim.tasks().first?.hits["record-info"] == 7)  // requests the window allowed
        }
    }

    @Test func unauthorizedKeyIsAuthError() async throws {
        try await withSim(client: { $0.apiKey = "kie-canary-wrong" }) { h in
            let e = await expectError(.auth) { _ = try await h.client.generate(h.request()) }
            #expect(e?.message.contains("kie-canary-wrong") == false)
        }
    }

    @Test func successFlag3EndsAsTaskFailedWithItsMessage() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request("x [sim:internal_error]"))
            let e = await expectError(.taskFailed) { _ = try await h.client.wait(submitted.taskId, options: h.waitOptions) }
            #expect(e?.message.contains("Internal Error") == true)
            #expect(e?.taskId == submitted.taskId)
        }
    }

    @Test func createTaskFailedEndsAsTaskFailed() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request("x [sim:create_task_failed]"))
            _ = await expectError(.taskFailed) { _ = try await h.client.wait(submitted.taskId, options: h.waitOptions) }
        }
    }

    @Test func waitDeadlineGivesTimeoutAndStopsPolling() async throws {
        try await withSim(generationMs: 30_000) { h in
            let submitted = try await h.client.generate(h.request())
            var options = h.waitOptions
            options.poll.deadlineMs = 2_000
            _ = await expectError(.timeout) { _ = try await h.client.wait(submitted.taskId, options: options) }
            let hits = h.sim.tasks().first?.hits["record-info"] ?? 0
            #expect(hits > 0)
            try await Task.sleep(for: .milliseconds(600))
            #expect((h.sim.tasks().first?.hits["record-info"] ?? 0) == hits)
        }
    }

    @Test func aWaitOnATaskThisClientDidNotCreateReadsItAtOnce() async throws {
        try await withSim(generationMs: 0) { h in
            // Another process made and finished the task: a wait here (resumed, taken over, named
            // by id) reads it first, before initialMs. A deadline shorter than initialMs shows it:
            // a wait that slept initialMs first would time out without a read.
            let other = try KieClient(config: h.client.config)
            let id = try await other.generate(h.request()).taskId
            _ = try await other.wait(id, options: h.waitOptions)
            await other.shutdown()
            let before = h.sim.requestCounts()["record-info"] ?? 0
            var options = h.waitOptions
            options.poll.initialMs = 60_000
            options.poll.deadlineMs = 5_000
            let task = try await h.client.wait(id, options: options)
            #expect(task.isSuccess && task.taskId == id)
            #expect((h.sim.requestCounts()["record-info"] ?? 0) - before == 1)
            // A task this client created still waits initialMs from its creation first.
            let mine = try await h.client.generate(h.request()).taskId
            let mineBefore = h.sim.requestCounts()["record-info"] ?? 0
            _ = await expectError(.timeout) { _ = try await h.client.wait(mine, options: { var o = options; o.poll.deadlineMs = 300; return o }()) }
            #expect((h.sim.requestCounts()["record-info"] ?? 0) == mineBefore)
        }
    }

    @Test func cancellingAWaitStopsItPromptly() async throws {
        try await withSim(generationMs: 30_000) { h in
            let submitted = try await h.client.generate(h.request())
            let options = h.waitOptions
            let waiter = Task { try await h.client.wait(submitted.taskId, options: options) }
            try await Task.sleep(for: .milliseconds(300))
            waiter.cancel()
            let result = await waiter.result
            if case .failure(let error) = result {
                #expect(KieError.wrap(error).status == .cancelled)
            } else {
                Issue.record("wait finished despite cancellation")
            }
        }
    }

    @Test func progressEventsOnlyOnChange() async throws {
        try await withSim(generationMs: 1_500) { h in
            let submitted = try await h.client.generate(h.request())
            let events = EventLog()
            _ = try await h.client.wait(submitted.taskId, options: h.waitOptions) { events.append($0) }
            let values = events.progressValues()
            #expect(!values.isEmpty)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 != $1 })
        }
    }

    @Test func recordInfoRetriesServerErrorsAndMalformedBodies() async throws {
        try await withSim(configure: {
            $0.faults = [
                FaultRule(endpoint: "record-info", match: FaultMatch(nth: 1), action: FaultAction(bodyCode: 500)),
                FaultRule(endpoint: "record-info", match: FaultMatch(nth: 2), action: FaultAction(malformed: true)),
                FaultRule(endpoint: "record-info", match: FaultMatch(nth: 3), action: FaultAction(httpStatus: 503)),
            ]
        }) { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.task(submitted.taskId)
            #expect(task.taskId == submitted.taskId)
            #expect((h.sim.requestCounts()["record-info"] ?? 0) == 4)
            // The record's text stands for `raw` in the task JSON (the simulator writes compact JSON).
            #expect(task.rawText.bytes != nil)
            #expect(task.jsonText == JSON.serialize(task.json))
            // With whitespace in the answer it is built again.
            let spaced = Array((#"{"code":200,"msg":"success","data":"# + JSON.serialize(task.raw).dropLast() + " }}").utf8)
            let reread = try RecordInfoParser.parse(ErrorMapping.decode(HTTPAnswer(status: 200, body: spaced), redact: { $0 }), family: .fourO)
            #expect(reread.rawText.bytes == nil && reread.jsonText == task.jsonText)
            var changed = task
            changed.raw = ["other": true]
            #expect(changed.rawText.bytes == nil && changed.jsonText == JSON.serialize(changed.json))
            // A completed event writes its task the same way, with or without the answer's text.
            for t in [task, changed] {
                for downloads: KieImage.JSONValue? in [nil, ["files": []]] {
                    for tag: String? in [nil, "item-1"] {
                        let event = WaitEvent.completed(t, downloads: downloads)
                        #expect(JSON.serialize(try JSON.parse(event.jsonText(tag: tag))) == JSON.serialize(event.json(tag: tag)))
                    }
                }
                #expect(WaitEvent.completed(t, downloads: nil).jsonText(tag: nil).contains(t.jsonText))
            }
        }
    }

    @Test func unknownTaskIsNotFoundInBothServerStyles() async throws {
        for mode in ["404", "nullData"] {
            try await withSim(configure: { $0.unknownTaskMode = mode }) { h in
                _ = await expectError(.notFound) { _ = try await h.client.task("0123456789abcdef0123456789abcdef") }
            }
        }
    }

    @Test func snakeCaseResultUrlsAndStringTimesAreRead() async throws {
        try await withSim(configure: { $0.resultUrlsKey = "result_urls"; $0.timeFormat = "string" }) { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            #expect(task.resultUrls.count == 1 && task.createTime != nil)
        }
    }

    @Test func creditsAreDecimal() async throws {
        try await withSim(configure: { $0.apiKeys = [SimHarness.key: 5916.25] }) { h in
            let credits = try await h.client.credits()
            #expect(credits == 5916.25)
        }
    }

    @Test func downloadURLSendsTaskIdAndUrl() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let link = try await h.client.downloadURL(taskId: task.taskId, url: task.resultUrls[0])
            #expect(link.hasPrefix(h.sim.fileBaseURL))
        }
    }

    @Test func uploadSmallAndLargeFilesGiveDownloadUrls() async throws {
        try await withSim { h in
            let small = "/tmp/kieimage-upload-small.png", large = "/tmp/kieimage-upload-large.png"
            try Data(repeating: 7, count: 100).write(to: URL(fileURLWithPath: small))
            try Data(repeating: 9, count: 2 << 20).write(to: URL(fileURLWithPath: large))
            let a = try await h.client.upload(path: small)
            let b = try await h.client.upload(path: large)
            #expect(a.downloadUrl.hasPrefix(h.sim.fileBaseURL) && b.downloadUrl.hasPrefix(h.sim.fileBaseURL))
            #expect((h.sim.requestCounts()["upload-base64"] ?? 0) == 1)
            #expect((h.sim.requestCounts()["upload-stream"] ?? 0) == 1)
        }
    }

    @Test func journalHoldsTheTaskBeforeGenerateReturnsAndMarksItsEnd() async throws {
        let path = "/tmp/kieimage-journal-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        try await withSim(client: { $0.journalPath = path }) { h in
            let submitted = try await h.client.generate(h.request(), tag: "line-1")
            let reopened = try TaskJournal(path: path)
            #expect(reopened.entries().filter { $0.state == .submitted }.map(\.taskId) == [submitted.taskId])
            #expect(reopened.entries().first?.tag == "line-1")
            _ = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let finished = try TaskJournal(path: path)
            #expect(!finished.entries().contains { $0.state == .submitted })
            // Replay keeps the tag and request with the final state.
            #expect(finished.entries().first?.tag == "line-1" && finished.entries().first?.state == .succeeded)
            #expect(finished.entries().first?.request["size"]?.stringValue == "1:1")
        }
    }

    @Test func journalReadsVersion1LinesOfKieimage01() throws {
        let path = "/tmp/kieimage-journal-v1-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        let text = [
            #"{"v":1,"taskId":"t1","state":"submitted","tag":"a","request":{"prompt":"p","size":"1:1"},"time":1}"#,
            #"{"v":1,"taskId":"t1","state":"downloaded","time":2,"detail":"[\"/x/t1_0.png\"]"}"#,
            #"{"v":1,"taskId":"intent:2:1","state":"intent","tag":"b","time":3}"#,
        ].joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let entries = try TaskJournal(path: path).entries()
        #expect(entries.map(\.state) == [.downloaded, .unknown])
        #expect(entries[0].detail["files"] == .array([.string("/x/t1_0.png")]) && entries[0].tag == "a")
        #expect(entries[1].tag == "b" && entries[1].taskId == nil)
    }

    @Test func journalSkipsCorruptLines() throws {
        let path = "/tmp/kieimage-journal-corrupt-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        let text = #"{"v":2,"id":"w1","state":"intent","time":1,"family":"4o","request":{}}"# + "\n"
            + #"{"v":2,"id":"w1","state":"submitted","taskId":"aaa","time":2}"# + "\n{garbage\n" + #"{"v":2,"id":"w2","state":"subm"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let j = try TaskJournal(path: path)
        #expect(j.entries().map(\.taskId) == ["aaa"])
        #expect(j.warnings.count == 2)
        let id = try j.begin(request: ["prompt": "p", "size": "1:1"], family: "4o", tag: nil)
        try j.settle(id, .submitted, taskId: "ccc")
        #expect(try TaskJournal(path: path).entries().filter { $0.state == .submitted }.map(\.taskId) == ["aaa", "ccc"])
    }
}

final class EventLog: @unchecked Sendable {
    private var events: [WaitEvent] = []
    private let lock = NSLockLike()
    func append(_ e: WaitEvent) { lock.run { events.append(e) } }
    var all: [WaitEvent] { lock.run { events } }
    func progressValues() -> [Double] {
        lock.run { events.compactMap { if case .progress(_, let p, _) = $0 { return p }; return nil } }
    }
}

import Synchronization
final class NSLockLike: Sendable {
    private let m = Mutex(())
    func run<T>(_ body: () -> T) -> T { m.withLock { _ in body() } }
}
