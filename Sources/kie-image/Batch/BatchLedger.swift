import KieImage

/// The batch's view of the core journal (docs/journal.md): each line's work items carry the
/// tag `batch:<line>:<hash of its text>`, and the line's state is its latest work item's.
/// Everything else (intents, unknown outcomes, what a resume does with each state, the rate
/// limit of a restarted run) is the core's.
struct BatchLedger: Sendable {
    let client: KieClient
    let file: String
    let journalPath: String

    static func tag(_ line: BatchLine) -> String { "batch:\(line.number):\(line.hash)" }

    /// The latest journal entry of each line; throws when a line's text changed since.
    func latest(for lines: [BatchLine]) throws -> [Int: JournalEntry] {
        var byLine: [Int: BatchLine] = [:]
        for line in lines { byLine[line.number] = line }
        var latest: [Int: JournalEntry] = [:]
        for entry in try client.journalEntries() {
            guard let tag = entry.tag, tag.hasPrefix("batch:") else { continue }
            let parts = tag.split(separator: ":")
            guard parts.count == 3, let n = Int(parts[1]) else { continue }
            guard let line = byLine[n], String(parts[2]) == line.hash else {
                throw CLIFailure.usage(
                    "line \(n) of \(file) changed (or is gone) since \(journalPath) was written; restore the file or use another --journal")
            }
            latest[n] = entry
        }
        return latest
    }

    /// `--adopt LINE=TASKID`: attaches each task found in kie's logs to its line's unknown
    /// outcome through the core (which refuses a task made for another request).
    func adopt(_ adoptions: [Int: String], lines: [BatchLine], latest: inout [Int: JournalEntry]) async throws {
        for (number, taskId) in adoptions.sorted(by: { $0.key < $1.key }) {
            let option = "--adopt \(number)=\(taskId)"
            guard lines.contains(where: { $0.number == number }) else {
                throw CLIFailure.usage("\(option): \(file) has no request on line \(number)")
            }
            guard let entry = latest[number], entry.state == .unknown else {
                throw CLIFailure.usage("\(option): line \(number) has no unknown outcome; only such lines can adopt a task")
            }
            do {
                latest[number] = try await client.adopt(entry.id, taskId: taskId)
            } catch let e as KieError where e.field == "task_id" {
                throw CLIFailure.usage("\(option): \(e.message)")
            }
        }
    }

    /// What each line needs now: the core's resume plan decides from the line's latest entry
    /// (abandoning the unknown outcomes `resubmitUnknown` sends again); a line without one is
    /// submitted.
    func plan(_ lines: [BatchLine], latest: [Int: JournalEntry], options: ResumeOptions) throws -> BatchPlan {
        let steps = try client.resumePlan(options, entries: lines.compactMap { latest[$0.number] }).steps
        var byId: [String: ResumeStep] = [:]
        for step in steps { byId[step.entry.id] = step }
        var plan = BatchPlan()
        for line in lines {
            if let step = latest[line.number].flatMap({ byId[$0.id] }) {
                plan.add(line, step)
            } else {
                plan.work.append(BatchWork(line: line, entry: nil))
            }
        }
        return plan
    }
}

/// What a batch run starts from: the lines already settled (shown in the summary as they are)
/// and the lines that still need work.
struct BatchPlan: Sendable {
    var outcomes: [Int: BatchOutcome] = [:]
    var work: [BatchWork] = []

    /// Shows a line's resume step: its outcome when the core settled it, else its work.
    mutating func add(_ line: BatchLine, _ step: ResumeStep) {
        let entry = step.entry, n = line.number
        switch step.action {
        case .wait:
            work.append(BatchWork(line: line, entry: entry))
        case .submit:
            work.append(BatchWork(line: line, entry: nil))
        case .done:
            let files = entry.detail["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
            outcomes[n] = BatchOutcome(line: n, kind: .done, label: "DONE (earlier)", taskId: entry.taskId, files: files)
        case .failed:
            outcomes[n] = BatchOutcome(
                line: n, kind: .failed, label: "TASK_FAILED", status: .taskFailed, taskId: entry.taskId,
                message: (entry.detail.stringValue ?? "task failed") + " (earlier run; --retry-failed submits it again)")
        case .unknown, .sending:
            outcomes[n] = BatchOutcome(
                line: n, kind: .failed, label: "UNKNOWN_OUTCOME", status: .unknownOutcome,
                message: (entry.detail["message"]?.stringValue ?? "the process stopped while this line's generate was being sent")
                    + "; it may exist and be charged: check https://kie.ai/logs, then --adopt \(n)=TASKID or --resubmit-unknown")
        }
    }

    /// The display's starting counts.
    func counts(total: Int) -> BatchDisplay.Counts {
        var counts = BatchDisplay.Counts()
        counts.total = total
        counts.done = outcomes.values.filter { $0.kind == .done }.count
        counts.failed = outcomes.values.filter { $0.kind == .failed }.count
        counts.queued = work.count
        return counts
    }
}
