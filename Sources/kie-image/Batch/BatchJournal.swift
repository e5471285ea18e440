import KieImage

/// What the journal knows about one batch line.
enum LineState: Sendable, Equatable {
    /// Nothing accepted yet: submit.
    case pending
    /// A generate was being sent when the process stopped, or was sent without an answer: the
    /// task may exist and be charged, so it is never resubmitted unless the user says so.
    case unknown(intentId: String, message: String)
    /// Accepted with this task id: poll (and download); never submit again.
    case submitted(taskId: String)
    /// Finished and downloaded.
    case done(taskId: String, files: [String])
    /// The task ended CREATE_TASK_FAILED / GENERATE_FAILED.
    case failed(taskId: String, message: String)
}

/// The batch's view of the core's durable task journal (API.md §5, `journalPath`): the core
/// writes `submitted` (with the line's tag) before generate returns and `succeeded`/`failed` when
/// a wait ends; the batch adds `downloaded` (with the files) and, around each submission, an
/// `intent` entry under its own id (`intent:<line>:<attempt>`), written just before the generate
/// is sent and resolved to `sent`, `rejected` or `unknown` after. A kill between sending and the
/// core's `submitted` record thus leaves a dangling intent: the line is reported as an unknown
/// outcome instead of being submitted twice.
struct BatchLedger: Sendable {
    let journal: TaskJournal

    static func tag(_ line: BatchLine) -> String { "batch:\(line.number):\(line.hash)" }

    /// Folds the journal into a state per line; throws when a line's text changed since.
    func states(for lines: [BatchLine], file: String) throws -> (states: [Int: LineState], attempts: [Int: Int]) {
        var byLine: [Int: BatchLine] = [:]
        for line in lines { byLine[line.number] = line }
        var states: [Int: LineState] = [:]
        var attempts: [Int: Int] = [:]
        // The core's replay keeps only each task's latest entry, and its own `succeeded`/`failed`
        // entries carry no tag: the intent's `sent` entry (detail: task id) links those back.
        var lineOfTask: [String: Int] = [:]
        for entry in journal.entries() {
            var number: Int?
            if let tag = entry.tag, tag.hasPrefix("batch:") {
                let parts = tag.split(separator: ":")
                guard parts.count == 3, let n = Int(parts[1]) else { continue }
                guard let line = byLine[n], String(parts[2]) == line.hash else {
                    throw CLIFailure.usage(
                        "line \(n) of \(file) changed (or is gone) since \(journal.path) was written; restore the file or use another --journal")
                }
                number = n
            } else {
                number = lineOfTask[entry.taskId]
            }
            guard let number else { continue }
            if entry.taskId.hasPrefix("intent:") {
                attempts[number, default: 0] += 1
                switch entry.state {
                case "intent": states[number] = .unknown(intentId: entry.taskId, message: "the process stopped while this line's generate was being sent")
                case "unknown": states[number] = .unknown(intentId: entry.taskId, message: entry.detail ?? "generate got no answer")
                case "sent": if let id = entry.detail { lineOfTask[id] = number }
                default: states[number] = .pending
                }
                continue
            }
            switch entry.state {
            case "downloaded":
                let files = entry.detail.flatMap { try? JSON.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
                states[number] = .done(taskId: entry.taskId, files: files)
            case "failed": states[number] = .failed(taskId: entry.taskId, message: entry.detail ?? "task failed")
            default: states[number] = .submitted(taskId: entry.taskId)
            }
        }
        return (states, attempts)
    }

    /// When earlier runs' generates were answered (or sent, if never answered), wall-clock ms.
    func submitTimes() -> [Int64] {
        journal.entries().filter { $0.taskId.hasPrefix("intent:") && ["sent", "intent", "unknown"].contains($0.state) }.map(\.time)
    }

    /// Written (fsync'd) just before the generate leaves; returns the intent's id.
    func intent(_ line: BatchLine, attempt: Int) throws -> String {
        let id = "intent:\(line.number):\(attempt)"
        try journal.record(taskId: id, state: "intent", tag: Self.tag(line))
        return id
    }

    /// `sent` (detail: the task id), `rejected` (nothing was created), `unknown`, or `retry`.
    func resolve(_ intentId: String, line: BatchLine, state: String, detail: String) throws {
        try journal.record(taskId: intentId, state: state, tag: Self.tag(line), detail: detail)
    }

    func downloaded(_ taskId: String, line: BatchLine, files: [String]) throws {
        try journal.record(taskId: taskId, state: "downloaded", tag: Self.tag(line), detail: JSON.serialize(.array(files.map { .string($0) })))
    }
}
