import FoundationEssentials
import Testing

@testable import KieSimulator

@Suite("generate stats")
struct StatsTests {
    static let keyA = "sim-key-account-a"
    static let keyB = "sim-key-account-b"
    static let market = #"{"model":"gpt-image-2-text-to-image","input":{"prompt":"p"}}"#

    @Test func everyAdmittedGenerateIsListedWithItsArrivalPerAccount() async throws {
        let config = testConfig {
            $0.apiKeys = [Self.keyA: 1000, Self.keyB: 1000]
            $0.generateLimit = RateLimit(requests: 2, perMs: 10_000)
        }
        try await withSimulator(config) { sim in
            sim.freezeClock()
            let t0 = sim.nowMs
            let a1 = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#, key: Self.keyA)
            let a2 = try await sim.createMarketTask(Self.market, key: Self.keyA)
            let refused = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#, key: Self.keyA)
            #expect(refused.json?["code"]?.intValue == 429)
            let b1 = try await sim.createMarketTask(Self.market, key: Self.keyB)
            sim.advanceClock(ms: 10_000)
            let a3 = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#, key: Self.keyA)

            let stats = try await get(sim.baseURL + "/_sim/stats", key: nil)
            let json = try #require(stats.json)
            let generates = try #require(json["generates"]?.arrayValue)
            let ids = [a1.json?["data"]?["taskId"]?.stringValue, a2, b1, a3.json?["data"]?["taskId"]?.stringValue]
            #expect(generates.map { $0["taskId"]?.stringValue } == ids)
            #expect(generates.map { $0["family"]?.stringValue } == ["4o", "market", "market", "4o"])
            let (idA, idB) = (Simulator.keyId(Self.keyA), Simulator.keyId(Self.keyB))
            #expect(generates.map { $0["key"]?.stringValue } == [idA, idA, idB, idA])
            #expect(generates.map { $0["at"]?.intValue.map(Int64.init) } == [t0, t0, t0, t0 + 10_000])
            #expect(json["generatesTotal"]?.intValue == 4)
            #expect(json["rejected429"]?.intValue == 1)
            #expect(json["windowMs"]?.intValue == 10_000 && json["generateLimit"]?.intValue == 2)
            #expect(json["maxInWindow"]?.intValue == 3)  // both accounts at t0
            let byKey = json["byKey"]
            #expect(byKey?[idA]?["generates"]?.intValue == 3)
            #expect(byKey?[idA]?["rejected429"]?.intValue == 1)
            #expect(byKey?[idA]?["maxInWindow"]?.intValue == 2)
            #expect(byKey?[idB]?["generates"]?.intValue == 1)
            #expect(byKey?[idB]?["rejected429"]?.intValue == 0)
            #expect(byKey?[idB]?["maxInWindow"]?.intValue == 1)
            // Accounts are named by a hash: the keys themselves are not in the generate stats.
            let listed = (json["generates"]?.serialized ?? "") + (json["byKey"]?.serialized ?? "")
            #expect(!listed.contains(Self.keyA) && !listed.contains(Self.keyB))
            #expect(sim.stats().generates.count == 4)
        }
    }

    @Test func refusalsForCreditsAreNotCountedAndResetForgets() async throws {
        let config = testConfig { $0.apiKeys = [simKey: 6] }
        try await withSimulator(config) { sim in
            _ = try await sim.submit()
            let broke = try await post(sim.generateURL, #"{"prompt":"p","size":"1:1"}"#)
            #expect(broke.json?["code"]?.intValue == 402)
            var stats = sim.stats()
            #expect(stats.generates.count == 1 && stats.rejected429 == 0)
            #expect(stats.byKey[Simulator.keyId(simKey)] == KeyStats(generates: 1, rejected429: 0, maxInWindow: 1))
            sim.reset()
            stats = sim.stats()
            #expect(stats.generates.isEmpty && stats.generatesTotal == 0 && stats.byKey.isEmpty)
        }
    }

    @Test func windowsCountAsTheLimiterDoes() {
        // (t - window, t]: an arrival exactly one window later no longer shares a window.
        #expect(GenerateLog.maxInWindow([0, 9_999, 10_000], windowMs: 10_000) == 2)
        #expect(GenerateLog.maxInWindow([0, 1, 2], windowMs: 10_000) == 3)
        #expect(GenerateLog.maxInWindow([30_000, 0, 10_000, 20_000], windowMs: 10_000) == 1)
        #expect(GenerateLog.maxInWindow([5, 5, 5], windowMs: 0) == 3)
        #expect(GenerateLog.maxInWindow([], windowMs: 10_000) == 0)
    }

    @Test func keyIdIsStableAndHidesTheKey() {
        let id = Simulator.keyId("secret-key-123")
        #expect(id == Simulator.keyId("secret-key-123"))
        #expect(id.hasPrefix("key-") && id.count == 20 && !id.contains("secret"))
        #expect(id != Simulator.keyId("secret-key-124"))
    }
}
