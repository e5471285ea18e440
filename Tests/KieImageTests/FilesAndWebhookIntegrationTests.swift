import FoundationEssentials
import KieSimulator
import Testing
@testable import KieImage

@Suite(.serialized) struct FilesAndWebhookIntegrationTests {
    @Test func failingDirectLinkIsReMintedThroughDownloadURL() async throws {
        try await withSim(configure: {
            $0.faults = [FaultRule(endpoint: "file", match: FaultMatch(count: 1), action: FaultAction(httpStatus: 403))]
        }) { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let files = try await h.client.download(task, to: "/tmp/kieimage-remint-\(submitted.taskId)")
            #expect(files.count == 1 && files[0].bytes > 0)
            #expect((h.sim.requestCounts()["download-url"] ?? 0) == 1)
            #expect(h.sim.fileRequests().allSatisfy { !$0.hadAuthorization })
        }
    }

    @Test func uploadByURLReturnsADownloadUrl() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let uploaded = try await h.client.upload(url: task.resultUrls[0])
            #expect(uploaded.downloadUrl.hasPrefix(h.sim.fileBaseURL))
            #expect((h.sim.requestCounts()["upload-url"] ?? 0) == 1)
        }
    }

    @Test func confirmVerifiesTheSignatureThenReadsRecordInfo() async throws {
        try await withSim(client: { $0.webhookKey = "whk-confirm" }) { h in
            let submitted = try await h.client.generate(h.request())
            _ = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let now = WallClock.nowSeconds()
            // A forged body claiming failure, with a valid signature for the task: the refetch
            // reports the truth (docs/kie-api.md §3a: the body is not signed).
            let forged = Array(#"{"code":500,"msg":"forged","data":{"taskId":"\#(submitted.taskId)","info":null}}"#.utf8)
            let sig = WebhookVerifier.sign(key: "whk-confirm", taskId: submitted.taskId, timestamp: now)
            let (event, task) = try await h.client.confirm(body: forged, timestamp: String(now), signature: sig, now: now)
            #expect(!event.isSuccess && task.isSuccess)
            let bad = await expectError(.signature) {
                _ = try await h.client.confirm(body: forged, timestamp: String(now), signature: sig, now: now + 301)
            }
            #expect(bad?.taskId == submitted.taskId)
        }
    }
}

@Suite struct StalePartialFileTests {
    @Test func partialFilesOfAKilledRunAreRemovedBeforeDownloadingAgain() async throws {
        try await withSim { h in
            let submitted = try await h.client.generate(h.request())
            let task = try await h.client.wait(submitted.taskId, options: h.waitOptions)
            let dir = "/tmp/kieimage-stale-\(submitted.taskId)"
            try Directories.create(dir)
            let stale = "\(dir)/.\(submitted.taskId)_0.12345.part"
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
            _ = try await h.client.download(task, to: dir)
            let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(left == ["\(submitted.taskId)_0.png"])
        }
    }
}
