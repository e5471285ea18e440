import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import Testing

@testable import KieSimulator

/// Test helpers: every test starts its own simulator on port 0 and talks HTTP to it.
struct HTTPAnswer {
    var status: Int
    var headers: [(String, String)]
    var bytes: [UInt8]
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var json: SimJSON? { try? SimJSONParser.parse(bytes).get() }
    func header(_ name: String) -> String? { headers.first(where: { $0.0.lowercased() == name.lowercased() })?.1 }
}

let simKey = "sim-key"

func testConfig(_ change: (inout SimulatorConfig) -> Void = { _ in }) -> SimulatorConfig {
    var c = SimulatorConfig()
    c.generationMs = 1000
    c.callbackRetryDelayMs = 10
    change(&c)
    return c
}

func withSimulator(_ config: SimulatorConfig = testConfig(), _ body: (Simulator) async throws -> Void) async throws {
    let sim = try await Simulator.start(config)
    do {
        try await body(sim)
    } catch {
        await sim.shutdown()
        throw error
    }
    await sim.shutdown()
}

func http(
    _ method: HTTPMethod, _ url: String, key: String? = simKey, body: [UInt8]? = nil,
    headers: [(String, String)] = [], timeoutMs: Int64 = 10000
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
    for (k, v) in headers { request.headers.add(name: k, value: v) }
    if let body {
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(timeoutMs))
    var buffer = try await response.body.collect(upTo: 64 << 20)
    return HTTPAnswer(
        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
        bytes: buffer.readBytes(length: buffer.readableBytes) ?? [])
}

func post(_ url: String, _ json: String, key: String? = simKey) async throws -> HTTPAnswer {
    try await http(.POST, url, key: key, body: Array(json.utf8))
}

func get(_ url: String, key: String? = simKey) async throws -> HTTPAnswer {
    try await http(.GET, url, key: key)
}

extension Simulator {
    var generateURL: String { baseURL + "/api/v1/gpt4o-image/generate" }
    func recordInfoURL(_ taskId: String) -> String { baseURL + "/api/v1/gpt4o-image/record-info?taskId=\(taskId)" }

    /// Submits a generate request and returns the taskId.
    func submit(_ json: String = #"{"prompt":"A serene mountain lake at sunset with reflections","size":"1:1"}"#) async throws -> String {
        let answer = try await post(generateURL, json)
        let taskId = try #require(answer.json?["data"]?["taskId"]?.stringValue, "generate answered \(answer.text)")
        return taskId
    }

    func recordInfo(_ taskId: String) async throws -> SimJSON {
        try #require(try await get(recordInfoURL(taskId)).json)
    }

    /// Waits (bounded) until `condition` holds; used for background callbacks, never for timing.
    func eventually(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<500 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("condition not met in 10 s")
    }
}

/// Keys of a JSON object in order.
func keys(_ value: SimJSON?) -> [String] {
    value?.objectValue?.map(\.0) ?? []
}

extension Simulator {
    var createTaskURL: String { baseURL + "/api/v1/jobs/createTask" }
    func marketRecordInfoURL(_ taskId: String) -> String { baseURL + "/api/v1/jobs/recordInfo?taskId=\(taskId)" }

    /// Submits a Market createTask and returns the taskId.
    func createMarketTask(_ json: String, key: String = simKey) async throws -> String {
        let answer = try await post(createTaskURL, json, key: key)
        return try #require(answer.json?["data"]?["taskId"]?.stringValue, "createTask answered \(answer.text)")
    }

    func marketRecord(_ taskId: String) async throws -> HTTPAnswer {
        try await get(marketRecordInfoURL(taskId))
    }
}
