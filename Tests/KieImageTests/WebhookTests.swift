import Testing
@testable import KieImage

@Suite struct WebhookTests {
    static let key = "whk-test-key"
    static let body = Array(#"{"code":200,"msg":"success","data":{"taskId":"task12345","info":{"result_urls":["https://example.com/result/image1.png"]}}}"#.utf8)
    let now: Int64 = 1_769_670_760

    func verify(_ body: [UInt8] = body, key: String = key, ts: String?, sig: String?, now: Int64? = nil) throws(KieError) -> WebhookEvent {
        try WebhookVerifier.verify(key: key, body: body, timestamp: ts, signature: sig, now: now ?? self.now)
    }

    @Test func validSignatureParsesTheEvent() throws {
        let sig = WebhookVerifier.sign(key: Self.key, taskId: "task12345", timestamp: now)
        let e = try verify(ts: String(now), sig: sig)
        #expect(e.taskId == "task12345" && e.isSuccess && e.resultUrls == ["https://example.com/result/image1.png"])
    }

    @Test func attacksAreRejected() {
        let sig = WebhookVerifier.sign(key: Self.key, taskId: "task12345", timestamp: now)
        let cases: [(String, () throws -> WebhookEvent)] = [
            ("wrong key", { try verify(key: "other", ts: String(now), sig: sig) }),
            ("old timestamp", { try verify(ts: String(now), sig: sig, now: now + 301) }),
            ("future timestamp", { try verify(ts: String(now), sig: sig, now: now - 301) }),
            ("missing timestamp", { try verify(ts: nil, sig: sig) }),
            ("missing signature", { try verify(ts: String(now), sig: nil) }),
            ("garbage signature", { try verify(ts: String(now), sig: "not base64!") }),
            ("other task", { try verify(Array(#"{"code":200,"data":{"taskId":"other"}}"#.utf8), ts: String(now), sig: sig) }),
        ]
        for (name, attempt) in cases {
            do { _ = try attempt(); Issue.record("\(name) accepted") } catch { #expect(KieError.wrap(error).status == .signature, "\(name)") }
        }
    }

    @Test(arguments: [
        #"{"data":{"taskId":"a"}}"#, #"{"data":{"task_id":"a"}}"#, #"{"taskId":"a"}"#, #"{"task_id":"a","data":{"taskId":""}}"#,
    ])
    func taskIdFromEveryDocumentedPlace(body: String) throws {
        let e = try WebhookEvent.parse(Array(body.utf8))
        #expect(e.taskId == "a")
    }

    @Test func failurePayload() throws {
        let e = try WebhookEvent.parse(Array(#"{"code":400,"msg":"flagged","data":{"taskId":"task12345","info":null}}"#.utf8))
        #expect(!e.isSuccess && e.code == 400 && e.resultUrls.isEmpty)
    }

    @Test func marketCallbacksParseAndVerify() throws {
        // The documented Market bodies (docs/kie-market-api.md §4), success and failure.
        let success = #"{"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"m1","model":"gpt-image-2-text-to-image","state":"success","param":"{}","resultJson":"{\"resultUrls\":[\"https://tempfile.aiquickdraw.com/a.png\"]}","failCode":null,"failMsg":null,"costTime":12,"completeTime":1234567890,"createTime":1234560000,"creditsConsumed":6.0}}"#
        let sig = WebhookVerifier.sign(key: Self.key, taskId: "m1", timestamp: now)
        let event = try WebhookVerifier.verify(key: Self.key, body: Array(success.utf8), timestamp: "\(now)", signature: sig, now: now)
        #expect(event.taskId == "m1" && event.isSuccess && event.resultUrls == ["https://tempfile.aiquickdraw.com/a.png"])
        let failure = #"{"code":501,"msg":"Playground task failed.","data":{"taskId":"m2","model":"x","state":"fail","param":"{}","failCode":"GENERATION_FAILED","failMsg":"The generation task failed."}}"#
        let failed = try WebhookEvent.parse(Array(failure.utf8))
        #expect(failed.taskId == "m2" && !failed.isSuccess && failed.resultUrls.isEmpty)
    }
}
