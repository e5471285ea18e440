import Crypto
import FoundationEssentials
import Testing

@testable import KieSimulator

@Suite("Market results and callbacks")
struct MarketResultTests {
    /// The result URL of a finished task.
    static func resultURL(_ sim: Simulator, _ taskId: String) async throws -> String {
        let data = try await sim.marketRecord(taskId).json?["data"]
        let resultJson = try #require(data?["resultJson"]?.stringValue, "no resultJson")
        let parsed = try #require(try? SimJSONParser.parse(resultJson).get())
        return try #require(parsed["resultUrls"]?.arrayValue?.first?.stringValue)
    }

    @Test(arguments: [
        (#"{"model":"gpt-image-2-5-flare-text-to-image","input":{"prompt":"p","aspect_ratio":"16:9"}}"#, 1024, 576),
        (#"{"model":"gpt-image-2-5-flare-text-to-image","input":{"prompt":"p","aspect_ratio":"9:16","resolution":"2K"}}"#, 1152, 2048),
        // 4K is drawn at marketMaxImageSide (2560) on the long side, same ratio.
        (#"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p","aspect_ratio":"4:3","resolution":"4K"}}"#, 2560, 1920),
        (#"{"model":"nano-banana-2","input":{"prompt":"p","aspect_ratio":"auto","output_format":"png"}}"#, 1024, 1024),
        (#"{"model":"qwen2/text-to-image","input":{"prompt":"p"}}"#, 1024, 576),
        (#"{"model":"flux-2/pro-text-to-image","input":{"prompt":"p","aspect_ratio":"3:2","resolution":"2K"}}"#, 2048, 1365),
        (#"{"model":"seedream/4.5-text-to-image","input":{"prompt":"p","aspect_ratio":"21:9","quality":"basic"}}"#, 2048, 878),
    ])
    func resultPNGHasTheAskedRatioAndTier(body: String, width: Int, height: Int) async throws {
        try await withSimulator { sim in
            let taskId = try await sim.createMarketTask(body)
            sim.advanceClock(ms: 3_000)
            let url = try await Self.resultURL(sim, taskId)
            let png = try await get(url, key: nil)
            #expect(png.status == 200)
            #expect(png.header("Content-Type") == "image/png")
            try checkPNG(png.bytes, width: width, height: height)
            #expect(sim.tasks().first?.hits["file"] == 1)
        }
    }

    @Test func pixelSizeKeepsTheRatioUnderTheCap() {
        func size(_ ratio: String, _ tier: String, _ cap: Int) -> [Int] {
            let s = MarketModel.pixelSize(ratio: ratio, tier: tier, maxSide: cap)
            return [s.width, s.height]
        }
        #expect(size("16:9", "4K", 4096) == [4096, 2304])
        #expect(size("1:1", "4K", 2048) == [2048, 2048])
        #expect(size("junk", "2K", 4096) == [2048, 2048])
        #expect(size("0:5", "1K", 4096) == [1024, 1024])
    }

    @Test func commonDownloadURLReMintsAMarketResult() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.createMarketTask(MarketCreateTaskTests.flare)
            sim.advanceClock(ms: 3_000)
            let url = try await Self.resultURL(sim, taskId)
            let minted = try await post(sim.baseURL + "/api/v1/common/download-url", #"{"url":"\#(url)"}"#)
            #expect(minted.json?["code"]?.intValue == 200)
            let link = try #require(minted.json?["data"]?.stringValue)
            #expect(link.hasPrefix(sim.fileBaseURL + "/r2/m/"))
            #expect(link.contains("X-Amz-Expires=1200"))
            let fetched = try await get(link, key: nil)
            #expect(fetched.status == 200)
            try checkPNG(fetched.bytes, width: 1024, height: 576)
            // Gone after the retention, like 4o results.
            sim.advanceClock(ms: 15 * 86_400_000)
            #expect(try await get(url, key: nil).status == 404)
        }
    }

    @Test func successCallbackCarriesTheRecordAndIsSigned() async throws {
        let receiver = try await Receiver.start()
        try await withSimulator(testConfig { $0.webhookKey = "hook-secret" }) { sim in
            let taskId = try await sim.createMarketTask(
                #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p"},"callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 3_000)
            try await sim.eventually { sim.callbacks().first?.state == "delivered" }
            let got = try #require(receiver.store.received.withLock { $0.first })
            let record = try await sim.marketRecord(taskId)
            let dataText = String(record.text.dropFirst(#"{"code":200,"msg":"success","data":"#.count).dropLast())
            #expect(got.body == #"{"code":200,"msg":"Playground task completed successfully.","data":"# + dataText + "}")
            let data = try #require(try? SimJSONParser.parse(got.body).get())["data"]
            #expect(data?["state"]?.stringValue == "success")
            #expect(data?["param"]?.stringValue?.hasPrefix(#"{"callBackUrl":"\#(receiver.url)","input":"#) == true)
            let ts = try #require(got.timestamp)
            let mac = HMAC<SHA256>.authenticationCode(
                for: Array("\(taskId).\(ts)".utf8), using: SymmetricKey(data: Array("hook-secret".utf8)))
            #expect(got.signature == Data(mac).base64EncodedString())
        }
        await receiver.stop()
    }

    @Test func failureCallbackIs501WithTheFailedRecordAndRetries() async throws {
        let receiver = try await Receiver.start(statuses: [500])
        try await withSimulator(testConfig { $0.webhookKey = "k"; $0.callbackTaskIdStyle = "all" }) { sim in
            let taskId = try await sim.createMarketTask(
                #"{"model":"nano-banana-2","input":{"prompt":"p [sim:generate_failed]"},"callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 3_000)
            try await sim.eventually { sim.callbacks().first?.state == "delivered" }
            #expect(sim.callbacks().first?.attempts == 2)
            let got = try #require(receiver.store.received.withLock { $0.last })
            let json = try #require(try? SimJSONParser.parse(got.body).get())
            // callbackTaskIdStyle all: the id also at the top and in data.task_id.
            #expect(keys(json) == ["code", "msg", "taskId", "data"])
            #expect(json["taskId"]?.stringValue == taskId)
            #expect(json["data"]?["task_id"]?.stringValue == taskId)
            #expect(json["code"]?.intValue == 501)
            #expect(json["msg"]?.stringValue == "Playground task failed.")
            #expect(json["data"]?["taskId"]?.stringValue == taskId)
            #expect(json["data"]?["state"]?.stringValue == "fail")
            #expect(json["data"]?["failCode"]?.stringValue == "500")
            #expect(json["data"]?["failMsg"]?.stringValue != nil)
            #expect(got.signature == CallbackPayload.signature(key: "k", taskId: taskId, timestamp: got.timestamp ?? ""))
        }
        await receiver.stop()
    }
}
