import KieImage

/// How one batch line ended in this run.
struct BatchOutcome: Sendable {
    enum Kind: Sendable { case done, failed, interrupted }
    var line: Int
    var kind: Kind
    /// `DONE`, `DONE (earlier)`, a KieStatus name (`TASK_FAILED`, `UNKNOWN_OUTCOME`, ...) or `INTERRUPTED`.
    var label: String
    var status: KieStatus?
    var taskId: String?
    var files: [String] = []
    var message: String?
}

/// Paces submissions to the API's generate limit before the journal's `intent` record, so the
/// record is written only when the request is about to leave (a kill while waiting for a slot
/// must not turn a never-sent line into an "unknown outcome" one).
actor SubmitGate {
    private var window: SlidingWindow
    init(_ settings: RateLimitSettings) { window = SlidingWindow(settings) }

    /// Waits for a slot; pass the returned id to `answered` once the generate has returned.
    func acquire() async throws -> UInt64 {
        while true {
            let now = Self.nowMs()
            let wait = window.delay(now: now)
            if wait <= 0 { return window.record(now: now) }
            try await Task.sleep(for: .milliseconds(wait + 5))
        }
    }

    /// Counts sends of an earlier run (wall-clock ms of their answers) that may still be in the
    /// server's window, so a resumed batch does not start with a burst the server refuses.
    func seed(answeredAtWallMs times: [Int64], wallNowMs: Int64) {
        let now = Self.nowMs()
        for t in times where wallNowMs - t < window.settings.perMs {
            window.answered(window.record(now: now), now: now - max(0, wallNowMs - t))
        }
    }

    /// The send counts in the window from its answer on (the core limiter's rule too).
    func answered(_ id: UInt64) { window.answered(id, now: Self.nowMs()) }

    private static let origin = ContinuousClock.now

    static func nowMs() -> Int64 {
        let (s, atto) = origin.duration(to: .now).components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}

/// Hands out lines to workers in file order; stops when the run is cancelled.
/// A line that still needs work, with the number of its earlier submission attempts.
struct BatchWork: Sendable {
    var line: BatchLine
    var state: LineState
    var attempts: Int
}

actor LineQueue {
    private var items: [BatchWork]
    init(_ items: [BatchWork]) { self.items = items.reversed() }
    func next() -> BatchWork? {
        guard !Task.isCancelled else { return nil }
        return items.popLast()
    }
}

actor OutcomeLog {
    private(set) var outcomes: [Int: BatchOutcome] = [:]
    func add(_ o: BatchOutcome) { outcomes[o.line] = o }
}

/// Runs the lines that still need work: submit (paced, journaled), wait, download, journal.
struct BatchRunner: Sendable {
    let client: KieClient
    let ledger: BatchLedger
    let out: String
    let concurrency: Int
    let timeoutSeconds: Int?
    let display: BatchDisplay
    let gate: SubmitGate

    func run(_ work: [BatchWork]) async -> [Int: BatchOutcome] {
        let queue = LineQueue(work)
        let log = OutcomeLog()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, min(concurrency, work.count)) {
                group.addTask {
                    while let item = await queue.next() {
                        await log.add(await process(item))
                    }
                }
            }
        }
        var outcomes = await log.outcomes
        for item in work where outcomes[item.line.number] == nil {
            outcomes[item.line.number] = BatchOutcome(line: item.line.number, kind: .interrupted, label: "INTERRUPTED")
        }
        return outcomes
    }

    func process(_ item: BatchWork) async -> BatchOutcome {
        let line = item.line
        var state = item.state
        if case .pending = state {
            guard case .success(let request) = line.request else {
                let e = line.request.failure
                display.event("line \(line.number): \(e?.status.name ?? "VALIDATION")", finished: true) { $0.queued -= 1; $0.failed += 1 }
                return failure(line, e ?? KieError(.validation, "invalid request", field: nil), taskId: nil)
            }
            let slot: UInt64
            do { slot = try await gate.acquire() } catch {
                return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED")
            }
            display.event("line \(line.number): submitting") { $0.queued -= 1; $0.running += 1 }
            let intentId: String
            do {
                intentId = try ledger.intent(line, attempt: item.attempts + 1)
            } catch {
                await gate.answered(slot)
                display.event("line \(line.number): IO", finished: true) { $0.running -= 1; $0.failed += 1 }
                return failure(line, KieError.wrap(error), taskId: nil)
            }
            // Not cancelled by Ctrl-C: once sent, the answer (a task id) must reach the journal.
            let client = self.client
            let tag = BatchLedger.tag(line)
            let result = await Task { try await client.generate(request, tag: tag) }.result
            await gate.answered(slot)
            switch result {
            case .success(let submitted):
                try? ledger.resolve(intentId, line: line, state: "sent", detail: submitted.taskId)
                display.event("line \(line.number): submitted \(submitted.taskId)") { _ in }
                state = .submitted(taskId: submitted.taskId)
            case .failure(let error):
                let e = KieError.wrap(error)
                // An IO error with a task id: accepted, but the journal write failed. Leave the
                // intent dangling so a rerun reports it instead of paying twice.
                if !(e.status == .io && e.taskId != nil) {
                    try? ledger.resolve(intentId, line: line, state: e.status == .unknownOutcome ? "unknown" : "rejected", detail: ErrorReport.line(for: e))
                }
                display.event("line \(line.number): \(e.status.name)", finished: true) { $0.running -= 1; $0.failed += 1 }
                return failure(line, e, taskId: e.taskId)
            }
        } else {
            display.event("line \(line.number): resuming") { $0.queued -= 1; $0.running += 1 }
        }
        guard case .submitted(let taskId) = state else {
            return BatchOutcome(line: line.number, kind: .failed, label: "INTERNAL", status: .internal)
        }
        do {
            var poll = client.config.poll
            if let timeoutSeconds { poll.deadlineMs = Int64(timeoutSeconds) * 1000 }
            let task = try await client.wait(taskId, options: WaitOptions(poll: poll))
            let files = try await client.download(task, to: out).map(\.path)
            try ledger.downloaded(taskId, line: line, files: files)
            display.event("line \(line.number): done \(files.joined(separator: " "))", finished: true) { $0.running -= 1; $0.done += 1 }
            return BatchOutcome(line: line.number, kind: .done, label: "DONE", taskId: taskId, files: files)
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? KieError)?.status == .cancelled {
                display.event("line \(line.number): interrupted") { $0.running -= 1 }
                return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED", taskId: taskId)
            }
            // A failed task was journaled by the core's wait; timeouts and errors leave the line
            // submitted, so a rerun polls it again.
            let e = KieError.wrap(error)
            display.event("line \(line.number): \(e.status.name)", finished: true) { $0.running -= 1; $0.failed += 1 }
            return failure(line, e, taskId: taskId)
        }
    }

    func failure(_ line: BatchLine, _ e: KieError, taskId: String?) -> BatchOutcome {
        var message = e.message
        if let field = e.field { message += " [field: \(field)]" }
        return BatchOutcome(line: line.number, kind: .failed, label: e.status.name, status: e.status, taskId: taskId ?? e.taskId, message: message)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
