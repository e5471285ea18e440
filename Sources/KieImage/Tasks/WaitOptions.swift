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

    /// Parses wait JSON over the client's poll defaults; NULL or "" means defaults. `refusing`
    /// names keys the calling function does not act on (an option it would silently ignore is
    /// refused instead, naming the key).
    public static func parse(json text: String?, defaults: PollSettings, refusing: Set<String> = []) throws(KieError) -> WaitOptions {
        var o = WaitOptions(poll: defaults)
        guard let text, !text.isEmpty else { return o }
        let obj: JSONObject
        do { obj = try JSON.parseObject(text, what: "wait options") } catch { throw .invalidArgument(error.description) }
        for key in obj.keys where !keys.contains(key) { throw .invalidArgument("wait options: unknown key '\(key)'", field: key) }
        for key in obj.keys where refusing.contains(key) {
            throw .invalidArgument("wait options: '\(key)' does not apply to this call", field: key)
        }
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
