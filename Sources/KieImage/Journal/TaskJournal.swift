import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The durable journal of work items (docs/journal.md): one JSON line per state change,
/// appended and fsync'd before the caller learns of it. Every generate writes an `intent` before
/// its request leaves, so a crash never loses a task that may exist and never makes the library
/// submit the same work twice. Corrupt or truncated lines (a crash mid-write) are skipped with a
/// warning; a torn last line is closed before the first append.
final class TaskJournal: Sendable {
    struct State {
        var fd: Int32
        var latest: [String: JournalEntry] = [:]
        var order: [String] = []
        var idOfTask: [String: String] = [:]
        /// Uploaded local inputs by content key (`UploadRecord`), latest upload of each.
        var uploads: [String: UploadRecord] = [:]
        /// Bytes of the file replayed so far (`refresh()` reads what other processes appended).
        var readOffset = 0
    }

    let path: String
    let warnings: [String]
    private let state: Mutex<State>

    /// Opens (creating if needed) and replays the journal. Intents left unsettled by an earlier
    /// process read `unknown`.
    init(path: String) throws(KieError) {
        self.path = path
        var warnings: [String] = []
        var s = State(fd: -1)
        let text = try? LocalFile.read(path, limit: 1 << 30)
        if let text {
            s.readOffset = text.count
            for (n, line) in text.split(separator: UInt8(ascii: "\n")).enumerated() {
                if let v = try? JSON.parse(Array(line)), let u = UploadRecord(line: v) {
                    s.uploads[u.key] = u
                    continue
                }
                guard let v = try? JSON.parse(Array(line)), let e = JournalEntry(line: v) else {
                    warnings.append("\(path):\(n + 1): skipped a corrupt or truncated line")
                    continue
                }
                Self.apply(e, to: &s)
            }
        }
        for (id, e) in s.latest {
            if e.state == .intent { s.latest[id]?.state = .unknown }
            if e.family.isEmpty { s.latest[id]?.family = "4o" }
        }
        s.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard s.fd >= 0 else { throw KieError(.io, "cannot open journal \(path): \(Errno.text())") }
        if let last = text?.last, last != UInt8(ascii: "\n") { _ = write(s.fd, "\n", 1); s.readOffset += 1 }
        self.warnings = warnings
        state = Mutex(s)
    }

    deinit { state.withLock { if $0.fd >= 0 { close($0.fd) } } }

    private static func apply(_ e: JournalEntry, to s: inout State) {
        if s.latest[e.id] == nil { s.order.append(e.id) }
        let merged = JournalEntry.merge(s.latest[e.id], e)
        s.latest[e.id] = merged
        if let t = merged.taskId { s.idOfTask[t] = e.id }
    }

    // MARK: writing

    /// Writes the intent of a generate about to be sent; returns the work item's id.
    func begin(request: JSONValue, family: String, tag: String?, price: Double? = nil, idempotencyKey: String? = nil) throws(KieError) -> String {
        let id = "w" + String(UInt64.random(in: 1...UInt64.max), radix: 16) + String(Clock.nowMs() % 1_000_000, radix: 16)
        let now = Clock.nowMs()
        var intent = JournalEntry(id: id, tag: tag, family: family, state: .intent, taskId: nil, request: request,
                                  time: now, sentAt: now, detail: .null, price: price)
        intent.idempotencyKey = idempotencyKey
        try append(intent)
        return id
    }

    /// Appends a state for a work item known by id.
    func settle(_ id: String, _ newState: JournalState, taskId: String? = nil, detail: JSONValue = .null) throws(KieError) {
        let base = state.withLock { $0.latest[id] }
        try append(JournalEntry(id: id, tag: base?.tag, family: base?.family ?? "4o", state: newState, taskId: taskId,
                                request: .null, time: Clock.nowMs(), sentAt: nil, detail: detail))
    }

    /// Appends a state for the work item of a task; tasks the journal does not hold (a wait on
    /// an id created elsewhere) are not journaled.
    func settle(taskId: String, _ newState: JournalState, detail: JSONValue = .null, credits: Double? = nil) throws(KieError) {
        guard let id = state.withLock({ $0.idOfTask[taskId] }) else { return }
        let base = state.withLock { $0.latest[id] }
        try append(JournalEntry(id: id, tag: base?.tag, family: base?.family ?? "4o", state: newState, taskId: taskId,
                                request: .null, time: Clock.nowMs(), sentAt: nil, detail: detail, credits: credits))
    }

    /// Settles an `unknown` entry (kie_journal_resolve): a task id found in kie's logs makes it
    /// `submitted` (the next resume waits for it); nil marks it `abandoned`. Resolving an entry
    /// the same way twice is a no-op.
    func resolve(_ id: String, taskId: String?) throws(KieError) -> JournalEntry {
        guard let e = entry(id: id) else { throw KieError(.notFound, "no journal entry \(id)", field: "id") }
        if let taskId, e.state == .submitted, e.taskId == taskId { return e }
        if taskId == nil, e.state == .abandoned { return e }
        guard e.state == .unknown else {
            throw KieError.invalidArgument("journal entry \(id) is \(e.state.rawValue), not unknown: only an unknown outcome can be resolved", field: "id")
        }
        if let taskId {
            if let other = state.withLock({ $0.idOfTask[taskId] }), other != id {
                throw KieError.invalidArgument("task \(taskId) already belongs to journal entry \(other)", field: "task_id")
            }
            try settle(id, .submitted, taskId: taskId, detail: "resolved: task found by the caller")
        } else {
            try settle(id, .abandoned, detail: "resolved: no task was created")
        }
        return entry(id: id) ?? e
    }

    /// Records the end of a task once: appends `newState` (with the task's record when a
    /// callback delivered it) unless the journal already holds an end for the task, whichever
    /// process wrote it. False when nothing was written (already ended, or a task it does not hold).
    @discardableResult
    func settleEnd(taskId: String, _ newState: JournalState, detail: JSONValue, record: JSONValue = .null,
                   credits: Double? = nil) throws(KieError) -> Bool {
        refresh()
        var failed = false
        let wrote = state.withLock { s -> Bool in
            guard let id = s.idOfTask[taskId], let base = s.latest[id], !base.state.isSettled else { return false }
            var e = JournalEntry(id: id, tag: base.tag, family: base.family, state: newState, taskId: taskId,
                                 request: .null, time: Clock.nowMs(), sentAt: nil, detail: detail, credits: credits)
            e.record = record
            failed = !Self.writeLine(e.line, fd: s.fd)
            if !failed { Self.apply(e, to: &s) }
            return !failed
        }
        if failed { throw KieError(.io, "cannot write journal \(path): \(Errno.text())", taskId: taskId) }
        return wrote
    }

    private func append(_ entry: JournalEntry) throws(KieError) {
        try appendLine(entry.line, taskId: entry.taskId) { Self.apply(entry, to: &$0) }
    }

    /// Records an uploaded local input (docs/journal.md, "Uploads").
    func recordUpload(_ record: UploadRecord) throws(KieError) {
        try appendLine(record.line, taskId: nil) { $0.uploads[record.key] = record }
    }

    /// The latest upload of a content key, if the journal holds one.
    func upload(key: String) -> UploadRecord? { state.withLock { $0.uploads[key] } }

    private func appendLine(_ value: JSONValue, taskId: String?, apply: (inout State) -> Void) throws(KieError) {
        let ok = state.withLock { s -> Bool in
            guard Self.writeLine(value, fd: s.fd) else { return false }
            apply(&s)
            return true
        }
        guard ok else { throw KieError(.io, "cannot write journal \(path): \(Errno.text())", taskId: taskId) }
    }

    /// Appends one line and syncs it; false when the write or the sync failed.
    private static func writeLine(_ value: JSONValue, fd: Int32) -> Bool {
        let line = Array((JSON.serialize(value) + "\n").utf8)
        var written = 0
        while written < line.count {
            let n = line[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return false }
            written += n
        }
        return fsync(fd) == 0
    }

    /// Replays the lines other processes appended since the last read (whole lines only; this
    /// process's own lines replay harmlessly: states only move forward).
    func refresh() {
        state.withLock { s in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, Int(st.st_size) > s.readOffset else { return }
            var bytes = [UInt8](repeating: 0, count: min(Int(st.st_size) - s.readOffset, 1 << 26))
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(s.readOffset)) }
            guard n > 0, let end = bytes[..<n].lastIndex(of: UInt8(ascii: "\n")) else { return }
            for line in bytes[...end].split(separator: UInt8(ascii: "\n")) {
                guard let v = try? JSON.parse(Array(line)) else { continue }
                if let u = UploadRecord(line: v) {
                    s.uploads[u.key] = u
                } else if let e = JournalEntry(line: v) {
                    Self.apply(e, to: &s)
                }
            }
            s.readOffset += end + 1
        }
    }

    // MARK: reading

    /// Latest entry of every work item, in first-seen order.
    func entries() -> [JournalEntry] {
        state.withLock { s in s.order.compactMap { s.latest[$0] } }
    }

    func entry(id: String) -> JournalEntry? { state.withLock { $0.latest[id] } }

    /// The latest work item sent with this idempotency key and not abandoned (an abandoned one
    /// was never sent, or was given up: the key may be sent again).
    func entry(idempotencyKey key: String) -> JournalEntry? {
        state.withLock { s in
            for id in s.order.reversed() {
                if let e = s.latest[id], e.idempotencyKey == key, e.state != .abandoned { return e }
            }
            return nil
        }
    }

    func entry(taskId: String) -> JournalEntry? {
        state.withLock { s in s.idOfTask[taskId].flatMap { s.latest[$0] } }
    }

    /// Generate sends (wall-clock ms), for seeding the rate limiter: for a send whose answer was
    /// journaled, the time of that answer (the server counted the send before it); for one still
    /// in flight when its process ended (`answered` false), the time it started.
    func sendTimes() -> [(atMs: Int64, answered: Bool)] {
        entries().compactMap { e in e.sentAt.map { (atMs: $0, answered: e.state != .intent) } }
    }
}
