import KieImage
import KieSimulator

/// A simulator on free loopback ports and a client pointed at it, with a canary key.
struct SimHarness {
    static let key = "kie-canary-core-7f3a9c"
    let sim: Simulator
    let client: KieClient

    static func start(
        generationMs: Int = 200, configure: (inout SimulatorConfig) -> Void = { _ in },
        client tune: (inout ClientConfig) -> Void = { _ in }
    ) async throws -> SimHarness {
        var sc = SimulatorConfig()
        sc.apiKeys = [key: 1000]
        sc.generationMs = generationMs
        configure(&sc)
        let sim = try await Simulator.start(sc)
        var cc = ClientConfig(apiKey: key)
        cc.baseUrl = sim.baseURL
        cc.uploadBaseUrl = sim.uploadBaseURL
        cc.retry.baseMs = 20
        cc.retry.capMs = 200
        cc.requestTimeoutMs = 5_000
        cc.poll.initialMs = 50
        cc.poll.targetLatencyMs = 100
        cc.poll.maxMs = 300
        tune(&cc)
        return SimHarness(sim: sim, client: try KieClient(config: cc))
    }

    func stop() async {
        await client.shutdown()
        await sim.shutdown()
    }

    func generateCount() -> Int { sim.requestCounts()["generate"] ?? 0 }

    func request(_ prompt: String = "A beautiful sunset over the mountains", size: String = "1:1") throws -> ValidatedRequest {
        try RequestValidator.validate(json: #"{"prompt":"\#(prompt)","size":"\#(size)"}"#)
    }

    /// A GPT Image 2 request (kie's Market API).
    func marketRequest(_ prompt: String = "A lighthouse at dusk", aspect: String = "16:9", resolution: String? = nil) throws -> ValidatedRequest {
        let tier = resolution.map { #","resolution":"\#($0)""# } ?? ""
        return try RequestValidator.validate(
            json: #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"\#(prompt)","aspect_ratio":"\#(aspect)"\#(tier)}}"#)
    }

    var waitOptions: WaitOptions { WaitOptions(poll: client.config.poll) }
}

/// Runs `body` with a harness and always stops it.
func withSim(
    generationMs: Int = 200, configure: (inout SimulatorConfig) -> Void = { _ in },
    client tune: (inout ClientConfig) -> Void = { _ in }, _ body: (SimHarness) async throws -> Void
) async throws {
    let h = try await SimHarness.start(generationMs: generationMs, configure: configure, client: tune)
    do { try await body(h) } catch { await h.stop(); throw error }
    await h.stop()
}

func expectError(_ status: KieStatus, _ body: () async throws -> Void) async -> KieError? {
    do {
        try await body()
    } catch let e as KieError {
        if e.status != status { Issue.record("expected \(status.name), got \(e.status.name): \(e.message)") }
        return e
    } catch {
        Issue.record("expected KieError \(status.name), got \(error)")
        return nil
    }
    Issue.record("expected \(status.name), got success")
    return nil
}

import Testing
