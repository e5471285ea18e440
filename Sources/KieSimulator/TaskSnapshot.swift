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
