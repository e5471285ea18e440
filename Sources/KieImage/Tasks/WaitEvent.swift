/// Events of a wait or an async operation, in order: submitted, progress (on change only),
/// then exactly one of completed / failed (API.md §1 "Events").
public enum WaitEvent: Sendable {
    case submitted(taskId: String, warnings: [String])
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

    public var json: JSONValue {
        switch self {
        case .submitted(let id, let warnings):
            var o: JSONObject = ["event": "submitted", "taskId": .string(id)]
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

/// Options of one wait (API.md §1 "Wait JSON").
public struct WaitOptions: Sendable {
    public var poll: PollSettings
    public var downloadDir: String?
    /// `"wait": false` (kie_generate_async only): the operation ends once the task is submitted.
    public var wait = true

    public init(poll: PollSettings, downloadDir: String? = nil) {
        self.poll = poll
        self.downloadDir = downloadDir
    }

    static let keys: Set<String> = ["deadlineMs", "initialMs", "maxMs", "download", "wait"]

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
