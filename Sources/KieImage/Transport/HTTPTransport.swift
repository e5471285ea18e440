import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Tracing

/// One HTTP attempt's inputs. The transport adds the Bearer key only for the configured API and
/// upload origins.
struct HTTPCall: Sendable {
    var method: HTTPMethod
    var url: String
    var headers: [(String, String)] = []
    var body: [UInt8]? = nil
    var timeoutMs: Int64
    var maxBodyBytes = 16 << 20
}

/// Executes HTTP calls on AsyncHTTPClient. API calls never follow redirects (a redirect must not
/// carry the key elsewhere); file downloads use a separate client that follows them and never
/// carries the key.
final class HTTPTransport: Sendable {
    private struct Clients: Sendable {
        let api: HTTPClient
        let files: HTTPClient
        /// The one event loop every call with a body runs on, task and connection alike (see `send`).
        let loop: any EventLoop
    }

    private enum State: Sendable {
        case notStarted
        case running(Clients)
        case shutDown
    }

    /// The two AsyncHTTPClients, made by the first request: a client that never calls starts no
    /// event loop threads (P6 in BENCHMARKS.md: `Client()` in a script that may not call at all).
    private let clients = Mutex(State.notStarted)
    private let connectTimeoutMs: Int64
    private let requestTimeoutMs: Int64
    private let keyOrigins: [URLParts]
    /// `Bearer <key>`, built once (never logged: see mayCarryKey for where it may go).
    private let authorization: String
    private let userAgent: String
    /// API requests in flight at once; the rest wait here, in order, not inside the pool.
    private let inFlight: InFlightLimit
    /// Which proxy each URL goes through, and the clients made for each proxy ("<proxy> api|files").
    let proxies: ProxySettings
    private let proxied = Mutex<[String: HTTPClient]>([:])

    init(config: ClientConfig) {
        connectTimeoutMs = config.connectTimeoutMs
        requestTimeoutMs = config.requestTimeoutMs
        keyOrigins = [config.baseUrl, config.uploadBaseUrl].compactMap(URLParts.init)
        authorization = "Bearer " + config.apiKey
        userAgent = config.userAgent
        inFlight = InFlightLimit(limit: ConcurrencyLimits.requestsOnTheWire)
        proxies = config.proxies
    }

    /// `client` (the API or the files client) for `url`, or its twin through the URL's proxy.
    private func route(_ url: String, files: Bool, _ client: HTTPClient) -> HTTPClient {
        guard let server = proxies.server(for: url) else { return client }
        let key = "\(server.host):\(server.port) \(server.hasCredentials) \(files ? "files" : "api")"
        return proxied.withLock { map in
            if let c = map[key] { return c }
            var configuration = files ? configurations().files : configurations().api
            configuration.proxy = server.configuration
            let c = HTTPClient(eventLoopGroup: NIOSingletons.posixEventLoopGroup, configuration: configuration)
            map[key] = c
            return c
        }
    }

    /// The API and file clients' configurations, made with the clients by the first request:
    /// `HTTPClient.Configuration()` looks up the bootstrapped tracer, a scan of the runtime's
    /// protocol conformances (~0.8M instructions) that `Client()` alone need not pay (P6).
    private func configurations() -> (api: HTTPClient.Configuration, files: HTTPClient.Configuration) {
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .milliseconds(connectTimeoutMs))
        c.redirectConfiguration = .disallow
        c.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: ConcurrencyLimits.connectionsPerHost)
        c.decompression = .disabled
        // With no tracer bootstrapped, AsyncHTTPClient would still open a no-op span per request
        // (a sizeable share of a record-info read's cost); nil skips it. A real tracer is kept.
        // (A cast, not the type's name: String(reflecting:) cost 4.5M instructions on first use.)
        if c.tracing.tracer is NoOpTracer {
            c.tracing.tracer = nil
        }
        var f = c
        f.redirectConfiguration = .follow(max: 5, allowCycles: false)
        // Downloads stream their body, and the deadline of AsyncHTTPClient's async API ends at the
        // response head: without an idle bound a file host that stalls midway would hold the
        // download forever. No byte for requestTimeoutMs fails the attempt (docs/c-api.md).
        f.timeout.read = .milliseconds(max(requestTimeoutMs, 1))
        return (c, f)
    }

    /// The HTTP clients, made on first use; nil once shut down.
    private func started() -> Clients? {
        clients.withLock { state in
            switch state {
            case .running(let c): return c
            case .shutDown: return nil
            case .notStarted:
                let group = NIOSingletons.posixEventLoopGroup
                let configured = configurations()
                let c = Clients(
                    api: HTTPClient(eventLoopGroup: group, configuration: configured.api),
                    files: HTTPClient(eventLoopGroup: group, configuration: configured.files),
                    loop: group.next())
                state = .running(c)
                return c
            }
        }
    }

    /// Whether the HTTP clients exist (the first request made them).
    var isStarted: Bool { clients.withLock { if case .running = $0 { true } else { false } } }

    func shutdown() async {
        let running = clients.withLock { state -> Clients? in
            defer { state = .shutDown }
            if case .running(let c) = state { return c }
            return nil
        }
        guard let running else { return }
        try? await running.api.shutdown()
        try? await running.files.shutdown()
        for c in proxied.withLock({ map in defer { map.removeAll() }; return Array(map.values) }) { try? await c.shutdown() }
    }

    /// Whether requests open tracing spans (only when the application bootstrapped a tracer).
    var opensSpans: Bool {
        let configured = configurations()
        return configured.api.tracing.tracer != nil || configured.files.tracing.tracer != nil
    }

    /// Marks the transport shut down when no request ever started it; false when it runs.
    func shutdownIfNotStarted() -> Bool {
        clients.withLock { state in
            if case .running = state { return false }
            state = .shutDown
            return true
        }
    }

    static let shutDown = TransportFailure(sent: false, timedOut: false, message: "the client is shut down")

    func mayCarryKey(_ url: String) -> Bool {
        guard let parts = URLParts(url) else { return false }
        return keyOrigins.contains { $0.sameOrigin(as: parts) }
    }

    /// One attempt. Throws `TransportFailure` for anything below HTTP, CancellationError when cancelled.
    /// A call that waits longer than its timeout for a slot fails as not sent (safe to retry);
    /// once it has a slot the request gets its whole timeout on the wire, so time spent queueing
    /// here never turns a generate into an unknown outcome.
    @inline(never)  // its frame (request, headers) lives only during the call, not in a caller's long-lived frame
    func send(_ call: HTTPCall) async throws -> HTTPAnswer {
        let budget = TimeAmount.milliseconds(max(call.timeoutMs, 1))
        let queued = NIODeadline.now() + budget
        try await inFlight.acquire()
        defer { inFlight.release() }
        guard NIODeadline.now() < queued else {
            throw TransportFailure(sent: false, timedOut: true, message: "no connection free before the timeout")
        }
        let deadline = NIODeadline.now() + budget
        var headers = HTTPHeaders()
        headers.reserveCapacity(4 + call.headers.count)
        headers.add(name: "User-Agent", value: userAgent)
        headers.add(name: "Accept", value: "application/json")
        for (k, v) in call.headers { headers.add(name: k, value: v) }
        guard let http = started() else { throw Self.shutDown }
        if mayCarryKey(call.url) { headers.add(name: "Authorization", value: authorization) }
        let client = route(call.url, files: false, http.api)
        do {
            let request = try HTTPClient.Request(
                url: call.url, method: call.method, headers: headers, body: call.body.map { .bytes($0) })
            // A request with a body runs on one event loop, its task and its connection alike.
            // With them on two loops, AsyncHTTPClient 1.37 completes the write of the request's end
            // through two loop hops; when the server answered before that end and then closes the
            // connection inside those hops, the pool is told a connection it already removed is
            // idle, and the process aborts ("A connection that we don't know was released?").
            // On one loop the completion runs inside the write. Calls without a body (reads) send
            // their end with their head, and keep the pool's choice of loop.
            let task = client.execute(
                request: request, delegate: AnswerCollector(maxBytes: call.maxBodyBytes),
                eventLoop: call.body == nil ? .indifferent : .delegateAndChannel(on: http.loop), deadline: deadline)
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let e as AnswerCollector.TooLarge {
            throw TransportFailure(sent: true, timedOut: false, message: "the answer is \(e)", oversized: true)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Self.classify(error)
        }
    }

    /// Streams a file download into `sink`, returning status and content type. No key is sent.
    /// A 200 whose content type `accept` refuses is not streamed and reports status 0.
    func download(
        url: String, timeoutMs: Int64, accept: (String?) -> Bool, sink: (ByteBuffer) throws -> Void
    ) async throws -> (status: Int, contentType: String?) {
        guard let http = started() else { throw Self.shutDown }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        do {
            let response = try await route(url, files: true, http.files).execute(request, timeout: .milliseconds(max(timeoutMs, 1)))
            let type = response.headers.first(name: "Content-Type")
            guard response.status == .ok, accept(type) else {
                _ = try? await response.body.collect(upTo: 1 << 16)
                return (response.status == .ok ? 0 : Int(response.status.code), type)
            }
            for try await chunk in response.body { try sink(chunk) }
            return (200, type)
        } catch is CancellationError {
            throw CancellationError()
        } catch let e as KieError {
            throw e
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw Self.classify(error)
        }
    }

    /// Whether the failed request may have reached the server. Only failures before a connection
    /// existed count as not sent; everything else might have been received.
    static func classify(_ error: any Error) -> TransportFailure {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost,
                .emptyScheme, .alreadyShutdown,
                // A proxy that refused or broke the CONNECT tunnel: the request never left (docs/inputs-proxies-budget.md, "Proxies").
                .proxyAuthenticationRequired, .invalidProxyResponse, .httpProxyHandshakeTimeout:
                return TransportFailure(sent: false, timedOut: e == .connectTimeout, message: "could not connect: \(e)")
            case .deadlineExceeded, .readTimeout:
                return TransportFailure(sent: true, timedOut: true, message: "no answer before the timeout")
            default:
                return TransportFailure(sent: true, timedOut: false, message: "connection failed: \(e)")
            }
        }
        if error is NIOConnectionError || (error as? ChannelError) == .connectTimeout(.zero) {
            return TransportFailure(sent: false, timedOut: false, message: "could not connect")
        }
        if let io = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(io.errnoCode) {
            return TransportFailure(sent: false, timedOut: false, message: "could not connect: \(io.description)")
        }
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("NIOSSL") || typeName.contains("ConnectionError") {
            return TransportFailure(sent: false, timedOut: false, message: "could not connect: \(typeName)")
        }
        return TransportFailure(sent: true, timedOut: false, message: "connection failed: \(typeName)")
    }

    /// Retry-After as seconds or an HTTP date is not sent by kie; accept integral seconds only.
    static func parseRetryAfter(_ value: String) -> Int64? {
        guard let s = Int64(String(value.trimmed)), s >= 0, s < 3600 else { return nil }
        return s * 1000
    }
}
