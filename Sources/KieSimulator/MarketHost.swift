import Hummingbird

/// The Market API on the API host (docs/kie-market-api.md): `POST /api/v1/jobs/createTask` and
/// `GET /api/v1/jobs/recordInfo?taskId=`. Auth, credits, the per-account generate window (shared
/// with 4o generate), faults and `[sim:...]` prompt directives work as for 4o generate.
extension Simulator {
    // MARK: createTask (docs/kie-market-api.md §2)

    func marketCreateTask(_ request: Request, key: String) async -> Reply {
        let body: SimJSON
        switch await jsonBody(request) {
        case .success(let v): body = v
        case .failure(let reply): return reply
        }
        let marketRequest: MarketRequest
        switch MarketRequest.validate(body) {
        case .success(let r): marketRequest = r
        case .failure(let rejection): return apiError(rejection.code, rejection.msg)
        }
        switch createMarketTask(marketRequest, key: key) {
        case .created(let taskId):
            // Every recorded answer has exactly this shape; recordId always equals taskId (docs/kie-market-api.md §2).
            return Reply(json: Simulator.envelope(
                code: 200, msg: "success", data: "{\"taskId\":\"\(taskId)\",\"recordId\":\"\(taskId)\"}"))
        case .rateLimited:
            return rateLimited()
        case .insufficientCredits:
            return apiError(402, Simulator.defaultMessage(402))
        }
    }

    func createMarketTask(_ request: MarketRequest, key: String) -> CreateResult {
        var rng = SystemRandomNumberGenerator()
        let taskId = Simulator.newTaskId()
        let suffix = Int.random(in: 1000...9999, using: &rng)
        return state.withLock { s -> CreateResult in
            let now = s.clock.nowMs()
            let config = s.config
            let model = MarketModel.table[request.model] ?? MarketModel.unknown(credits: config.marketDefaultCredits)
            let cost = model.credits(input: request.input)
            switch s.admitGenerate(key: key, cost: cost, nowMs: now) {
            case .insufficientCredits: return .insufficientCredits
            case .rateLimited: return .rateLimited
            case .admitted: break
            }

            var duration = config.marketGenerationMs.map { Int64($0) } ?? TaskPlanner.durationMs(config: config, rng: &s.durationRng)
            var outcome = TaskPlanner.outcome(rates: config.failureRates, rng: &s.outcomeRng)
            if config.promptDirectives {
                let d = TaskPlanner.directives(in: request.prompt)
                if let ms = d.ms { duration = ms }
                switch d.outcome {
                case "create_task_failed": outcome = .createTaskFailed(code: 422, message: "")
                case "internal_error": outcome = .internalError
                case "generate_failed": outcome = .generateFailed(code: d.code ?? 500, message: nil)
                default: break
                }
            }
            let marketOutcome = MarketOutcome.from(outcome)
            if case .fail(_, _, true) = marketOutcome { duration = min(duration, 1000) }
            let ratio = model.ratio(input: request.input)
            let tier = model.tier(input: request.input)
            let (width, height) = MarketModel.pixelSize(ratio: ratio, tier: tier, maxSide: config.marketMaxImageSide)
            let format = model.format(input: request.input)
            let name = "\(taskId)_0_\(suffix).\(format.fileExtension)"
            let task = MarketTask(
                taskId: taskId, apiKey: key, request: request, createdAtMs: now,
                generatingAtMs: now + Int64(config.marketWaitingMs), completeAtMs: now + duration, outcome: marketOutcome,
                resultNames: [name], cost: cost, ratio: ratio, tier: tier, width: width, height: height,
                format: format)
            s.marketTasks[taskId] = task
            s.taskOrder.append(taskId)
            s.marketPending.insert(taskId)
            s.marketResultIndex[name] = (taskId, 0)
            s.logGenerate(taskId: taskId, family: "market", apiKey: key, atMs: now)
            return .created(taskId)
        }
    }

    // MARK: recordInfo (docs/kie-market-api.md §3)

    func marketRecordInfo(_ request: Request, key: String) -> Reply {
        guard let raw = request.uri.queryParameters["taskId"], !raw.isEmpty else {
            return apiError(400, "taskId parameter is required")
        }
        let taskId = String(raw)
        let (reply, finished) = state.withLock { s -> (Reply, MarketTask?) in
            let mirror = s.config.errorHttpStatus == "mirror"
            // Unknown ids, other keys' tasks and 4o ids all answer the recorded not-found (docs/kie-market-api.md §3c).
            let notFound = Reply(status: mirror ? .unprocessableContent : .ok,
                                 json: Simulator.envelope(code: 422, msg: "recordInfo is null"))
            guard var task = s.marketTasks[taskId], task.apiKey == key else { return (notFound, nil) }
            task.hits[.marketRecordInfo, default: 0] += 1
            if task.hiddenPolls < s.config.marketTransientNotFound {
                task.hiddenPolls += 1
                s.marketTasks[taskId] = task
                return (notFound, nil)
            }
            s.marketTasks[taskId] = task
            let now = s.clock.nowMs()
            var finished: MarketTask?
            if !task.finalized && task.completeAtMs <= now {
                finished = s.finalizeMarket(taskId)
                if let finished { task = finished }
            }
            var out = "{\"code\":200,\"msg\":\"success\",\"data\":"
            task.writeData(nowMs: now, shape: s.config.marketRecordShape, failFlag: s.config.generateFailedFlag,
                           fileBase: s.fileBase, into: &out)
            out += "}"
            return (Reply(json: out), finished)
        }
        if let finished { startMarketCallbacks(for: finished) }
        return reply
    }

    // MARK: callbacks (docs/kie-market-api.md §4)

    /// POSTs `{"code":200,"msg":"Playground task completed successfully.","data":<record>}` or
    /// `{"code":501,"msg":"Playground task failed.","data":<record>}` to the task's callBackUrl,
    /// with the same retries, duplicates and HMAC headers (over the task id) as 4o callbacks.
    func startMarketCallbacks(for task: MarketTask) {
        guard let url = task.request.callBackUrl else { return }
        let (config, fileBase) = state.withLock { ($0.config, $0.fileBase) }
        let success = task.outcome == .success
        // `callbackTaskIdStyle` `all` also puts the id at the top and in `data.task_id`, as the
        // webhook guide's example does (docs/kie-market-api.md §4).
        let all = config.callbackTaskIdStyle == "all"
        var body = success
            ? "{\"code\":200,\"msg\":\"Playground task completed successfully.\","
            : "{\"code\":501,\"msg\":\"Playground task failed.\","
        if all { body += "\"taskId\":\"\(task.taskId)\"," }
        body += "\"data\":"
        var record = ""
        task.writeData(nowMs: task.completeAtMs, shape: config.marketRecordShape, failFlag: config.generateFailedFlag,
                       fileBase: fileBase, into: &record)
        if all, record.hasSuffix("}") { record = String(record.dropLast()) + ",\"task_id\":\"\(task.taskId)\"}" }
        body += record + "}"
        startDeliveries(taskId: task.taskId, url: url, body: body, config: config)
    }
}
