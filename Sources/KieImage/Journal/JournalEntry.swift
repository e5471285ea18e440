/// The states of one work item in the journal (docs/journal.md). An `intent` is written before
/// a generate leaves; it is settled as `submitted` (kie answered with a task id), `rejected`
/// (kie refused it: nothing was created or charged) or `unknown` (no usable answer: a task may
/// exist). A submitted task ends `succeeded` or `failed`, and `downloaded` once its files are
/// saved. An intent found unsettled when the journal is reopened (the process died with the
/// request in flight) reads `unknown`; `kie_journal_resolve` turns `unknown` into `submitted`
/// (a task id found in kie's logs) or `abandoned` (the caller may submit the work again).
public enum JournalState: String, Sendable, CaseIterable {
    case intent, submitted, rejected, unknown, abandoned, succeeded, failed, downloaded

    /// Later states win over earlier ones on replay, whatever order lines were appended in.
    var rank: Int {
        switch self {
        case .intent: 0
        case .unknown: 1
        case .submitted: 2
        case .rejected, .abandoned, .succeeded, .failed: 3
        case .downloaded: 4
        }
    }

    /// A state the library will not act on by itself again.
    public var isSettled: Bool { rank >= 3 }
}

/// The latest state of one work item (one generate request), as `kie_journal_list` shows it.
public struct JournalEntry: Sendable, Equatable {
    /// The work item's id in the journal (not kie's task id).
    public var id: String
    public var tag: String?
    /// Request family: "4o" or "market" ("" only while replaying a line that does not say).
    public var family: String
    public var state: JournalState
    public var taskId: String?
    /// The body that was (or was about to be) sent.
    public var request: JSONValue
    /// Wall-clock ms of the latest state.
    public var time: Int64
    /// Wall-clock ms from which the send counts in kie's rate window, for the limiter of a
    /// restarted process: when its answer came (the latest the server can have counted it, the
    /// rule of `SlidingWindow`), or when it was sent if no answer was journaled.
    public var sentAt: Int64?
    /// A message (rejected, unknown, failed) or `{"files":[...]}` (downloaded).
    public var detail: JSONValue
    /// The price the budget reserved for the generate (on the intent line), in credits.
    public var price: Double?
    /// What kie charged for the task (`creditsConsumed`), once a wait saw it end.
    public var credits: Double?
    /// The task's record (record-info `data`) when a delivered callback ended it, so waits in
    /// other processes take the outcome without reading kie again (docs/webhooks.md).
    public var record: JSONValue = .null
    /// The request's `idempotencyKey` (on the intent line), when it had one.
    public var idempotencyKey: String?

    /// The contract's shape (docs/journal.md).
    public var json: JSONValue {
        .object([
            "id": .string(id), "tag": .string(tag), "family": .string(family), "state": .string(state.rawValue),
            "taskId": .string(taskId), "request": request, "time": .int(time), "detail": detail,
        ])
    }

    /// One appended line: only what this event adds (replay merges lines by id).
    var line: JSONValue {
        var o: JSONObject = ["v": 2, "id": .string(id), "state": .string(state.rawValue), "time": .int(time)]
        if let taskId { o["taskId"] = .string(taskId) }
        if state == .intent {
            o["family"] = .string(family)
            if let tag { o["tag"] = .string(tag) }
            o["request"] = request
            if let price { o["price"] = .double(price) }
            if let idempotencyKey { o["idempotencyKey"] = .string(idempotencyKey) }
        }
        if let credits { o["credits"] = .double(credits) }
        if !detail.isNull { o["detail"] = detail }
        if !record.isNull { o["record"] = record }
        return .object(o)
    }

    init(id: String, tag: String?, family: String, state: JournalState, taskId: String?, request: JSONValue,
         time: Int64, sentAt: Int64?, detail: JSONValue, price: Double? = nil, credits: Double? = nil) {
        self.id = id
        self.tag = tag
        self.family = family
        self.state = state
        self.taskId = taskId
        self.request = request
        self.time = time
        self.sentAt = sentAt
        self.detail = detail
        self.price = price
        self.credits = credits
    }

    /// Reads a line: version 2, or a version 1 line of kieimage 0.1 (keyed by task id; the CLI
    /// batch's `intent:` pseudo ids map onto intents).
    init?(line v: JSONValue) {
        let time = v["time"]?.int64Value ?? 0
        let detail = v["detail"] ?? .null
        if let id = v["id"]?.stringValue, !id.isEmpty {
            guard let word = v["state"]?.stringValue, let state = JournalState(rawValue: word) else { return nil }
            self.init(id: id, tag: v["tag"]?.stringValue, family: v["family"]?.stringValue ?? "", state: state,
                      taskId: v["taskId"]?.stringValue, request: v["request"] ?? .null, time: time,
                      sentAt: state == .intent ? time : nil, detail: detail,
                      price: v["price"]?.doubleValue, credits: v["credits"]?.doubleValue)
            record = v["record"] ?? .null
            idempotencyKey = v["idempotencyKey"]?.stringValue
            return
        }
        guard let taskId = v["taskId"]?.stringValue, !taskId.isEmpty, let word = v["state"]?.stringValue else { return nil }
        if taskId.hasPrefix("intent:") {
            let state: JournalState
            var task: String?
            switch word {
            case "intent": state = .intent
            case "sent": state = .submitted; task = detail.stringValue
            case "unknown": state = .unknown
            default: state = .rejected
            }
            self.init(id: taskId, tag: v["tag"]?.stringValue, family: "4o", state: state, taskId: task, request: .null,
                      time: time, sentAt: state == .intent ? time : nil, detail: state == .submitted ? .null : detail)
            return
        }
        guard let state = JournalState(rawValue: word) else { return nil }
        self.init(id: taskId, tag: v["tag"]?.stringValue, family: "4o", state: state, taskId: taskId,
                  request: v["request"] ?? .null, time: time, sentAt: nil,
                  detail: state == .downloaded ? (detail.stringValue.flatMap { try? JSON.parse(Array($0.utf8)) }.map { ["files": $0] } ?? detail) : detail)
    }

    /// The entry after `new` (a later line of the same id): states only move forward; request,
    /// tag, family and send time carry over from the intent.
    static func merge(_ old: JournalEntry?, _ new: JournalEntry) -> JournalEntry {
        guard let old else { return new }
        var e = new.state.rank >= old.state.rank ? new : old
        if e.request.isNull { e.request = old.request.isNull ? new.request : old.request }
        e.tag = e.tag ?? old.tag ?? new.tag
        e.taskId = e.taskId ?? old.taskId ?? new.taskId
        e.sentAt = old.state == .intent && new.state != .intent ? new.time : old.sentAt ?? new.sentAt
        e.family = old.family.isEmpty ? new.family : old.family
        e.price = old.price ?? new.price
        e.idempotencyKey = old.idempotencyKey ?? new.idempotencyKey
        e.credits = new.credits ?? old.credits
        if e.record.isNull { e.record = old.record.isNull ? new.record : old.record }
        return e
    }
}
