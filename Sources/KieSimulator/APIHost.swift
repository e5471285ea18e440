import Hummingbird

/// The API host (`api.kie.ai`): generate, record-info, download-url, common download-url,
/// credit, Market createTask and recordInfo (MarketHost.swift), plus the admin API under `/_sim/`. Application errors are HTTP 200 with the code in the
/// body (docs/kie-api.md §1) unless `errorHttpStatus` is `mirror`.
extension Simulator {
    static let apiRoutes: [String: (Endpoint, HTTPRequest.Method)] = [
        "/api/v1/gpt4o-image/generate": (.generate, .post),
        "/api/v1/gpt4o-image/record-info": (.recordInfo, .get),
        "/api/v1/gpt4o-image/download-url": (.downloadUrl, .post),
        "/api/v1/common/download-url": (.commonDownloadUrl, .post),
        "/api/v1/chat/credit": (.credit, .get),
        "/api/v1/jobs/createTask": (.createTask, .post),
        "/api/v1/jobs/recordInfo": (.marketRecordInfo, .get),
    ]

    func apiHost(_ request: Request, _ context: SimContext) async throws -> Response {
        let path = request.uri.path
        if path == "/_sim" || path.hasPrefix("/_sim/") {
            return await admin(request, path: path)
        }
        if path == "/api/v1/gpt4o-image/record-info", request.method == .get, let reply = recordInfoFastPath(request) {
            return reply.response
        }
        guard let (endpoint, method) = Simulator.apiRoutes[path] else {
            state.withLock { $0.count("unknown") }
            return Reply(status: .notFound, json: Simulator.envelope(code: 404, msg: "Not Found")).response
        }
        guard request.method == method else {
            state.withLock { $0.count("wrong-method") }
            var reply = Reply(
                status: .methodNotAllowed,
                json: Simulator.envelope(code: 405, msg: "Request method '\(request.method.rawValue)' is not supported"))
            reply.headers[.allow] = method.rawValue
            return reply.response
        }
        return try await withFaults(endpoint, context: context, fallback: { _ in self.genericSuccess(endpoint) }) {
            await self.handleAPI(endpoint, request)
        }
    }

    /// What a fault answer stands on when the request itself was not carried out.
    private func genericSuccess(_ endpoint: Endpoint) -> Reply {
        Reply(json: Simulator.envelope(code: 200, msg: "success"))
    }

    /// An application error answer, honouring `errorHttpStatus`.
    func apiError(_ code: Int, _ msg: String) -> Reply {
        let mirror = state.withLock { $0.config.errorHttpStatus == "mirror" }
        return Reply(status: mirror ? .init(code: code) : .ok, json: Simulator.envelope(code: code, msg: msg))
    }

    func unauthorized() -> Reply {
        state.withLock { Simulator.unauthorized($0.config) }
    }

    /// The 401 answer has no `data` key, in either wording (docs/kie-api.md).
    static func unauthorized(_ config: SimulatorConfig) -> Reply {
        let msg = config.unauthorizedStyle == "gateway" ? gatewayUnauthorizedMessage : defaultMessage(401)
        var json = "{\"code\":401,\"msg\":"
        SimJSON.writeString(msg, into: &json)
        json += "}"
        return Reply(status: config.errorHttpStatus == "mirror" ? .unauthorized : .ok, json: json)
    }

    static let gatewayUnauthorizedMessage =
        "Unauthorized \u{2013} Authentication failed. Please check that your Authorization and Content-Type headers are correctly set."

    func rateLimited() -> Reply {
        let (http, mirror) = state.withLock { ($0.config.rateLimitStyle == "http", $0.config.errorHttpStatus == "mirror") }
        return Reply(status: http || mirror ? .tooManyRequests : .ok,
                     json: Simulator.envelope(code: 429, msg: Simulator.defaultMessage(429)))
    }

    private func authorized(_ request: Request) -> String? {
        guard let key = Simulator.bearerKey(request) else { return nil }
        return state.withLock { $0.balances[key] != nil } ? key : nil
    }

    private func handleAPI(_ endpoint: Endpoint, _ request: Request) async -> Reply {
        guard let key = authorized(request) else { return unauthorized() }
        switch endpoint {
        case .generate: return await generate(request, key: key)
        case .recordInfo: return recordInfo(request, key: key)
        case .downloadUrl: return await taskDownloadURL(request, key: key)
        case .commonDownloadUrl: return await commonDownloadURL(request)
        case .createTask: return await marketCreateTask(request, key: key)
        case .marketRecordInfo: return marketRecordInfo(request, key: key)
        case .credit:
            let balance = state.withLock { $0.balances[key] ?? 0 }
            return Reply(json: Simulator.envelope(code: 200, msg: "success", data: SimJSON.formatDecimal(balance)))
        default: return apiError(404, "Not Found")
        }
    }

    /// Body as JSON, or the answer to give instead (413 too large, 400 not JSON).
    func jsonBody(_ request: Request) async -> Result<SimJSON, Reply> {
        guard let bytes = await collect(request) else {
            return .failure(Reply(status: .contentTooLarge, json: Simulator.envelope(code: 413, msg: "Request Entity Too Large")))
        }
        switch SimJSONParser.parse(bytes) {
        case .success(let v): return .success(v)
        case .failure: return .failure(apiError(400, Simulator.defaultMessage(400)))
        }
    }

    // MARK: generate

    private func generate(_ request: Request, key: String) async -> Reply {
        let body: SimJSON
        switch await jsonBody(request) {
        case .success(let v): body = v
        case .failure(let reply): return reply
        }
        let mode = state.withLock { $0.config.nVariantsMode }
        let generateRequest: FourOGenerateRequest
        switch FourOGenerateRequest.validate(body, nVariantsMode: mode) {
        case .success(let r): generateRequest = r
        case .failure(let rejection): return apiError(rejection.code, rejection.msg)
        }
        switch createTask(generateRequest, key: key) {
        case .created(let taskId):
            var data = "{\"taskId\":"
            SimJSON.writeString(taskId, into: &data)
            data += "}"
            return Reply(json: Simulator.envelope(code: 200, msg: "success", data: data))
        case .rateLimited:
            return rateLimited()
        case .insufficientCredits:
            return apiError(402, Simulator.defaultMessage(402))
        }
    }

    enum CreateResult {
        case created(String)
        case rateLimited
        case insufficientCredits
    }

    func createTask(_ request: FourOGenerateRequest, key: String) -> CreateResult {
        var rng = SystemRandomNumberGenerator()
        let taskId = Simulator.newTaskId()
        let suffixes = (0..<request.nVariants).map { _ in Int.random(in: 1000...9999, using: &rng) }
        return state.withLock { s -> CreateResult in
            let now = s.clock.nowMs()
            let config = s.config
            let cost = config.creditsPerVariant * Double(request.nVariants)
            switch s.admitGenerate(key: key, cost: cost, nowMs: now) {
            case .insufficientCredits: return .insufficientCredits
            case .rateLimited: return .rateLimited
            case .admitted: break
            }

            var duration = TaskPlanner.durationMs(config: config, rng: &s.durationRng)
            var outcome = TaskPlanner.outcome(rates: config.failureRates, rng: &s.outcomeRng)
            if config.promptDirectives {
                let d = TaskPlanner.directives(in: request.prompt)
                if let ms = d.ms { duration = ms }
                switch d.outcome {
                case "create_task_failed": outcome = .createTaskFailed(code: 400, message: FailureTexts.code400[0])
                case "internal_error": outcome = .internalError
                case "generate_failed": outcome = TaskPlanner.generateFailed(code: d.code, rng: &s.outcomeRng)
                default: break
                }
            }
            // An input on our own file host that is gone (expired upload) cannot be fetched: 451.
            let inputs = request.filesUrl + [request.fileUrl].compactMap { $0 }
            if outcome == .success, inputs.contains(where: { !s.fileExists(url: $0, nowMs: now) }) {
                outcome = .generateFailed(code: 451, message: FailureTexts.code451[0])
            }
            // CREATE_TASK_FAILED shows early; others at the end of the generation time.
            if case .createTaskFailed = outcome { duration = min(duration, 1000) }
            let completeAt = now + duration
            let unixSec = max(now / 1000, completeAt / 1000 - 2)
            let names = suffixes.enumerated().map { "\(taskId)_\($0.offset)_\(unixSec)_\($0.element).png" }
            let task = SimTask(
                taskId: taskId, apiKey: key, request: request,
                paramJsonLiteral: SimJSON.quoted(request.paramJson), createdAtMs: now, completeAtMs: completeAt,
                outcome: outcome, resultNames: names, cost: cost)
            s.tasks[taskId] = task
            s.taskOrder.append(taskId)
            s.pending.insert(taskId)
            for (i, name) in names.enumerated() { s.resultIndex[name] = (taskId, i) }
            s.logGenerate(taskId: taskId, family: "4o", apiKey: key, atMs: now)
            return .created(taskId)
        }
    }

    // MARK: record-info

    private func recordInfo(_ request: Request, key: String) -> Reply {
        guard let raw = request.uri.queryParameters["taskId"], !raw.isEmpty else {
            return apiError(422, "taskId cannot be empty")
        }
        let taskId = String(raw)
        let (reply, finished) = state.withLock { Simulator.recordInfo(&$0, taskId: taskId, key: key) }
        if let finished { startCallbacks(for: finished) }
        return reply
    }

    /// record-info with no fault rules installed: one lock for counting, auth and the answer. This
    /// is the endpoint clients hammer, and the simulator must never be a benchmark's bottleneck.
    func recordInfoFastPath(_ request: Request) -> Reply? {
        let key = Simulator.bearerKey(request)
        let taskId = request.uri.queryParameters["taskId"].map(String.init)
        let outcome = state.withLock { s -> (Reply, SimTask?)? in
            guard s.faults.rules.isEmpty else { return nil }
            s.count(Endpoint.recordInfo.rawValue)
            guard let key, s.balances[key] != nil else { return (Simulator.unauthorized(s.config), nil) }
            guard let taskId, !taskId.isEmpty else {
                let mirror = s.config.errorHttpStatus == "mirror"
                return (Reply(status: mirror ? .unprocessableContent : .ok,
                              json: Simulator.envelope(code: 422, msg: "taskId cannot be empty")), nil)
            }
            return Simulator.recordInfo(&s, taskId: taskId, key: key)
        }
        guard let (reply, finished) = outcome else { return nil }
        if let finished { startCallbacks(for: finished) }
        return reply
    }

    /// The record-info answer, under the state lock; also finalizes the task when it is due.
    static func recordInfo(_ s: inout StateData, taskId: String, key: String) -> (Reply, SimTask?) {
        guard let index = s.tasks.index(forKey: taskId), s.tasks.values[index].apiKey == key else {
            let mirror = s.config.errorHttpStatus == "mirror"
            switch s.config.unknownTaskMode {
            case "nullData":
                return (Reply(json: Simulator.envelope(code: 200, msg: "success")), nil)
            case "404":
                return (Reply(status: mirror ? .notFound : .ok, json: Simulator.envelope(code: 404, msg: "record is null")), nil)
            default:
                return (Reply(status: mirror ? .unprocessableContent : .ok,
                              json: Simulator.envelope(code: 422, msg: "The record does not exist")), nil)
            }
        }
        let now = s.clock.nowMs()
        let limit = s.config.recordInfoPerTaskPerSecond
        // Mutate in place: a copy of the task would copy its window and hit counts on every poll.
        guard s.tasks.values[index].recordInfoWindow.allow(nowMs: now, limit: limit, windowMs: 1000) else {
            let http = s.config.rateLimitStyle == "http" || s.config.errorHttpStatus == "mirror"
            return (Reply(status: http ? .tooManyRequests : .ok,
                          json: Simulator.envelope(code: 429, msg: Simulator.defaultMessage(429))), nil)
        }
        s.tasks.values[index].hits[.recordInfo, default: 0] += 1
        if let cached = s.tasks.values[index].finalAnswer, cached.version == s.configVersion {
            return (Reply(json: cached.json), nil)
        }
        var finished: SimTask?
        if !s.tasks.values[index].finalized && s.tasks.values[index].completeAtMs <= now {
            s.tasks.values[index].finalized = true
            let task = s.tasks.values[index]
            s.pending.remove(taskId)
            if task.outcome != .success && s.config.refundOnFailure { s.balances[task.apiKey, default: 0] += task.cost }
            finished = task
        }
        let task = s.tasks.values[index]
        let view = TaskView(task: task, nowMs: now, config: s.config, fileBase: s.fileBase)
        var out = "{\"code\":200,\"msg\":\"success\",\"data\":"
        out.reserveCapacity(512 + task.paramJsonLiteral.utf8.count)
        view.writeData(task: task, config: s.config, into: &out)
        out += "}"
        if view.isTerminal && task.finalized { s.tasks.values[index].finalAnswer = (s.configVersion, out) }
        return (Reply(json: out), finished)
    }

    // MARK: download links (docs/kie-api.md §4)

    private func taskDownloadURL(_ request: Request, key: String) async -> Reply {
        let body: SimJSON
        switch await jsonBody(request) {
        case .success(let v): body = v
        case .failure(let reply): return reply
        }
        guard body.objectValue != nil else { return apiError(400, Simulator.defaultMessage(400)) }
        guard let taskId = body["taskId"]?.stringValue, !taskId.isEmpty else { return apiError(422, "taskId cannot be empty") }
        guard let url = body["url"]?.stringValue, !url.isEmpty else { return apiError(422, "url cannot be empty") }
        let outcome = state.withLock { s -> Result<String, Refusal> in
            guard var task = s.tasks[taskId], task.apiKey == key else { return .failure(Refusal(msg: "record is null")) }
            task.hits[.downloadUrl, default: 0] += 1
            s.tasks[taskId] = task
            let now = s.clock.nowMs()
            if now - task.createdAtMs > s.config.resultRetentionMs {
                return .failure(Refusal(msg: "Temporarily supports records within 14 days"))
            }
            let view = TaskView(task: task, nowMs: now, config: s.config, fileBase: s.fileBase)
            guard view.status == "SUCCESS" else { return .failure(Refusal(msg: "record status is not success")) }
            guard let urls = view.resultUrls, !urls.isEmpty else { return .failure(Refusal(msg: "record result data is empty")) }
            guard urls.contains(url) else { return .failure(Refusal(msg: "record result data not exist")) }
            return .success(String(url.dropFirst(s.fileBase.count)))
        }
        switch outcome {
        case .success(let path):
            var data = ""
            SimJSON.writeString(presign(path: path), into: &data)
            return Reply(json: Simulator.envelope(code: 200, msg: "success", data: data))
        case .failure(let refusal):
            return apiError(422, refusal.msg)
        }
    }

    private func commonDownloadURL(_ request: Request) async -> Reply {
        let body: SimJSON
        switch await jsonBody(request) {
        case .success(let v): body = v
        case .failure(let reply): return reply
        }
        guard body.objectValue != nil else { return apiError(400, Simulator.defaultMessage(400)) }
        // Only kie-generated file URLs (results and uploads on our file host); anything else is
        // "url is wrong" (real, docs/kie-api.md §4a).
        let path = state.withLock { s -> String? in
            guard let url = body["url"]?.stringValue, url.hasPrefix(s.fileBase + "/") else { return nil }
            let path = String(url.dropFirst(s.fileBase.count))
            guard path.hasPrefix("/s/") || path.hasPrefix("/m/") || path.hasPrefix("/kieai/") else { return nil }
            return path.split(separator: "?", maxSplits: 1).first.map(String.init)
        }
        guard let path else { return apiError(422, "url is wrong") }
        var data = ""
        SimJSON.writeString(presign(path: path), into: &data)
        return Reply(json: Simulator.envelope(code: 200, msg: "success", data: data))
    }
}

extension StateData {
    /// Whether a URL on our file host names a file that can still be fetched; other URLs count as
    /// reachable (the simulator never fetches them).
    func fileExists(url: String, nowMs: Int64) -> Bool {
        guard !fileBase.isEmpty, url.hasPrefix(fileBase + "/") else { return true }
        let path = String(url.dropFirst(fileBase.count + 1)).split(separator: "?").first.map(String.init) ?? ""
        if path.hasPrefix("kieai/") {
            guard let file = uploads[path] else { return false }
            return nowMs - file.uploadedAtMs < config.uploadRetentionMs
        }
        if path.hasPrefix("s/") {
            guard let (taskId, _) = resultIndex[String(path.dropFirst(2))], let task = tasks[taskId] else { return false }
            return task.outcome == .success && nowMs >= task.completeAtMs && nowMs - task.completeAtMs < config.resultRetentionMs
        }
        if path.hasPrefix("m/") {
            guard let (taskId, _) = marketResultIndex[String(path.dropFirst(2))], let task = marketTasks[taskId] else { return false }
            return task.outcome == .success && nowMs >= task.completeAtMs && nowMs - task.completeAtMs < config.resultRetentionMs
        }
        return false
    }
}

extension Simulator {
    /// A fresh task id: 32 lowercase hex digits, as kie's are.
    static func newTaskId() -> String {
        var rng = SystemRandomNumberGenerator()
        return String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 16).leftPadded(16)
            + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 16).leftPadded(16)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A documented refusal text (body code 422).
struct Refusal: Error {
    let msg: String
}

extension Reply: Error {}
