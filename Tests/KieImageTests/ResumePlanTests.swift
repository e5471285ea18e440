import Glibc
import Testing
@testable import KieImage

/// The resume plan (docs/journal.md, "Resume"): what a resume does with each journal state under
/// the caller's choices, and what the client's plan writes before it returns.
@Suite struct ResumePlanTests {
    static func entry(_ state: JournalState, taskId: String? = "task0123456789", id: String = "w1") -> JournalEntry {
        JournalEntry(id: id, tag: nil, family: "4o", state: state, taskId: taskId, request: ["prompt": "p", "size": "1:1"],
                     time: 0, sentAt: nil, detail: .null)
    }

    /// Every state's action with no choice, then with each choice alone.
    static let table: [(state: JournalState, none: ResumeAction, download: ResumeAction, retryFailed: ResumeAction, resubmitUnknown: ResumeAction)] = [
        (.intent, .sending, .sending, .sending, .sending),
        (.submitted, .wait, .wait, .wait, .wait),
        (.rejected, .submit, .submit, .submit, .submit),
        (.unknown, .unknown, .unknown, .unknown, .submit),
        (.abandoned, .submit, .submit, .submit, .submit),
        (.succeeded, .done, .wait, .done, .done),
        (.failed, .failed, .failed, .submit, .failed),
        (.downloaded, .done, .done, .done, .done),
    ]

    @Test func tableListsEveryStateOnce() {
        #expect(Set(Self.table.map(\.state)) == Set(JournalState.allCases))
        #expect(Self.table.count == JournalState.allCases.count)
    }

    @Test(arguments: table.indices)
    func eachStateUnderEachChoice(_ row: Int) {
        let r = Self.table[row], e = Self.entry(r.state)
        #expect(ResumeAction.decide(e, ResumeOptions()) == r.none, "\(r.state)")
        #expect(ResumeAction.decide(e, ResumeOptions(download: true)) == r.download, "\(r.state)")
        #expect(ResumeAction.decide(e, ResumeOptions(retryFailed: true)) == r.retryFailed, "\(r.state)")
        #expect(ResumeAction.decide(e, ResumeOptions(resubmitUnknown: true)) == r.resubmitUnknown, "\(r.state)")
    }

    @Test(arguments: JournalState.allCases)
    func bothChoicesTogetherActAsEachAlone(_ state: JournalState) {
        let all = ResumeOptions(download: true, retryFailed: true, resubmitUnknown: true), e = Self.entry(state)
        let expected: ResumeAction = switch state {
        case .failed, .unknown: .submit
        default: ResumeAction.decide(e, ResumeOptions(download: true))
        }
        #expect(ResumeAction.decide(e, all) == expected)
    }

    @Test func submittedOrSucceededWithoutATaskIdIsSubmittedAgain() {
        for state in [JournalState.submitted, .succeeded] {
            #expect(ResumeAction.decide(Self.entry(state, taskId: nil), ResumeOptions(download: true)) == .submit)
        }
    }

    @Test func planListsResumeAndUnknownInJournalOrder() {
        let entries = [Self.entry(.unknown, id: "a"), Self.entry(.submitted, id: "b"), Self.entry(.failed, id: "c"),
                       Self.entry(.succeeded, id: "d"), Self.entry(.unknown, id: "e")]
        let plan = ResumePlan(entries: entries, options: ResumeOptions(download: true))
        #expect(plan.resume.map(\.id) == ["b", "d"])
        #expect(plan.unknown.map(\.id) == ["a", "e"])
        #expect(plan.entries(.failed).map(\.id) == ["c"])
        #expect(plan.steps.map(\.entry.id) == ["a", "b", "c", "d", "e"])
    }

    static func journalPath(_ name: String) -> String {
        let path = "/tmp/kieimage-resumeplan-\(name)-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        _ = unlink(path)
        return path
    }

    static func client(journal path: String) throws -> KieClient {
        var config = ClientConfig(apiKey: "resume-plan-test-key")
        config.journalPath = path
        return try KieClient(config: config)
    }

    @Test func resubmitUnknownAbandonsTheUnknownItemsDurablyBeforeReturning() async throws {
        let path = Self.journalPath("abandon")
        let dead = try TaskJournal(path: path)
        let lost = try dead.begin(request: ["prompt": "lost", "size": "1:1"], family: "4o", tag: "one")
        let other = try dead.begin(request: ["prompt": "other", "size": "1:1"], family: "4o", tag: "two")
        let client = try Self.client(journal: path)
        let kept = try client.resumePlan(ResumeOptions())
        #expect(kept.unknown.map(\.id) == [lost, other])
        #expect(try client.journalEntries().map(\.state) == [.unknown, .unknown])

        // Narrowed to one item: only that one is abandoned.
        let only = try #require(try client.journalEntries().first { $0.id == lost })
        let plan = try client.resumePlan(ResumeOptions(resubmitUnknown: true), entries: [only])
        #expect(plan.steps.map(\.action) == [.submit] && plan.steps.first?.entry.state == .abandoned)
        await client.shutdown()
        let reopened = try Self.client(journal: path)
        #expect(try reopened.journalEntries().map(\.state) == [.abandoned, .unknown])
        await reopened.shutdown()
    }

    @Test func planWithoutAJournalIsRefused() async throws {
        let client = try KieClient(config: ClientConfig(apiKey: "resume-plan-test-key"))
        await #expect(throws: KieError.self) { _ = try client.resumePlan(ResumeOptions()) }
        await client.shutdown()
    }

    @Test func adoptRefusesATaskMadeForAnotherRequestAndAttachesTheRightOne() async throws {
        let path = Self.journalPath("adopt")
        try await withSim(client: { $0.journalPath = path }) { h in
            var plain = h.client.config
            plain.journalPath = nil
            let elsewhere = try KieClient(config: plain)
            let stranger = try await elsewhere.generate(h.request("another request"))
            let found = try await elsewhere.generate(h.request("lost answer"))
            await elsewhere.shutdown()
            let id = try TaskJournal(path: path).begin(request: ["prompt": "lost answer", "size": "1:1"], family: "4o", tag: nil)
            let restarted = try KieClient(config: h.client.config)
            let refused = await expectError(.invalidArgument) { _ = try await restarted.adopt(id, taskId: stranger.taskId) }
            #expect(refused?.field == "task_id" && refused?.message.contains("another request") == true)
            #expect(try restarted.journalEntries().first { $0.id == id }?.state == .unknown)
            let adopted = try await restarted.adopt(id, taskId: found.taskId)
            #expect(adopted.state == .submitted && adopted.taskId == found.taskId)
            #expect(try restarted.resumePlan(ResumeOptions()).resume.map(\.id) == [id])
            await restarted.shutdown()
        }
    }

    @Test func mismatchNamesTheFirstFieldThatDiffers() {
        #expect(KieClient.mismatch(["prompt": "a", "size": "1:1"], ["prompt": "a", "size": "1:1"]) == nil)
        #expect(KieClient.mismatch(["prompt": "a", "size": "3:2"], ["prompt": "a", "size": "1:1"]) == "size")
        #expect(KieClient.mismatch(["model": "m2", "input": ["prompt": "a"]], ["model": "m1", "input": ["prompt": "a"]]) == "model")
        #expect(KieClient.mismatch(["model": "m", "input": ["aspect_ratio": "16:9"]], ["model": "m", "input": ["aspect_ratio": "1:1"]]) == "aspect_ratio")
        #expect(KieClient.mismatch(.null, ["prompt": "a"]) == nil)
    }
}
