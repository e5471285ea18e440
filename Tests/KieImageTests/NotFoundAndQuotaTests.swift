import KieSimulator
import Testing
@testable import KieImage

/// What real traffic showed in 2026 (docs/kie-api.md §11): not-found in every shape kie uses,
/// the not-visible-yet grace after our own submit, and the key's own quota (code 433).
@Suite(.serialized) struct NotFoundAndQuotaTests {
    @Test(arguments: [("record-info", "The record does not exist"), ("download-url", "record is null")])
    func recordedNotFoundBodiesAreNotFound(endpoint: String, msg: String) async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: endpoint, action: FaultAction(bodyCode: 422, msg: msg))] }) { h in
            let id = "0123456789abcdef0123456789abcdef"
            let e = await expectError(.notFound) {
                if endpoint == "record-info" { _ = try await h.client.task(id) }
                else { _ = try await h.client.downloadURL(taskId: id, url: "https://tempfile.aiquickdraw.com/a.png") }
            }
            #expect(e?.apiCode == 422 && e?.retryable == false && e?.attempts == 1)
        }
    }

    /// 422 "url is wrong" on 4o download-url: the URL is not one of the task's (docs/kie-api.md §11
    /// row 12), a bad argument, not a missing task; Market is not asked for an id of unknown family.
    @Test func downloadURLWithAWrongURLIsValidationOfURL() async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "download-url", action: FaultAction(bodyCode: 422, msg: "url is wrong"))] }) { h in
            let s = try await h.client.generate(h.request())
            _ = try await h.client.wait(s.taskId, options: h.waitOptions)
            for id in [s.taskId, "0123456789abcdef0123456789abcdef"] {
                let e = await expectError(.validation) {
                    _ = try await h.client.downloadURL(taskId: id, url: "https://tempfile.aiquickdraw.com/other.png")
                }
                #expect(e?.field == "url" && e?.apiCode == 422 && e?.retryable == false && e?.attempts == 1)
            }
            #expect(h.sim.requestCounts()["download-url"] == 2)
            #expect(h.sim.requestCounts()["jobs-recordInfo"] == nil)
        }
    }

    @Test func waitOnATaskOfAnotherClientFailsNotFoundAtOnce() async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "record-info", action: FaultAction(bodyCode: 422, msg: "The record does not exist"))] }) { h in
            _ = await expectError(.notFound) { _ = try await h.client.wait("0123456789abcdef0123456789abcdef", options: h.waitOptions) }
            #expect(h.sim.requestCounts()["record-info"] == 1)
        }
    }

    @Test func waitJustAfterSubmitSurvivesTwoNotFoundAnswers() async throws {
        try await withSim(configure: {
            $0.faults = [FaultRule(endpoint: "record-info", match: FaultMatch(count: 2), action: FaultAction(bodyCode: 422, msg: "The record does not exist"))]
        }) { h in
            let s = try await h.client.generate(h.request())
            let task = try await h.client.wait(s.taskId, options: h.waitOptions)
            #expect(task.isSuccess)
            #expect((h.sim.requestCounts()["record-info"] ?? 0) >= 3)
        }
    }

    @Test func notFoundAfterTheGracePeriodFails() async throws {
        try await withSim(configure: { $0.faults = [FaultRule(endpoint: "record-info", action: FaultAction(bodyCode: 422, msg: "The record does not exist"))] }) { h in
            let s = try await h.client.generate(h.request())
            var options = h.waitOptions
            options.notFoundGraceMs = 400
            _ = await expectError(.notFound) { _ = try await h.client.wait(s.taskId, options: options) }
            #expect((h.sim.requestCounts()["record-info"] ?? 0) >= 2)
        }
    }

    @Test func quotaIsNotRetriedAndSendsOneGenerate() async throws {
        try await withSim(configure: {
            $0.faults = [FaultRule(endpoint: "generate", action: FaultAction(bodyCode: 433, msg: "Request Limit – Sub-key Usage Exceeds Limit"))]
        }) { h in
            let e = await expectError(.quota) { _ = try await h.client.generate(h.request()) }
            #expect(e?.apiCode == 433 && e?.retryable == false && e?.json["name"]?.stringValue == "QUOTA")
            #expect(h.generateCount() == 1)
        }
    }

    @Test func waitOptionsParseGraceAndFamily() throws {
        let o = try WaitOptions.parse(json: #"{"notFoundGraceMs": 5000, "family": "market"}"#, defaults: PollSettings())
        #expect(o.notFoundGraceMs == 5000 && o.family == .market)
        #expect(try WaitOptions.parse(json: nil, defaults: PollSettings()).notFoundGraceMs == 30_000)
        #expect(throws: KieError.self) { try WaitOptions.parse(json: #"{"family": "dalle"}"#, defaults: PollSettings()) }
        // An option the calling function would ignore is refused, naming it.
        #expect(throws: KieError.self) {
            try WaitOptions.parse(json: #"{"download": {"dir": "out"}}"#, defaults: PollSettings(), refusing: ["download"])
        }
    }
}
