import Testing
@testable import KieImage

@Suite struct RecordInfoParserTests {
    func data(_ text: String) throws -> JSONValue { try JSON.parse(text) }

    // docs/kie-api.md §2c, real traffic 2026-03-29
    static let generating = #"{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","paramJson":"{\"enableFallback\":false,\"fileUrlOrPromptNotEmpty\":true,\"nVariantsValid\":true,\"prompt\":\"A serene mountain lake at sunset with reflections\",\"size\":\"1:1\"}","completeTime":null,"response":null,"successFlag":0,"status":"GENERATING","errorCode":null,"errorMessage":null,"createTime":1774788500000,"progress":"0.00"}"#
    static let success = #"{"taskId":"5fd1b68dbca66cddf73654e72e2094ea","paramJson":"{}","completeTime":1774788518000,"response":{"resultUrls":["https://tempfile.aiquickdraw.com/s/5fd1b68dbca66cddf73654e72e2094ea_0_1774788516_2971.png"]},"successFlag":1,"status":"SUCCESS","errorCode":null,"errorMessage":null,"createTime":1774788500000,"progress":"1.00"}"#

    @Test func realGeneratingAnswer() throws {
        let t = try RecordInfoParser.parse(data(Self.generating))
        #expect(t.status == .generating && t.successFlag == 0 && t.progress == 0)
        #expect(t.createTime == 1774788500000 && t.completeTime == nil)
        #expect(t.request["prompt"]?.stringValue == "A serene mountain lake at sunset with reflections")
        #expect(t.request["nVariantsValid"] == .bool(true))
    }

    @Test func realSuccessAnswer() throws {
        let t = try RecordInfoParser.parse(data(Self.success))
        #expect(t.isSuccess && t.progress == 1)
        #expect(t.resultUrls == ["https://tempfile.aiquickdraw.com/s/5fd1b68dbca66cddf73654e72e2094ea_0_1774788516_2971.png"])
        #expect(t.completeTime == 1774788518000)
    }

    @Test func quickstartVariantsSnakeCaseUrlsStringTimesNoStatus() throws {
        let t = try RecordInfoParser.parse(data(#"{"taskId":"t1","successFlag":1,"response":{"result_urls":["https://x/a.png"]},"createTime":"2024-01-15 10:30:00","completeTime":"2024-01-15 10:30:20","progress":"1.00"}"#))
        #expect(t.status == .success && t.resultUrls == ["https://x/a.png"])
        #expect(t.createTime == 1_705_314_600_000 && t.completeTime == 1_705_314_620_000)
    }

    @Test func progressAsDecimalStringOrNumber() throws {
        #expect(try RecordInfoParser.parse(data(#"{"taskId":"t","successFlag":0,"progress":"0.48"}"#)).progress == 0.48)
        #expect(try RecordInfoParser.parse(data(#"{"taskId":"t","successFlag":0,"progress":0.5}"#)).progress == 0.5)
        #expect(try RecordInfoParser.parse(data(#"{"taskId":"t","successFlag":0,"progress":"garbage"}"#)).progress == 0)
    }

    @Test(arguments: [("SUCCESS", KieTask.Status.success), ("success", .success), ("Generating", .generating),
                      ("generate_failed", .generateFailed), ("PAUSED", .success)])
    func statusWordsReadInAnyCaseUnknownOnesLeaveItToTheFlag(word: String, status: KieTask.Status) throws {
        #expect(try RecordInfoParser.parse(data(#"{"taskId":"t","successFlag":1,"status":"\#(word)"}"#)).status == status)
    }

    @Test(arguments: [
        (#"{"taskId":"t","successFlag":2,"status":"CREATE_TASK_FAILED","errorCode":400,"errorMessage":"bad"}"#, KieTask.Status.createTaskFailed),
        (#"{"taskId":"t","successFlag":3,"errorMessage":"Internal Error","errorCode":null}"#, .generateFailed),
        (#"{"taskId":"t","successFlag":3,"status":"GENERATING"}"#, .generateFailed),
        (#"{"taskId":"t","successFlag":7}"#, .generateFailed),
        (#"{"taskId":"t","status":"GENERATE_FAILED","successFlag":3,"errorCode":"500"}"#, .generateFailed),
    ])
    func anyFlagOutsideZeroAndOneIsTerminalFailure(json: String, status: KieTask.Status) throws {
        let t = try RecordInfoParser.parse(data(json))
        #expect(t.status == status && t.isTerminal && !t.isSuccess)
        #expect(t.failure.status == .taskFailed)
    }

    @Test func internalErrorMessageReachesTheFailure() throws {
        let t = try RecordInfoParser.parse(data(#"{"taskId":"t","successFlag":3,"errorMessage":"Internal Error"}"#))
        #expect(t.failure.message.contains("Internal Error"))
    }

    @Test func shapelessDataIsAProtocolError() {
        for bad in [#"{"taskId":"t"}"#, "[]", #""x""#] {
            do { _ = try RecordInfoParser.parse(data(bad)); Issue.record("accepted \(bad)") }
            catch let e as KieError { #expect(e.status == .protocol) }
            catch { Issue.record("unexpected \(error)") }
        }
    }
}

@Suite struct ErrorMappingTests {
    func decode(_ body: String, http: Int = 200) -> KieError? {
        do { _ = try ErrorMapping.decode(HTTPAnswer(status: http, body: Array(body.utf8)), redact: { $0.replacing("SECRET", with: "[REDACTED]") }); return nil }
        catch { return error }
    }

    @Test(arguments: [
        (400, KieStatus.validation), (401, .auth), (402, .insufficientCredits), (404, .notFound), (408, .timeout),
        (422, .validation), (429, .rateLimited), (451, .server), (455, .unavailable), (500, .server), (501, .server),
        (505, .server), (550, .unavailable),
    ])
    func everyDocumentedBodyCodeMapsToAStatus(code: Int, status: KieStatus) {
        let e = decode(#"{"code":\#(code),"msg":"m","data":null}"#)
        #expect(e?.status == status && e?.apiCode == code && e?.httpStatus == 200)
    }

    @Test func bodyCodeWinsOverHTTPStatus() {
        #expect(decode(#"{"code":200,"msg":"success","data":{"taskId":"a"}}"#, http: 500) == nil)
        #expect(decode(#"{"code":402,"msg":"m","data":null}"#, http: 200)?.status == .insufficientCredits)
    }

    @Test func httpErrorsWithoutEnvelope() {
        #expect(decode("<html>", http: 429)?.status == .rateLimited)
        #expect(decode("", http: 503)?.status == .unavailable)
        #expect(decode("", http: 502)?.status == .server)
    }

    @Test func unknownCodesAndMalformedBodiesAreProtocolErrorsWithRedactedRawText() {
        let unknown = decode(#"{"code":299,"msg":"odd","data":null}"#)
        #expect(unknown?.status == .protocol && unknown?.apiCode == 299)
        let malformed = decode(#"{"code":200,"msg":"succ SECRET"#)
        #expect(malformed?.status == .protocol)
        #expect(malformed?.raw?.contains("SECRET") == false)
        #expect(malformed?.raw?.contains("[REDACTED]") == true)
    }
}
