import Testing

@testable import KieSimulator

/// Error bodies as recorded in 2026 (docs/kie-api.md): not-found on each read, 433, the gateway 401.
@Suite("recorded error bodies")
struct RecordedErrorTests {
    static let unknownId = "0123456789abcdef0123456789abcdef"

    @Test func unknownTaskOnEachReadAnswersItsRecordedBody() async throws {
        try await withSimulator { sim in
            let record = try await get(sim.recordInfoURL(Self.unknownId))
            #expect(record.status == 200)
            #expect(record.text == #"{"code":422,"msg":"The record does not exist","data":null}"#)
            let link = try await post(sim.baseURL + "/api/v1/gpt4o-image/download-url",
                                      #"{"taskId":"\#(Self.unknownId)","url":"https://x/a.png"}"#)
            #expect(link.status == 200)
            #expect(link.text == #"{"code":422,"msg":"record is null","data":null}"#)
            let market = try await sim.marketRecord(Self.unknownId)
            #expect(market.status == 200)
            #expect(market.text == #"{"code":422,"msg":"recordInfo is null","data":null}"#)
        }
    }

    @Test func code433IsAFaultOnEveryEndpoint() async throws {
        let rule = FaultRule(endpoint: "*", action: FaultAction(bodyCode: 433))
        try await withSimulator(testConfig { $0.faults = [rule] }) { sim in
            let expected = "{\"code\":433,\"msg\":\"Request Limit \u{2013} Sub-key Usage Exceeds Limit\",\"data\":null}"
            let answers = [
                try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#),
                try await post(sim.createTaskURL, #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p"}}"#),
                try await get(sim.recordInfoURL(Self.unknownId)),
                try await sim.marketRecord(Self.unknownId),
                try await get(sim.baseURL + "/api/v1/chat/credit"),
                try await post(sim.baseURL + "/api/v1/common/download-url", #"{"url":"https://x/a.png"}"#),
            ]
            for answer in answers {
                #expect(answer.status == 200)
                #expect(answer.text == expected)
            }
            // Not carried out: nothing created, nothing charged.
            #expect(sim.tasks().isEmpty)
            #expect(sim.credits(apiKey: simKey) == 1000)
        }
    }

    @Test func unauthorizedHasNoDataKeyInEitherWording() async throws {
        try await withSimulator { sim in
            let old = try await get(sim.baseURL + "/api/v1/chat/credit", key: "wrong")
            #expect(old.text == #"{"code":401,"msg":"You do not have access permissions"}"#)
        }
        try await withSimulator(testConfig { $0.unauthorizedStyle = "gateway" }) { sim in
            let expected = "{\"code\":401,\"msg\":\"Unauthorized \u{2013} Authentication failed. Please check that your Authorization and Content-Type headers are correctly set.\"}"
            let answers = [
                try await get(sim.baseURL + "/api/v1/chat/credit", key: "wrong"),
                try await get(sim.recordInfoURL(Self.unknownId), key: nil),
                try await post(sim.createTaskURL, #"{"model":"m","input":{}}"#, key: "wrong"),
                try await get(sim.marketRecordInfoURL(Self.unknownId), key: "wrong"),
            ]
            for answer in answers {
                #expect(answer.status == 200)
                #expect(answer.text == expected)
            }
        }
    }

    @Test func unknownConfigValuesAreRefused() {
        var config = SimulatorConfig()
        config.unauthorizedStyle = "other"
        config.unknownTaskMode = "410"
        config.marketRecordShape = "2025"
        #expect(config.problems().count == 3)
    }
}
