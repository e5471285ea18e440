/// Events of a wait or an async operation, in order: submitted, progress (on change only),
/// then exactly one of completed / failed (docs/c-api.md, "Events").
public enum WaitEvent: Sendable {
    case submitted(taskId: String, warnings: [String], family: String = "4o")
    case progress(taskId: String, progress: Double, status: String)
    case completed(KieTask, downloads: JSONValue?)
    case failed(KieError)

    public var isFinal: Bool {
        switch self {
        case .completed, .failed: true
        default: false
        }
    }

    public var status: KieStatus {
        if case .failed(let e) = self { return e.status }
        return .ok
    }

    /// The event with the caller's tag of its work item (docs/c-api.md, "Events").
    public func json(tag: String?) -> JSONValue {
        guard let tag, case .object(var o) = json else { return json }
        o["tag"] = .string(tag)
        return .object(o)
    }

    public var json: JSONValue {
        switch self {
        case .submitted(let id, let warnings, let family):
            var o: JSONObject = ["event": "submitted", "taskId": .string(id), "family": .string(family)]
            if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
            return .object(o)
        case .progress(let id, let p, let s):
            return ["event": "progress", "taskId": .string(id), "progress": .double(p), "status": .string(s)]
        case .completed(let task, let downloads):
            var o: JSONObject = ["event": "completed", "task": task.json]
            if let downloads { o["downloads"] = downloads }
            return .object(o)
        case .failed(let e):
            return ["event": "failed", "error": e.json]
        }
    }
}

/// Options of one wait (docs/c-api.md, "Wait JSON").
public struct WaitOptions: Sendable {
    public var poll: PollSettings
    public var downloadDir: String?
    /// How long after creating a task a not-found answer means "not visible yet".
    public var notFoundGraceMs: Int64
    /// The family to ask, for a task the client does not know (default: 4o, then Market).
    public var family: TaskFamily?
    /// `"wait": false` (kie_generate_async only): the operation ends once the task is submitted.
    public var wait = true

    public static let defaultNotFoundGraceMs: Int64 = 30_000

    public init(poll: PollSettings, downloadDir: String? = nil, notFoundGraceMs: Int64 = WaitOptions.defaultNotFoundGraceMs,
                family: TaskFamily? = nil) {
        self.poll = poll
        self.downloadDir = downloadDir
        self.notFoundGraceMs = notFoundGraceMs
        self.family = family
    }

    static let keys: Set<String> = ["deadlineMs", "initialMs", "maxMs", "download", "notFoundGraceMs", "family", "wait"]

    /// Parses wait JSON over the client's poll defaults; NULL or "" means defaults.
    public static func parse(json text: String?, defaults: PollSettings) throws(KieError) -> WaitOptions {
        var o = WaitOptions(poll: defaults)
        guard let text, !text.isEmpty else { return o }
        let obj: JSONObject
        do { obj = try JSON.parseObject(text, what: "wait options") } catch { throw .invalidArgument(error.description) }
        for key in obj.keys where !keys.contains(key) { throw .invalidArgument("wait options: unknown key '\(key)'", field: key) }
        let r = ConfigReader(obj, prefix: "")
        if let v = try r.int("deadlineMs", min: 1) { o.poll.deadlineMs = v }
        if let v = try r.int("initialMs", min: 0) { o.poll.initialMs = v }
        if let v = try r.int("maxMs", min: 1) { o.poll.maxMs = v }
        if let v = try r.int("notFoundGraceMs", min: 0) { o.notFoundGraceMs = v }
        if let v = try r.string("family") {
            guard let f = TaskFamily(rawValue: v) else { throw .invalidArgument("wait options: family must be \"4o\" or \"market\"", field: "family") }
            o.family = f
        }
        if let d = try r.object("download") {
            guard let dir = try ConfigReader(d, prefix: "download.").string("dir"), !dir.isEmpty else {
                throw .invalidArgument("wait options: download.dir must be a non-empty string", field: "download.dir")
            }
            o.downloadDir = dir
        }
        if let w = obj["wait"], !w.isNull {
            guard let b = w.boolValue else { throw .invalidArgument("wait options: wait must be true or false", field: "wait") }
            o.wait = b
        }
        return o
    }
}
