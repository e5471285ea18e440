import AsyncHTTPClient
import FoundationEssentials
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local kie.ai 4o Image service: the API host, the upload host and the file host, each on its
/// own loopback listener, sharing one state.
public final class Simulator: Sendable {
    let state: Mutex<StateData>
    let images = ImageCache()
    let httpClient: HTTPClient
    /// Secret for the simulator's presigned download links.
    let presignSecret: [UInt8]
    private let background = Mutex<(next: Int, tasks: [Int: Task<Void, Never>])>((0, [:]))
    /// Each listener's task and the service group it runs in (stopped gracefully: see `shutdown`).
    private let listeners = Mutex<[(task: Task<Void, Never>, group: ServiceGroup)]>([])
    private let logger: Logger

    /// The API host, e.g. `http://127.0.0.1:41234`.
    public var baseURL: String { state.withLock { $0.apiBase } }
    /// The upload host (kie's `kieai.redpandaai.co`), e.g. `http://127.0.0.1:41235`.
    public var uploadBaseURL: String { state.withLock { $0.uploadBase } }
    /// The file host serving results and uploads, without auth.
    public var fileBaseURL: String { state.withLock { $0.fileBase } }

    private init(config: SimulatorConfig) {
        state = Mutex(StateData(config: config))
        var httpConfig = HTTPClient.Configuration()
        httpConfig.redirectConfiguration = .disallow
        httpConfig.timeout = .init(connect: .seconds(5), read: .seconds(30))
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        var rng = SystemRandomNumberGenerator()
        presignSecret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var logger = Logger(label: "kie-sim")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// Starts the three listeners (file host, upload host, API host) on loopback and returns once
    /// all of them accept connections.
    public static func start(_ config: SimulatorConfig = SimulatorConfig()) async throws -> Simulator {
        let problems = config.problems()
        guard problems.isEmpty else { throw ConfigError(message: problems.joined(separator: "; ")) }
        let sim = Simulator(config: config)
        let host = Simulator.loopbackHost(config.host)
        do {
            let filePort = try await sim.listen(host: host, port: config.filePort) { request, context in
                try await sim.fileHost(request, context)
            }
            sim.state.withLock { $0.fileBase = "http://\(Simulator.urlHost(host)):\(filePort)" }
            let uploadPort = try await sim.listen(host: host, port: config.uploadPort) { request, context in
                try await sim.uploadHost(request, context)
            }
            sim.state.withLock { $0.uploadBase = "http://\(Simulator.urlHost(host)):\(uploadPort)" }
            let apiPort = try await sim.listen(host: host, port: config.port) { request, context in
                try await sim.apiHost(request, context)
            }
            sim.state.withLock { $0.apiBase = "http://\(Simulator.urlHost(host)):\(apiPort)" }
        } catch {
            await sim.shutdown()
            throw error
        }
        sim.spawn {
            // Announces finished tasks (callbacks) even when nobody polls.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                sim.finalizeAndNotify()
            }
        }
        return sim
    }

    /// Stops the listeners, the background work and pending callbacks.
    /// Listeners stop gracefully: each closes its socket, serves the connections it has accepted
    /// and closes them, and is cancelled only after `listenerStopMs`. Cancelling a listener at once
    /// aborted the process whenever a connection had been accepted but not yet served (SwiftNIO's
    /// NIOAsyncChannel traps on a connection nobody ran: apple/swift-nio#3481).
    public func shutdown() async {
        let running = listeners.withLock { listeners in
            defer { listeners.removeAll() }
            return listeners
        }
        let pending = background.withLock { b in
            defer { b.tasks.removeAll() }
            return Array(b.tasks.values)
        }
        for listener in running { await listener.group.triggerGracefulShutdown() }
        for task in pending { task.cancel() }
        for task in running.map(\.task) + pending { await task.value }
        try? await httpClient.shutdown()
    }

    /// How long a stopping listener may take to finish the requests in flight (a hang or stall
    /// fault can hold one for seconds) before they are cancelled.
    static let listenerStopMs = 1_000

    static func loopbackHost(_ host: String) -> String {
        let h = host.lowercased()
        if h == "::1" || h == "localhost" || h.hasPrefix("127.") { return h == "localhost" ? "127.0.0.1" : h }
        return "127.0.0.1"
    }

    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    private func listen(
        host: String, port: Int,
        handler: @escaping @Sendable (Request, SimContext) async throws -> Response
    ) async throws -> Int {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        // Stopping by cancellation makes HummingbirdCore log each open connection as an error;
        // the listener's own failures still surface as `listenFailed`.
        var appLogger = logger
        appLogger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<SimContext>(callback: handler),
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: appLogger
        )
        var groupConfig = ServiceGroupConfiguration(services: [.init(service: app)], logger: appLogger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(Self.listenerStopMs)
        let group = ServiceGroup(configuration: groupConfig)
        let logger = self.logger
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("listener on \(host):\(port) stopped: \(error)")
            }
            continuation.finish()
        }
        listeners.withLock { $0.append((task, group)) }
        var iterator = stream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            throw SimulatorError.listenFailed("could not listen on \(host):\(port)")
        }
        return bound
    }

    /// Runs `work` in the background until it ends or the simulator shuts down.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        background.withLock { b in
            let id = b.next
            b.next += 1
            b.tasks[id] = Task { [weak self] in
                await work()
                _ = self?.background.withLock { $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Finalizes every due task and starts its callbacks.
    func finalizeAndNotify() {
        let (done, marketDone) = state.withLock { s in
            let now = s.clock.nowMs()
            return (s.finalizeDue(nowMs: now), s.finalizeDueMarket(nowMs: now))
        }
        for task in done { startCallbacks(for: task) }
        for task in marketDone { startMarketCallbacks(for: task) }
    }

    // MARK: in-process accessors for tests

    /// Moves the simulator clock forward (expiry, rate-limit windows, task completion).
    public func advanceClock(ms: Int64) {
        // Saturates far beyond any retention (a million years), so repeated moves cannot overflow.
        state.withLock { $0.clock.offsetMs = min($0.clock.offsetMs + min(max(0, ms), 1 << 50), 1 << 55) }
        finalizeAndNotify()
    }

    /// Stops (or restarts) the simulator clock; while frozen only `advanceClock` moves it.
    public func freezeClock(_ frozen: Bool = true) {
        state.withLock { s in
            if frozen {
                if s.clock.frozenRealMs == nil { s.clock.frozenRealMs = SimClock.realNowMs() }
            } else if let at = s.clock.frozenRealMs {
                // Carry on from the frozen instant: time never runs backwards.
                s.clock.offsetMs += at - SimClock.realNowMs()
                s.clock.frozenRealMs = nil
            }
        }
    }

    /// The simulator clock now, in ms since the epoch.
    public var nowMs: Int64 { state.withLock { $0.clock.nowMs() } }

    /// The configuration in force.
    public var config: SimulatorConfig { state.withLock { $0.config } }

    /// Replaces the configuration (listeners keep their ports). Balances are reset when `apiKeys`
    /// changes; fault counters start again.
    public func setConfig(_ config: SimulatorConfig) throws {
        let problems = config.problems()
        guard problems.isEmpty else { throw ConfigError(message: problems.joined(separator: "; ")) }
        state.withLock { s in
            let old = s.config
            s.config = config
            s.configVersion += 1
            s.faults = FaultEngine(rules: config.faults)
            if old.apiKeys != config.apiKeys { s.balances = config.apiKeys }
            if old.failureRates.seed != config.failureRates.seed { s.outcomeRng = SplitMix64(seed: config.failureRates.seed) }
            if old.generation?.seed != config.generation?.seed { s.durationRng = SplitMix64(seed: config.generation?.seed ?? 7) }
        }
    }

    /// Forgets tasks, uploads, callbacks, statistics and clock offset; balances back to the config.
    public func reset() {
        state.withLock { s in
            var fresh = StateData(config: s.config)
            fresh.apiBase = s.apiBase
            fresh.uploadBase = s.uploadBase
            fresh.fileBase = s.fileBase
            fresh.configVersion = s.configVersion + 1
            s = fresh
        }
    }

    /// Credits left for `apiKey`, nil for an unknown key.
    public func credits(apiKey: String) -> Double? { state.withLock { $0.balances[apiKey] } }

    /// Every task, oldest first.
    public func tasks() -> [TaskSnapshot] {
        state.withLock { s in
            let now = s.clock.nowMs()
            return s.taskOrder.compactMap { id in
                s.tasks[id].map { TaskSnapshot(task: $0, nowMs: now, state: s) }
                    ?? s.marketTasks[id].map { TaskSnapshot(market: $0, nowMs: now, state: s) }
            }
        }
    }

    /// Every callback delivery so far.
    public func callbacks() -> [CallbackRecord] { state.withLock { $0.callbacks } }

    /// Requests per endpoint name (`generate`, `record-info`, ..., `admin`, `unknown`).
    public func requestCounts() -> [String: Int] { state.withLock { $0.requestCounts } }

    /// Every request the file host received, with whether it carried an Authorization header.
    public func fileRequests() -> [FileRequestRecord] { state.withLock { $0.fileLog } }
}

public enum SimulatorError: Error, CustomStringConvertible {
    case listenFailed(String)
    public var description: String {
        switch self {
        case .listenFailed(let m): return m
        }
    }
}

/// A task as the admin API and tests see it.
public struct TaskSnapshot: Sendable, Codable, Equatable {
    public var taskId: String
    /// `4o` (gpt4o-image/generate) or `market` (jobs/createTask).
    public var family: String
    /// Market model id; nil for 4o.
    public var model: String?
    /// Market state word (`waiting`, `generating`, `success`, `fail`); nil for 4o.
    public var state: String?
    public var status: String
    public var successFlag: Int
    public var outcome: String
    public var createdAtMs: Int64
    public var completeAtMs: Int64
    public var nVariants: Int
    public var size: String
    public var cost: Double
    public var paramJson: String
    public var callBackUrl: String?
    public var resultUrls: [String]
    /// Requests per endpoint that named this task (`record-info`, `download-url`, `file`).
    public var hits: [String: Int]

    init(task: SimTask, nowMs: Int64, state: StateData) {
        let view = TaskView(task: task, nowMs: nowMs, config: state.config, fileBase: state.fileBase)
        taskId = task.taskId
        family = "4o"
        status = view.status
        successFlag = view.successFlag
        outcome = task.outcome.name
        createdAtMs = task.createdAtMs
        completeAtMs = task.completeAtMs
        nVariants = task.request.nVariants
        size = task.request.size
        cost = task.cost
        paramJson = task.request.paramJson
        callBackUrl = task.request.callBackUrl
        resultUrls = task.resultNames.map { "\(state.fileBase)/s/\($0)" }
        var h: [String: Int] = [:]
        for (k, v) in task.hits { h[k.rawValue] = v }
        hits = h
    }

    /// A Market task: `status` and `state` are its state word, `size` its ratio and tier
    /// (`16:9 1K`), `paramJson` its `param`.
    init(market task: MarketTask, nowMs: Int64, state s: StateData) {
        taskId = task.taskId
        family = "market"
        model = task.request.model
        let word = task.state(nowMs: nowMs)
        state = word
        status = word
        successFlag = word == "success" ? 1 : word == "fail" ? s.config.generateFailedFlag : 0
        outcome = task.outcome.name
        createdAtMs = task.createdAtMs
        completeAtMs = task.completeAtMs
        nVariants = task.resultNames.count
        size = "\(task.ratio) \(task.tier)"
        cost = task.refunded ? 0 : task.cost
        paramJson = task.request.param
        callBackUrl = task.request.callBackUrl
        resultUrls = task.resultUrls(fileBase: s.fileBase)
        var h: [String: Int] = [:]
        for (k, v) in task.hits { h[k.rawValue] = v }
        hits = h
    }
}

// MARK: - HTTP plumbing

/// Request context: Hummingbird's source plus the channel, so faults can drop the connection.
struct SimContext: InitializableFromSource {
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        channel = source.channel
    }
}

/// Thrown after a fault closed the connection; nothing more is written.
struct ConnectionDropped: Error {}

/// An answer before it becomes a Hummingbird `Response`.
struct Reply: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [.contentType: "application/json"]
    var body: ByteBuffer

    init(status: HTTPResponse.Status = .ok, json: String) {
        self.status = status
        body = ByteBuffer(string: json)
    }

    init(status: HTTPResponse.Status, contentType: String, bytes: [UInt8]) {
        self.status = status
        headers = [.contentType: contentType]
        body = ByteBuffer(bytes: bytes)
    }

    var response: Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// The answer with its head and first half sent at once, the rest after `ms` (the
    /// Content-Length is the whole body's, so a client sees a transfer stall midway).
    func stalled(forMs ms: Int) -> Response {
        let half = body.readableBytes / 2
        let first = body.getSlice(at: body.readerIndex, length: half) ?? ByteBuffer()
        let rest = body.getSlice(at: body.readerIndex + half, length: body.readableBytes - half) ?? ByteBuffer()
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.readableBytes) { writer in
            try await writer.write(first)
            try await Task.sleep(for: .milliseconds(ms))
            try await writer.write(rest)
            try await writer.finish(nil)
        })
    }
}

extension Simulator {
    /// Closes the connection at once with no HTTP answer (RST via SO_LINGER 0).
    func dropConnection(_ context: SimContext) async {
        let channel = context.channel
        if let provider = channel as? any SocketOptionProvider {
            _ = try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close().get()
    }

    /// Runs one request through the fault rules for its endpoint: latency, drop before, the work
    /// itself (when the action lets it happen), drop after, hang, and the answer's shape.
    func withFaults(
        _ endpoint: Endpoint, context: SimContext, fallback: @Sendable (FaultAction) -> Reply,
        work: () async -> Reply
    ) async throws -> Response {
        let action = state.withLock { s -> FaultAction? in
            s.count(endpoint.rawValue)
            return s.faults.decide(endpoint)
        }
        guard let action else { return await work().response }
        if let latency = action.latencyMs, latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
        if action.reset == "before" {
            await dropConnection(context)
            throw ConnectionDropped()
        }
        let processed: Reply? = action.processes ? await work() : nil
        if action.reset == "after" {
            await dropConnection(context)
            throw ConnectionDropped()
        }
        if let hang = action.hangMs {
            try? await Task.sleep(for: .milliseconds(hang))
            return (processed ?? fallback(action)).response
        }
        if let code = action.bodyCode {
            let msg = action.msg ?? Simulator.defaultMessage(code)
            return Reply(json: Simulator.envelope(code: code, msg: msg)).response
        }
        if let status = action.httpStatus {
            let msg = action.msg ?? Simulator.defaultMessage(status)
            return Reply(status: .init(code: status), json: Simulator.envelope(code: status, msg: msg)).response
        }
        if action.malformed == true {
            let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
            return Reply(json: html).response
        }
        if let stall = action.stallMs {
            return (processed ?? fallback(action)).stalled(forMs: stall)
        }
        if action.truncated == true {
            var reply = processed ?? fallback(action)
            let cut = reply.body.readableBytes / 2
            reply.body = reply.body.getSlice(at: reply.body.readerIndex, length: cut) ?? ByteBuffer()
            return reply.response
        }
        return (processed ?? fallback(action)).response
    }

    /// `{"code":..,"msg":..,"data":..}` with `data` already serialized.
    static func envelope(code: Int, msg: String, data: String = "null") -> String {
        var out = "{\"code\":\(code),\"msg\":"
        JSONValue.writeString(msg, into: &out)
        out += ",\"data\":" + data + "}"
        return out
    }

    static func defaultMessage(_ code: Int) -> String {
        switch code {
        case 200: return "success"
        case 400: return "The parameter is not in a valid JSON format"
        case 401: return "You do not have access permissions"
        case 402: return "The current credits are insufficient. Please top up."
        case 404: return "Not Found"
        case 408: return "Upstream is currently experiencing service issues. No result has been returned for over 10 minutes."
        case 422: return "Validation Error"
        case 429: return "The request rate limit has been exceeded. Please try again later."
        case 433: return "Request Limit \u{2013} Sub-key Usage Exceeds Limit"
        case 451: return "Failed to fetch the image"
        case 455: return "The system is currently undergoing maintenance. Please try again later."
        case 500: return "Server Error"
        case 501: return "Generation failed"
        case 503: return "Service Unavailable"
        case 505: return "The feature is disabled"
        case 550: return "Connection denied: the task was rejected because the queue is full"
        default: return "Error"
        }
    }

    /// Collects a body up to the configured limit; nil when it is larger.
    func collect(_ request: Request) async -> [UInt8]? {
        let limit = state.withLock { $0.config.maxBodyBytes }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return nil
        }
    }

    static func bearerKey(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let trimmed = header.trimmedSpaces
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let key = String(trimmed.dropFirst(7)).trimmedSpaces
        return key.isEmpty ? nil : key
    }
}

extension String {
    var trimmedSpaces: String {
        let chars = Substring(self)
        let start = chars.firstIndex(where: { $0 != " " && $0 != "\t" }) ?? chars.endIndex
        let end = chars.lastIndex(where: { $0 != " " && $0 != "\t" }).map { chars.index(after: $0) } ?? start
        return start < end ? String(chars[start..<end]) : ""
    }
}
