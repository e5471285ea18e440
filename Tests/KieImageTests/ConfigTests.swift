import Testing
@testable import KieImage

@Suite struct ConfigTests {
    func parse(_ json: String, env: [String: String] = [:]) throws(KieError) -> ClientConfig {
        try ClientConfig.parse(json: json, env: env)
    }

    @Test func defaultsAndEnvironment() throws {
        let c = try parse("{}", env: ["KIE_API_KEY": "k1", "KIE_BASE_URL": "http://127.0.0.1:1/"])
        #expect(c.apiKey == "k1" && c.baseUrl == "http://127.0.0.1:1")
        #expect(c.uploadBaseUrl == "https://kieai.redpandaai.co")
        #expect(try parse("{}", env: ["KIE_API_KEY": "k", "KIE_UPLOAD_BASE_URL": "http://127.0.0.1:2"]).uploadBaseUrl == "http://127.0.0.1:2")
        #expect(c.rateLimit.requests == 20 && c.rateLimit.perMs == 10_000)
    }

    @Test func explicitKeysWin() throws {
        let c = try parse(#"{"apiKey":"k2","baseUrl":"https://api.kie.ai","poll":{"initialMs":100,"maxMs":2000,"multiplier":2,"deadlineMs":5000},"rateLimit":{"requests":5,"perMs":1000},"maxRetries":2,"retryBaseMs":10,"retryMaxMs":100,"delivery":"queue"}"#, env: ["KIE_API_KEY": "k1"])
        #expect(c.apiKey == "k2" && c.poll.initialMs == 100 && c.poll.deadlineMs == 5000 && c.poll.multiplier == 2)
        #expect(c.rateLimit.requests == 5 && c.retry.maxRetries == 2 && c.retry.capMs == 100 && c.delivery == "queue")
    }

    @Test(arguments: [
        (#"{"apiKey":"k","bogus":1}"#, "bogus"),
        (#"{"apiKey":"k","poll":{"intervalMs":1}}"#, "poll.intervalMs"),
        (#"{"apiKey":"k","rateLimit":{"requests":-1}}"#, "rateLimit.requests"),
        (#"{"apiKey":"k","baseUrl":"api.kie.ai"}"#, "baseUrl"),
        (#"{"apiKey":"k","delivery":"fiber"}"#, "delivery"),
        (#"{"apiKey":"k","maxRetries":"3"}"#, "maxRetries"),
        (#"{}"#, "apiKey"),
    ])
    func badConfigNamesTheKey(json: String, key: String) {
        do { _ = try parse(json); Issue.record("accepted \(json)") } catch {
            #expect(error.status == .invalidArgument && error.field == key)
        }
    }
}
