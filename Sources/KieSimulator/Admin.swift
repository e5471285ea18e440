import FoundationEssentials
import Hummingbird

/// The admin API under `/_sim/` on the API listener (no auth): reset, config, tasks, stats, clock,
/// callbacks, info. Errors here are plain HTTP 400/404/405 with `{"error": ".."}`.
extension Simulator {
    func admin(_ request: Request, path: String) async -> Response {
        state.withLock { $0.count("admin") }
        let error = Simulator.adminError, ok = Simulator.adminOK
        let method = request.method
        switch path {
        case "/_sim/reset":
            guard method == .post else { return error(.methodNotAllowed, "use POST") }
            reset()
            return ok(.object([("ok", .bool(true))]))
        case "/_sim/config":
            return await configEndpoint(request)
        case "/_sim/clock":
            return await clockEndpoint(request)
        case "/_sim/tasks", "/_sim/stats", "/_sim/callbacks", "/_sim/info":
            guard method == .get else { return error(.methodNotAllowed, "use GET") }
            return readEndpoint(path)
        default:
            return error(.notFound, "unknown admin path \(path)")
        }
    }

    /// The GET-only endpoints.
    private func readEndpoint(_ path: String) -> Response {
        switch path {
        case "/_sim/tasks": return Simulator.adminEncoded(["tasks": tasks()])
        case "/_sim/stats": return Simulator.adminEncoded(stats())
        case "/_sim/callbacks": return Simulator.adminEncoded(["callbacks": callbacks()])
        default:
            return Simulator.adminOK(.object([
                ("baseUrl", .string(baseURL)), ("uploadBaseUrl", .string(uploadBaseURL)), ("fileBaseUrl", .string(fileBaseURL)),
            ]))
        }
    }

    static func adminError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Reply(status: status, json: SimJSON.object([("error", .string(message))]).serialized).response
    }

    static func adminOK(_ value: SimJSON) -> Response { Reply(json: value.serialized).response }

    static func adminEncoded<T: Encodable>(_ value: T) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return adminError(.internalServerError, "encoding failed") }
        return Reply(status: .ok, contentType: "application/json", bytes: Array(data)).response
    }

    /// `GET /_sim/config`; `POST` merges the body's keys, `PUT` or `?replace=true` replaces.
    private func configEndpoint(_ request: Request) async -> Response {
        let method = request.method
        if method == .get { return Simulator.adminEncoded(config) }
        guard method == .post || method == .put else { return Simulator.adminError(.methodNotAllowed, "use GET or POST") }
        guard let body = await collect(request) else { return Simulator.adminError(.contentTooLarge, "body too large") }
        let replace = request.uri.queryParameters["replace"] == "true" || method == .put
        let result = replace ? SimulatorConfig.decode(json: body) : SimulatorConfig.merge(config, with: body)
        switch result {
        case .success(let newConfig):
            do {
                try setConfig(newConfig)
            } catch {
                return Reply(status: .badRequest, json: SimJSON.object([("error", .string("\(error)"))]).serialized).response
            }
            return Simulator.adminEncoded(newConfig)
        case .failure(let problem):
            return Simulator.adminError(.badRequest, problem.message)
        }
    }

    /// `GET /_sim/clock`; `POST {"advanceMs": n, "freeze": bool}` moves or freezes it first.
    private func clockEndpoint(_ request: Request) async -> Response {
        let error = Simulator.adminError
        if request.method == .post {
            guard let body = await collect(request), case .success(let json) = SimJSONParser.parse(body),
                json.objectValue != nil
            else { return error(.badRequest, "body must be {\"advanceMs\": n, \"freeze\": bool}") }
            if let freeze = json["freeze"] {
                guard let f = freeze.boolValue else { return error(.badRequest, "freeze must be a boolean") }
                freezeClock(f)
            }
            if let advance = json["advanceMs"] {
                guard let ms = advance.intValue, ms >= 0 else {
                    return error(.badRequest, "advanceMs must be a non-negative integer")
                }
                advanceClock(ms: Int64(ms))
            }
        } else if request.method != .get {
            return error(.methodNotAllowed, "use GET or POST")
        }
        let (now, offset, frozen) = state.withLock { ($0.clock.nowMs(), $0.clock.offsetMs, $0.clock.frozenRealMs != nil) }
        return Simulator.adminOK(.object([
            ("nowMs", .number(Double(now))), ("offsetMs", .number(Double(offset))), ("frozen", .bool(frozen)),
        ]))
    }

    /// Counters for `GET /_sim/stats`.
    public func stats() -> SimulatorStats {
        state.withLock { s in
            let windowMs = Int64(s.config.generateLimit.perMs)
            return SimulatorStats(
                requests: s.requestCounts, generateAccepted: s.generateAccepted, generateRateLimited: s.generateRateLimited, tasks: s.tasks.count,
                fileRequests: s.fileRequests, fileRequestsWithAuthorization: s.fileRequestsWithAuthorization,
                fileLog: s.fileLog, balances: s.balances, uploads: s.uploads.count,
                generates: s.generateLog.records, generatesTotal: s.generateLog.total, rejected429: s.generateRateLimited,
                windowMs: windowMs, generateLimit: s.config.generateLimit.requests,
                maxInWindow: GenerateLog.maxInWindow(s.generateLog.records.map(\.at), windowMs: windowMs),
                byKey: s.generateLog.byKey(windowMs: windowMs))
        }
    }
}

public struct SimulatorStats: Sendable, Codable, Equatable {
    /// Requests per endpoint name (`generate`, `record-info`, ..., `file`, `admin`, `unknown`, `wrong-method`).
    public var requests: [String: Int]
    public var generateAccepted: Int
    /// generate / createTask requests the rate window refused (429).
    public var generateRateLimited: Int
    public var tasks: Int
    public var fileRequests: Int
    public var fileRequestsWithAuthorization: Int
    public var fileLog: [FileRequestRecord]
    public var balances: [String: Double]
    public var uploads: Int
    /// Every admitted generate and createTask, oldest first (the first `GenerateLog.capacity`).
    public var generates: [GenerateRecord]
    /// All admitted, also past the list's capacity.
    public var generatesTotal: Int
    /// generate / createTask requests refused by a rate window (same as `generateRateLimited`).
    public var rejected429: Int
    /// The configured window (`generateLimit.perMs`) and limit (`generateLimit.requests`).
    public var windowMs: Int64
    public var generateLimit: Int
    /// The most admitted requests in any window, all accounts together.
    public var maxInWindow: Int
    /// Per account (`Simulator.keyId`): admitted, refused, most in any window.
    public var byKey: [String: KeyStats]
}
