import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Durable task journal (API.md §5): one JSON line per event, appended and fsync'd before the
/// caller learns of it. A generate's task id is written with its request *before* generate
/// returns, so after a crash the task is re-polled from the journal, never submitted again.
/// Corrupt or truncated lines (a crash mid-write) are skipped with a warning.
public final class TaskJournal: Sendable {
    public struct Entry: Sendable {
        public var taskId: String
        /// "submitted", "succeeded" or "failed".
        public var state: String
        public var request: JSONValue
        /// Caller's key for the work item (e.g. a batch line), to match tasks to inputs on resume.
        public var tag: String?
        public var time: Int64
        public var detail: String?

        public var isFinished: Bool { state != "submitted" }

        var json: JSONValue {
            var o: JSONObject = ["v": 1, "taskId": .string(taskId), "state": .string(state), "time": .int(time)]
            if let tag { o["tag"] = .string(tag) }
            if !request.isNull { o["request"] = request }
            if let detail { o["detail"] = .string(detail) }
            return .object(o)
        }

        init(taskId: String, state: String, request: JSONValue, tag: String?, time: Int64, detail: String?) {
            self.taskId = taskId
            self.state = state
            self.request = request
            self.tag = tag
            self.time = time
            self.detail = detail
        }

        init?(_ v: JSONValue) {
            guard let id = v["taskId"]?.stringValue, !id.isEmpty, let state = v["state"]?.stringValue else { return nil }
            self.init(taskId: id, state: state, request: v["request"] ?? .null, tag: v["tag"]?.stringValue,
                      time: v["time"]?.int64Value ?? 0, detail: v["detail"]?.stringValue)
        }
    }

    struct State {
        var fd: Int32
        var latest: [String: Entry] = [:]
        var order: [String] = []
    }

    public let path: String
    public let warnings: [String]
    private let state: Mutex<State>

    /// Opens (creating if needed) and replays the journal.
    public init(path: String) throws(KieError) {
        self.path = path
        var warnings: [String] = []
        var s = State(fd: -1)
        if let text = try? LocalFile.read(path, limit: 1 << 30) {
            for (n, line) in text.split(separator: UInt8(ascii: "\n")).enumerated() {
                guard let v = try? JSON.parse(Array(line)), let e = Entry(v) else {
                    warnings.append("\(path):\(n + 1): skipped a corrupt or truncated line")
                    continue
                }
                if s.latest[e.taskId] == nil { s.order.append(e.taskId) }
                s.latest[e.taskId] = Self.merge(s.latest[e.taskId], e)
            }
        }
        s.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard s.fd >= 0 else { throw KieError(.io, "cannot open journal \(path): \(Errno.text())") }
        // A crash mid-line leaves no newline: start on a fresh line so the next entry parses.
        if let last = (try? LocalFile.read(path, limit: 1 << 30))?.last, last != UInt8(ascii: "\n") {
            _ = write(s.fd, "\n", 1)
        }
        self.warnings = warnings
        state = Mutex(s)
    }

    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    /// Appends an entry and fsyncs before returning.
    public func record(taskId: String, state newState: String, request: JSONValue = .null, tag: String? = nil, detail: String? = nil) throws(KieError) {
        let entry = Entry(taskId: taskId, state: newState, request: request, tag: tag, time: Clock.nowMs(), detail: detail)
        let line = Array((JSON.serialize(entry.json) + "\n").utf8)
        let ok = state.withLock { s -> Bool in
            var written = 0
            while written < line.count {
                let n = line[written...].withUnsafeBytes { write(s.fd, $0.baseAddress, $0.count) }
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            guard fsync(s.fd) == 0 else { return false }
            if s.latest[taskId] == nil { s.order.append(taskId) }
            s.latest[taskId] = Self.merge(s.latest[taskId], entry)
            return true
        }
        guard ok else { throw KieError(.io, "cannot write journal \(path): \(Errno.text())", taskId: taskId) }
    }

    /// A task's state after `new`: its request and tag carry over from earlier entries, and a
    /// later "submitted" never downgrades a finished task. The one rule for replay and writes.
    static func merge(_ old: Entry?, _ new: Entry) -> Entry {
        guard let old else { return new }
        var e = old.isFinished && !new.isFinished ? old : new
        if e.request.isNull { e.request = old.request.isNull ? new.request : old.request }
        if e.tag == nil { e.tag = old.tag ?? new.tag }
        return e
    }

    /// Latest entry of every task, in first-seen order.
    public func entries() -> [Entry] {
        state.withLock { s in s.order.compactMap { s.latest[$0] } }
    }

    /// Tasks submitted but not known to have ended: poll these instead of submitting again.
    public func unfinished() -> [Entry] { entries().filter { !$0.isFinished } }
}
