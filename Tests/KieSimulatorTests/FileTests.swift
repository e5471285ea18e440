import Testing

@testable import KieSimulator

@Suite("files, download links and PNGs")
struct FileTests {
    @Test(arguments: [("1:1", 1024, 1024), ("3:2", 1536, 1024), ("2:3", 1024, 1536)])
    func resultPNGHasTheSizeOfItsAspect(size: String, width: Int, height: Int) async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit(#"{"prompt":"p","size":"\#(size)","nVariants":2}"#)
            sim.advanceClock(ms: 2000)
            let urls = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue)
            #expect(urls.count == 2)
            var images: [[UInt8]] = []
            for url in urls {
                let answer = try await get(try #require(url.stringValue), key: nil)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type") == "image/png")
                let png = answer.bytes
                try checkPNG(png, width: width, height: height)
                images.append(png)
            }
            #expect(images[0] != images[1])
        }
    }

    @Test func encoderOutputIsAValidPNGStream() throws {
        let png = try #require(ResultImage.png(size: "1:1", seed: 99))
        try checkPNG(png, width: 1024, height: 1024)
        #expect(png.count < 200_000)
        #expect(ResultImage.png(size: "1:1", seed: 100) != png)
    }

    @Test func fileHostRecordsAuthorizationAndExpiresAfter14Days() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            #expect(try await get(url, key: nil).status == 200)
            #expect(try await get(url, key: "leaked").status == 200)
            let stats = sim.stats()
            #expect(stats.fileRequests == 2)
            #expect(stats.fileRequestsWithAuthorization == 1)
            #expect(sim.fileRequests().map(\.hadAuthorization) == [false, true])
            sim.advanceClock(ms: 14 * 86_400_000)
            #expect(try await get(url, key: nil).status == 404)
        }
    }

    @Test func downloadURLIsAPresignedLinkValidTwentyMinutes() async throws {
        try await withSimulator { sim in
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            let answer = try await post(sim.baseURL + "/api/v1/gpt4o-image/download-url", #"{"taskId":"\#(taskId)","url":"\#(url)"}"#)
            #expect(keys(answer.json) == ["code", "msg", "data"])
            let link = try #require(answer.json?["data"]?.stringValue)
            #expect(link.contains("X-Amz-Expires=1200"))
            #expect(link.hasPrefix(sim.fileBaseURL))
            let fetched = try await get(link, key: nil)
            #expect(fetched.status == 200)
            try checkPNG(fetched.bytes, width: 1024, height: 1024)
            #expect(try await get(link.replacingOccurrences("X-Amz-Expires=1200", "X-Amz-Expires=9999"), key: nil).status == 403)
            sim.advanceClock(ms: 20 * 60_000 + 2000)
            #expect(try await get(link, key: nil).status == 403)
        }
    }

    @Test func downloadURLRefusalsUseTheDocumentedTexts() async throws {
        try await withSimulator(testConfig { $0.generationMs = 60_000 }) { sim in
            let endpoint = sim.baseURL + "/api/v1/gpt4o-image/download-url"
            let taskId = try await sim.submit()
            func msg(_ body: String) async throws -> String? {
                let answer = try await post(endpoint, body)
                #expect(answer.json?["code"]?.intValue == 422)
                return answer.json?["msg"]?.stringValue
            }
            #expect(try await msg(#"{"taskId":"ffffffffffffffffffffffffffffffff","url":"http://x/a.png"}"#) == "record is null")
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "record status is not success")
            sim.advanceClock(ms: 61_000)
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "record result data not exist")
            sim.advanceClock(ms: 15 * 86_400_000)
            #expect(try await msg(#"{"taskId":"\#(taskId)","url":"http://x/a.png"}"#) == "Temporarily supports records within 14 days")
            #expect(try await msg(#"{"url":"http://x/a.png"}"#) == "taskId cannot be empty")
        }
    }

    @Test func commonDownloadURLRefusesForeignURLs() async throws {
        try await withSimulator { sim in
            let endpoint = sim.baseURL + "/api/v1/common/download-url"
            let foreign = try await post(endpoint, #"{"url":"https://example.com/a.png"}"#)
            #expect(foreign.text == #"{"code":422,"msg":"url is wrong","data":null}"#)
            let taskId = try await sim.submit()
            sim.advanceClock(ms: 2000)
            let url = try #require(try await sim.recordInfo(taskId)["data"]?["response"]?["resultUrls"]?.arrayValue?.first?.stringValue)
            let ok = try await post(endpoint, #"{"url":"\#(url)"}"#)
            #expect(ok.json?["code"]?.intValue == 200)
            #expect(ok.json?["data"]?.stringValue?.contains("X-Amz-Expires=1200") == true)
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
