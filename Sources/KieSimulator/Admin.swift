import FoundationEssentials
import Hummingbird

/// The admin API under `/_sim/` on the API listener (no auth): reset, config, tasks, stats, clock,
/// callbacks, info. Errors here are plain HTTP 400/404/405 with `{"error": ".."}`.
extension Simulator {
    func admin(_ request: Request, path: String) async -> Response {
        state.withLock { $0.count("admin") }
        func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
            Reply(status: status, json: JSONValue.object([("error", .string(message))]).serialized).response
        }
        func ok(_ value: JSONValue) -> Response { Reply(json: value.serialized).response }
        func encoded<T: Encodable>(_ value: T) -> Response {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(value) else { return error(.internalServerError, "encoding failed") }
            return Reply(status: .ok, contentType: "application/json", bytes: Array(data)).response
        }
        let method = request.method
        switch path {
        case "/_sim/reset":
            guard method == .post else { return error(.methodNotAllowed, "use POST") }
            reset()
            return ok(.object([("ok", .bool(true))]))
        case "/_sim/config":
            if method == .get { return encoded(config) }
            guard method == .post || method == .put else { return error(.methodNotAllowed, "use GET or POST") }
            guard let body = await collect(request) else { return error(.contentTooLarge, "body too large") }
            let replace = request.uri.queryParameters["replace"] == "true" || method == .put
            let result = replace ? SimulatorConfig.decode(json: body) : SimulatorConfig.merge(config, with: body)
            switch result {
            case .success(let newConfig):
                do {
                    try setConfig(newConfig)
                } catch {
                    return Reply(status: .badRequest, json: JSONValue.object([("error", .string("\(error)"))]).serialized).response
                }
                return encoded(newConfig)
            case .failure(let problem):
                return error(.badRequest, problem.message)
            }
        case "/_sim/tasks":
            guard method == .get else { return error(.methodNotAllowed, "use GET") }
            return encoded(["tasks": tasks()])
        case "/_sim/stats":
            guard method == .get else { return error(.methodNotAllowed, "use GET") }
            return encoded(stats())
        case "/_sim/clock":
            if method == .post {
                guard let body = await collect(request), case .success(let json) = JSONParser.parse(body),
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
            } else if method != .get {
                return error(.methodNotAllowed, "use GET or POST")
            }
            let (now, offset, frozen) = state.withLock { ($0.clock.nowMs(), $0.clock.offsetMs, $0.clock.frozenRealMs != nil) }
            return ok(.object([("nowMs", .number(Double(now))), ("offsetMs", .number(Double(offset))), ("frozen", .bool(frozen))]))
        case "/_sim/callbacks":
            guard method == .get else { return error(.methodNotAllowed, "use GET") }
            return encoded(["callbacks": callbacks()])
        case "/_sim/info":
            guard method == .get else { return error(.methodNotAllowed, "use GET") }
            return ok(.object([
                ("baseUrl", .string(baseURL)), ("uploadBaseUrl", .string(uploadBaseURL)), ("fileBaseUrl", .string(fileBaseURL)),
            ]))
        default:
            return error(.notFound, "unknown admin path \(path)")
        }
    }

    /// Counters for `GET /_sim/stats`.
    public func stats() -> SimulatorStats {
        state.withLock { s in
            SimulatorStats(
                requests: s.requestCounts, generateAccepted: s.generateAccepted, generateRateLimited: s.generateRateLimited, tasks: s.tasks.count,
                fileRequests: s.fileRequests, fileRequestsWithAuthorization: s.fileRequestsWithAuthorization,
                fileLog: s.fileLog, balances: s.balances, uploads: s.uploads.count)
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
}
