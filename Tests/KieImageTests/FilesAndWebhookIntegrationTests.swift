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

    // kie_download takes a task by id: the results of the task as the client last read it, with
    // no read; a client that never read it reads it once (4o first, then Market, as it knows no
    // family for the id), and a task that has not succeeded is refused as before.
    @Test func downloadByTaskIdUsesTheTaskTheClientHoldsOrReadsIt() async throws {
        try await withSim { h in
            let fourO = try await h.client.wait(h.client.generate(h.request()).taskId, options: h.waitOptions)
            let market = try await h.client.wait(h.client.generate(h.marketRequest()).taskId, options: h.waitOptions)
            let reads = { (h.sim.requestCounts()["record-info"] ?? 0) + (h.sim.requestCounts()["jobs-recordInfo"] ?? 0) }
            let before = reads()
            for task in [fourO, market] {
                let files = try await h.client.download(taskId: task.taskId, to: "/tmp/kieimage-byid-\(task.taskId)")
                #expect(files.map(\.url) == task.resultUrls && files.allSatisfy { $0.bytes > 0 })
            }
            #expect(reads() == before)

            let other = try KieClient(config: h.client.config)
            let files = try await other.download(taskId: market.taskId, to: "/tmp/kieimage-byid-other-\(market.taskId)")
            #expect(files.map(\.url) == market.resultUrls)
            #expect(h.sim.requestCounts()["jobs-recordInfo"] ?? 0 > 0 && reads() == before + 2)
            await other.shutdown()

            let running = try await h.client.generate(h.request("still running [sim:ms=60000]"))
            let refused = await expectError(.invalidArgument) { _ = try await h.client.download(taskId: running.taskId, to: "/tmp/kieimage-byid") }
            #expect(refused?.taskId == running.taskId)
            _ = await expectError(.invalidArgument) { _ = try await h.client.download(taskId: fourO.taskId, to: "") }
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
