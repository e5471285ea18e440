import Crypto
import FoundationEssentials
import Testing

@testable import KieSimulator

/// The task id a callback body names (`data.taskId`).
func callbackTaskId(_ body: String) -> String? {
    (try? SimJSONParser.parse(body).get())?["data"]?["taskId"]?.stringValue
}

func validSignature(key: String, taskId: String, timestamp: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(
        for: Array("\(taskId).\(timestamp)".utf8), using: SymmetricKey(data: Array(key.utf8)))
    return Data(mac).base64EncodedString()
}

@Suite("callback faults")
struct CallbackFaultTests {
    static func config(_ rules: [CallbackFaultRule], webhookKey: String? = nil) -> SimulatorConfig {
        testConfig {
            $0.callbackFaults = rules
            $0.webhookKey = webhookKey
        }
    }

    /// Submits a 4o task that ends `ms` after creation, reporting to `url`.
    static func submit(_ sim: Simulator, _ url: String, ms: Int = 1000) async throws -> String {
        try await sim.submit(#"{"prompt":"p [sim:ms=\#(ms)]","size":"1:1","callBackUrl":"\#(url)"}"#)
    }

    /// Runs `body` with a loopback receiver and a simulator with `rules` (and `webhookKey`).
    static func withReceiver(
        _ rules: [CallbackFaultRule], webhookKey: String? = nil, _ body: (Simulator, Receiver) async throws -> Void
    ) async throws {
        let receiver = try await Receiver.start()
        do {
            try await withSimulator(config(rules, webhookKey: webhookKey)) { try await body($0, receiver) }
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }

    /// Two tasks on a frozen clock ending 1 s and 2 s after creation; the clock is then moved
    /// past the first one's end only.
    static func twoTasks(_ sim: Simulator, _ url: String) async throws -> (first: String, second: String) {
        sim.freezeClock()
        let first = try await submit(sim, url, ms: 1000)
        let second = try await submit(sim, url, ms: 2000)
        sim.advanceClock(ms: 1_500)
        return (first, second)
    }

    @Test func theCallbackURLsQueryIsKept() async throws {
        let receiver = try await Receiver.start()
        try await withSimulator { sim in
            let url = receiver.url + "?token=a%2Fb&n=1"
            let taskId = try await Self.submit(sim, url)
            let marketId = try await sim.createMarketTask(
                #"{"model":"nano-banana-2","callBackUrl":"\#(url)&family=market","input":{"prompt":"p"}}"#)
            sim.advanceClock(ms: 5_000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks().allSatisfy { $0.state == "delivered" } }
            let got = receiver.all
            #expect(got.first { callbackTaskId($0.body) == taskId }?.query == "token=a%2Fb&n=1")
            #expect(got.first { callbackTaskId($0.body) == marketId }?.query == "token=a%2Fb&n=1&family=market")
            #expect(Set(sim.callbacks().map(\.url)) == [url, url + "&family=market"])
        }
        await receiver.stop()
    }

    @Test func aLostCallbackIsNeverSentAndThePollStillEnds() async throws {
        let rules = [CallbackFaultRule(match: FaultMatch(nth: 1), action: CallbackFaultAction(lose: true))]
        try await Self.withReceiver(rules) { sim, receiver in
            let (lost, sent) = try await Self.twoTasks(sim, receiver.url)
            sim.advanceClock(ms: 1_000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks()[1].state == "delivered" }
            #expect(sim.callbacks()[0].taskId == lost && sim.callbacks()[0].state == "lost")
            #expect(sim.callbacks()[0].attempts == 0)
            #expect(receiver.all.map { callbackTaskId($0.body) } == [sent])
            #expect(try await sim.recordInfo(lost)["data"]?["successFlag"]?.intValue == 1)
        }
    }

    @Test func aDelayedCallbackWaitsForTheClockAndArrivesAfterALaterOne() async throws {
        let rules = [CallbackFaultRule(match: FaultMatch(nth: 1), action: CallbackFaultAction(delayMs: 60_000))]
        try await Self.withReceiver(rules) { sim, receiver in
            let (late, prompt) = try await Self.twoTasks(sim, receiver.url)
            #expect(sim.callbacks().map(\.state) == ["held"])
            sim.advanceClock(ms: 1_000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks()[1].state == "delivered" }
            #expect(sim.callbacks()[0].state == "held" && receiver.all.count == 1)
            sim.advanceClock(ms: 60_000)
            try await sim.eventually { sim.callbacks()[0].state == "delivered" }
            #expect(receiver.all.map { callbackTaskId($0.body) } == [prompt, late])
        }
    }

    @Test func aReorderedCallbackIsHeldUntilTheNextOneWentOut() async throws {
        let rules = [CallbackFaultRule(match: FaultMatch(nth: 1), action: CallbackFaultAction(reorder: true))]
        try await Self.withReceiver(rules) { sim, receiver in
            let (first, second) = try await Self.twoTasks(sim, receiver.url)
            #expect(sim.callbacks().map(\.state) == ["held"])
            sim.advanceClock(ms: 1_000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks().allSatisfy { $0.state == "delivered" } }
            #expect(receiver.all.map { callbackTaskId($0.body) } == [second, first])
        }
    }

    @Test func duplicatesAddToTheConfiguredOnes() async throws {
        let receiver = try await Receiver.start()
        var config = Self.config([CallbackFaultRule(action: CallbackFaultAction(duplicates: 2))])
        config.callbackDuplicates = 1
        try await withSimulator(config) { sim in
            let taskId = try await Self.submit(sim, receiver.url)
            sim.advanceClock(ms: 2_000)
            try await sim.eventually { sim.callbacks().count == 4 && sim.callbacks().allSatisfy { $0.state == "delivered" } }
            #expect(sim.callbacks().map(\.delivery) == [0, 1, 2, 3])
            #expect(receiver.all.count == 4)
            #expect(Set(receiver.all.map(\.body)).count == 1 && callbackTaskId(receiver.all[0].body) == taskId)
        }
        await receiver.stop()
    }

    @Test(arguments: ["signature", "timestamp", "unknownTask", "unsigned"])
    func aForgeryComesFirstThenTheGenuineCallback(forgery: String) async throws {
        let key = "hook-secret"
        let rules = [CallbackFaultRule(action: CallbackFaultAction(forge: forgery))]
        try await Self.withReceiver(rules, webhookKey: key) { sim, receiver in
            let taskId = try await Self.submit(sim, receiver.url)
            sim.advanceClock(ms: 2_000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks().allSatisfy { $0.state == "delivered" } }
            #expect(sim.callbacks().map(\.forged) == [forgery, nil])
            let (forged, genuine) = (receiver.all[0], receiver.all[1])
            let gts = try #require(genuine.timestamp)
            #expect(callbackTaskId(genuine.body) == taskId)
            #expect(genuine.signature == validSignature(key: key, taskId: taskId, timestamp: gts))
            let forgedId = try #require(callbackTaskId(forged.body))
            switch forgery {
            case "signature":
                #expect(forgedId == taskId)
                let ts = try #require(forged.timestamp)
                #expect(forged.signature != nil && forged.signature != validSignature(key: key, taskId: taskId, timestamp: ts))
            case "timestamp":
                let ts = try #require(forged.timestamp)
                #expect(forgedId == taskId && (Int(ts) ?? .max) <= (Int(gts) ?? 0) - 600)
                #expect(forged.signature == validSignature(key: key, taskId: taskId, timestamp: ts))
            case "unknownTask":
                let ts = try #require(forged.timestamp)
                #expect(forgedId != taskId && forgedId.count == 32)
                #expect(!sim.tasks().contains { $0.taskId == forgedId })
                #expect(forged.signature == validSignature(key: key, taskId: forgedId, timestamp: ts))
            default:
                #expect(forgedId == taskId && forged.timestamp == nil && forged.signature == nil)
            }
        }
    }

    @Test func aForgeryAloneWhenTheGenuineOneIsLost() async throws {
        let rules = [CallbackFaultRule(action: CallbackFaultAction(lose: true, forge: "unknownTask"))]
        try await Self.withReceiver(rules, webhookKey: "k") { sim, receiver in
            let taskId = try await Self.submit(sim, receiver.url)
            sim.advanceClock(ms: 2_000)
            try await sim.eventually { sim.callbacks().first?.state == "delivered" }
            #expect(sim.callbacks().map(\.state) == ["delivered", "lost"])
            #expect(receiver.all.count == 1 && callbackTaskId(receiver.all[0].body) != taskId)
        }
    }

    @Test func callbackFaultsAreConfigurableAsJSONAndChecked() {
        let good = SimulatorConfig.decode(json: Array(#"{"callbackFaults":[{"match":{"every":2},"action":{"forge":"timestamp","ageMs":900000}}]}"#.utf8))
        #expect((try? good.get())?.callbackFaults == [
            CallbackFaultRule(match: FaultMatch(every: 2), action: CallbackFaultAction(forge: "timestamp", ageMs: 900_000)),
        ])
        for bad in [#"{"action":{"forge":"nonsense"}}"#, #"{"action":{"delayMs":-1}}"#,
                    #"{"action":{"delayMs":5,"reorder":true}}"#, #"{"match":{"nth":0},"action":{"lose":true}}"#] {
            let result = SimulatorConfig.decode(json: Array(#"{"callbackFaults":[\#(bad)]}"#.utf8))
            #expect((try? result.get()) == nil, "accepted \(bad)")
        }
    }
}
