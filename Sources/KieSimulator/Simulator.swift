import AsyncHTTPClient
import FoundationEssentials
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

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

    /// Finalizes every due task and starts its callbacks, and sends the delayed callbacks whose
    /// time has come.
    func finalizeAndNotify() {
        let (done, marketDone) = state.withLock { s in
            let now = s.clock.nowMs()
            return (s.finalizeDue(nowMs: now), s.finalizeDueMarket(nowMs: now))
        }
        for task in done { startCallbacks(for: task) }
        for task in marketDone { startMarketCallbacks(for: task) }
        let due = state.withLock { s in s.takeDueCallbacks(nowMs: s.clock.nowMs()) }
        if !due.isEmpty { send(due, releasingHeld: false) }
    }
}

public enum SimulatorError: Error, CustomStringConvertible {
    case listenFailed(String)
    public var description: String {
        switch self {
        case .listenFailed(let m): return m
        }
    }
}
