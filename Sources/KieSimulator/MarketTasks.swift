// Market tasks (docs/kie-market-api.md §3): states `waiting` -> `generating` -> `success` | `fail`
// on the simulator clock, and the recordInfo record in each recorded shape.

/// How a Market task ends, decided at createTask.
enum MarketOutcome: Sendable, Equatable {
    case success
    /// `failCode` (a string, as recorded) and `failMsg`. `instant`: a fail on the first poll with
    /// `costTime` and `completeTime` null, as the recorded "task id is blank" one.
    case fail(code: String, msg: String, instant: Bool)

    var name: String {
        switch self {
        case .success: return "success"
        case .fail(_, _, let instant): return instant ? "createTaskFailed" : "generateFailed"
        }
    }

    /// The recorded failure texts (docs/kie-market-api.md §3b) for the `[sim:...]` directives and
    /// `failureRates`.
    static func from(_ outcome: TaskOutcome) -> MarketOutcome {
        switch outcome {
        case .success: return .success
        case .createTaskFailed: return .fail(code: "422", msg: "generate playground failed, task id is blank", instant: true)
        case .generateFailed(let code, _):
            if code == 500 { return .fail(code: "500", msg: "Upload failed: Server internal error.", instant: false) }
            return .fail(code: String(code), msg: "The generation task failed.", instant: false)
        case .internalError: return .fail(code: "500", msg: "internal error, please try again later.", instant: false)
        }
    }
}

/// One Market task and what the simulator remembers about it.
struct MarketTask: Sendable {
    let taskId: String
    let apiKey: String
    let request: MarketRequest
    let createdAtMs: Int64
    /// `waiting` until this instant, then `generating`.
    let generatingAtMs: Int64
    let completeAtMs: Int64
    let outcome: MarketOutcome
    /// File names of the results on the file host (`/m/<name>`).
    let resultNames: [String]
    /// Credits charged at creation.
    let cost: Double
    /// The picture: ratio `W:H`, tier (`1K`...), and drawn pixel size.
    let ratio: String
    let tier: String
    let width: Int, height: Int
    /// The results' encoding (`output_format`).
    let format: ImageFormat
    var finalized = false
    /// Whether the credits went back (a failure with `refundOnFailure`).
    var refunded = false
    var hits: [Endpoint: Int] = [:]
    /// recordInfo calls answered "recordInfo is null" so far (transient not-found).
    var hiddenPolls = 0

    func state(nowMs: Int64) -> String {
        if nowMs >= completeAtMs { return outcome == .success ? "success" : "fail" }
        return nowMs < generatingAtMs ? "waiting" : "generating"
    }

    func resultUrls(fileBase: String) -> [String] { resultNames.map { "\(fileBase)/m/\($0)" } }

    /// The recordInfo `data` object at `nowMs`, keys in the recorded order of `shape`
    /// (docs/kie-market-api.md §3a/§3b). Callbacks carry the same object.
    func writeData(nowMs: Int64, shape: String, failFlag: Int, fileBase: String, into out: inout String) {
        let state = self.state(nowMs: nowMs)
        let urls = state == "success" ? resultUrls(fileBase: fileBase) : nil
        var resultObject = ""
        if let urls {
            resultObject = "{\"resultUrls\":"
            SimJSON.array(urls.map { .string($0) }).write(into: &resultObject)
            resultObject += "}"
        }
        let paramLiteral = SimJSON.quoted(request.param)
        out += "{\"taskId\":"
        SimJSON.writeString(taskId, into: &out)
        out += ",\"model\":"
        SimJSON.writeString(request.model, into: &out)
        out += ",\"state\":\"\(state)\",\"param\":" + paramLiteral
        out += ",\"resultJson\":"
        SimJSON.writeString(resultObject, into: &out)
        var failCode: String?
        var failMsg: String?
        var completed = state == "success"
        if state == "fail", case .fail(let code, let msg, let instant) = outcome {
            failCode = code
            failMsg = msg
            completed = !instant
        }
        out += ",\"failCode\":"
        if let failCode { SimJSON.writeString(failCode, into: &out) } else { out += "null" }
        out += ",\"failMsg\":"
        if let failMsg { SimJSON.writeString(failMsg, into: &out) } else { out += "null" }
        // costTime in whole seconds and completeTime in ms, both null until the end.
        out += ",\"costTime\":" + (completed ? String((completeAtMs - createdAtMs) / 1000) : "null")
        out += ",\"completeTime\":" + (completed ? String(completeAtMs) : "null")
        out += ",\"createTime\":\(createdAtMs)"
        guard shape != "2026-04" else { out += "}"; return }
        // One decimal even when whole (`6.0`); an uncharged failure shows 0.0.
        out += ",\"creditsConsumed\":" + SimJSON.formatDecimal(refunded ? 0 : cost)
        guard shape != "2026-08" else { out += "}"; return }
        out += ",\"operationType\":"
        SimJSON.writeString(request.model, into: &out)
        if !resultObject.isEmpty { out += ",\"response\":" + resultObject }
        let flag = state == "success" ? 1 : state == "fail" ? failFlag : 0
        out += ",\"successFlag\":\(flag),\"paramJson\":" + paramLiteral + "}"
    }
}

extension StateData {
    /// Market tasks whose end is due and not yet announced; marks them and settles refunds.
    mutating func finalizeDueMarket(nowMs: Int64) -> [MarketTask] {
        guard !marketPending.isEmpty else { return [] }
        var done: [MarketTask] = []
        for id in marketPending {
            guard let due = marketTasks[id]?.completeAtMs, due <= nowMs, let finished = finalizeMarket(id) else { continue }
            done.append(finished)
        }
        for task in done { marketPending.remove(task.taskId) }
        return done.sorted { $0.completeAtMs < $1.completeAtMs }
    }

    /// Marks one due task finished (refunding a failure when configured) and returns it.
    mutating func finalizeMarket(_ id: String) -> MarketTask? {
        guard var task = marketTasks[id], !task.finalized else { return nil }
        task.finalized = true
        if task.outcome != .success && config.refundOnFailure {
            balances[task.apiKey, default: 0] += task.cost
            task.refunded = true
        }
        marketTasks[id] = task
        marketPending.remove(id)
        return task
    }
}
