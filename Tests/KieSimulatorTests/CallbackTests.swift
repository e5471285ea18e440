import Crypto
import FoundationEssentials
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

@testable import KieSimulator

/// A loopback receiver for callbacks: records bodies and headers, answers with scripted statuses.
final class Receiver: Sendable {
    struct Received: Sendable {
        var body: String
        var timestamp: String?
        var signature: String?
        /// The request's query string, nil without one.
        var query: String?
    }
    final class Store: Sendable {
        let received = Mutex<[Received]>([])
        let statuses: Mutex<[Int]>
        init(statuses: [Int]) { self.statuses = Mutex(statuses) }
    }
    let store: Store
    let url: String
    private let task: Task<Void, Never>

    private init(url: String, store: Store, task: Task<Void, Never>) {
        self.url = url
        self.store = store
        self.task = task
    }

    /// What arrived so far, in order.
    var all: [Received] { store.received.withLock { $0 } }

    static func start(statuses: [Int] = []) async throws -> Receiver {
        let store = Store(statuses: statuses)
        let router = Router()
        router.post("/cb") { request, context -> Response in
            var buffer = try await request.body.collect(upTo: 1 << 20)
            let body = buffer.readString(length: buffer.readableBytes) ?? ""
            let timestamp = HTTPField.Name("X-Webhook-Timestamp").flatMap { request.headers[$0] }
            let signature = HTTPField.Name("X-Webhook-Signature").flatMap { request.headers[$0] }
            let query = request.uri.query
            store.received.withLock { $0.append(Received(body: body, timestamp: timestamp, signature: signature, query: query)) }
            let status = store.statuses.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            return Response(status: .init(code: status))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() })
        let task = Task<Void, Never> { try? await app.run() }
        var it = ports.makeAsyncIterator()
        let port = await it.next() ?? 0
        return Receiver(url: "http://127.0.0.1:\(port)/cb", store: store, task: task)
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}

@Suite("callbacks")
struct CallbackTests {
    @Test func successCallbackHasTheDocumentedBodyAndAValidSignature() async throws {
        let receiver = try await Receiver.start()
        try await withSimulator(testConfig { $0.webhookKey = "hook-secret" }) { sim in
            let taskId = try await sim.submit(#"{"prompt":"p","size":"1:1","callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 2000)
            try await sim.eventually { sim.callbacks().first?.state == "delivered" }
            let got = try #require(receiver.store.received.withLock { $0.first })
            let urls = sim.tasks()[0].resultUrls
            #expect(got.body == #"{"code":200,"msg":"success","data":{"taskId":"\#(taskId)","info":{"result_urls":["\#(urls[0])"]}}}"#)
            let ts = try #require(got.timestamp)
            #expect(Int(ts) != nil)
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(taskId).\(ts)".utf8), using: SymmetricKey(data: Array("hook-secret".utf8)))
            #expect(got.signature == Data(mac).base64EncodedString())
        }
        await receiver.stop()
    }

    @Test func failureCallbackCarriesCodeAndMessageAndNullInfo() async throws {
        let receiver = try await Receiver.start()
        try await withSimulator { sim in
            let taskId = try await sim.submit(#"{"prompt":"p [sim:generate_failed=400]","size":"1:1","callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 2000)
            try await sim.eventually { sim.callbacks().first?.state == "delivered" }
            let body = try #require(receiver.store.received.withLock { $0.first?.body })
            let json = try #require(try? SimJSONParser.parse(body).get())
            #expect(keys(json) == ["code", "msg", "data"])
            #expect(json["code"]?.intValue == 400)
            #expect(FailureTexts.code400.contains(json["msg"]?.stringValue ?? ""))
            #expect(json["data"] == .object([("taskId", .string(taskId)), ("info", .null)]))
            #expect(receiver.store.received.withLock { $0.first?.signature } == nil)
        }
        await receiver.stop()
    }

    @Test func failedDeliveriesAreRetriedThreeTimesThenAbandoned() async throws {
        let receiver = try await Receiver.start(statuses: [500, 500, 500, 500, 500])
        try await withSimulator { sim in
            _ = try await sim.submit(#"{"prompt":"p","size":"1:1","callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 2000)
            try await sim.eventually { sim.callbacks().first?.state == "failed" }
            #expect(sim.callbacks().first?.attempts == 4)
            #expect(sim.callbacks().first?.statuses == [500, 500, 500, 500])
        }
        await receiver.stop()
    }

    @Test func retryThenSuccessAndDuplicateDelivery() async throws {
        let receiver = try await Receiver.start(statuses: [503])
        try await withSimulator(testConfig { $0.callbackDuplicates = 1 }) { sim in
            _ = try await sim.submit(#"{"prompt":"p","size":"1:1","callBackUrl":"\#(receiver.url)"}"#)
            sim.advanceClock(ms: 2000)
            try await sim.eventually { sim.callbacks().count == 2 && sim.callbacks().allSatisfy { $0.state == "delivered" } }
            #expect(sim.callbacks().map(\.attempts) == [2, 1])
            #expect(receiver.store.received.withLock { $0.count } == 3)
        }
        await receiver.stop()
    }

    @Test func nonLoopbackCallbackURLsAreNeverContacted() async throws {
        try await withSimulator { sim in
            _ = try await sim.submit(#"{"prompt":"p","size":"1:1","callBackUrl":"https://example.com/cb"}"#)
            sim.advanceClock(ms: 2000)
            #expect(sim.callbacks().first?.state == "skipped")
            #expect(sim.callbacks().first?.attempts == 0)
        }
    }

    @Test func signatureMatchesTheGuideFormula() {
        let sig = CallbackPayload.signature(key: "k", taskId: "task12345", timestamp: "1769670760")
        let mac = HMAC<SHA256>.authenticationCode(for: Array("task12345.1769670760".utf8), using: SymmetricKey(data: Array("k".utf8)))
        #expect(sig == Data(mac).base64EncodedString())
        #expect(sig.count == 44)
    }
}
