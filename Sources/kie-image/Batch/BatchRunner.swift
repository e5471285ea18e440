import KieImage

/// How one batch line ended in this run.
struct BatchOutcome: Sendable {
    /// `elsewhere`: with a ledger, another host sends (or sent) the line; it is not this host's.
    enum Kind: Sendable { case done, failed, interrupted, elsewhere }
    var line: Int
    var kind: Kind
    /// `DONE`, `DONE (earlier)`, a KieStatus name (`TASK_FAILED`, `UNKNOWN_OUTCOME`, ...) or `INTERRUPTED`.
    var label: String
    var status: KieStatus?
    var taskId: String?
    var files: [String] = []
    var message: String?
    /// What kie charged for the line's task, when it says (Market `creditsConsumed`).
    var credits: Double?
}

/// Hands out lines to workers in file order; stops when the run is cancelled.
/// A line that still needs work: submit it (no entry, or one that may be submitted again), or
/// finish its journaled task.
struct BatchWork: Sendable {
    var line: BatchLine
    var entry: JournalEntry?

    /// The task to wait for and download, when the line has one.
    var taskId: String? {
        guard let entry, entry.state == .submitted || entry.state == .succeeded else { return nil }
        return entry.taskId
    }
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

/// Runs the lines that still need work through the core's lifecycle: submit (rate-limited and
/// journaled by the core), wait, download.
struct BatchRunner: Sendable {
    let client: KieClient
    let out: String
    let concurrency: Int
    let timeoutSeconds: Int?
    let display: BatchDisplay
    /// With a ledger (LedgerBatch): each line's idempotency key is this plus its number, and a
    /// line another host holds is left to it.
    var ledgerKeyPrefix: String? = nil

    /// Runs the work with the display drawn; the first SIGINT/SIGTERM stops it after the
    /// submissions in flight (the journal stays consistent), a second one kills.
    func run(_ work: [BatchWork], stoppingOn signals: Signals) async -> [Int: BatchOutcome] {
        let ticker = display.startTicker()
        let job = Task { await run(work) }
        let interrupter = Task {
            for await _ in signals.stream {
                Console.err("\nkie-image: interrupted: finishing in-flight submissions, then stopping (Ctrl-C again to kill)")
                job.cancel()
                signals.restoreDefaults()
                return
            }
        }
        let outcomes = await job.value
        interrupter.cancel()
        ticker?.cancel()
        display.finish()
        return outcomes
    }

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
        var options = TaskFlow.waitOptions(client, timeoutSeconds: timeoutSeconds)
        options.downloadDir = out
        var taskId = item.taskId
        let end: WaitEvent
        do {
            if let known = taskId {
                display.event("line \(line.number): resuming") { $0.queued -= 1; $0.running += 1 }
                end = try await client.waitAndDownload(known, options: options, onEvent: { _ in })
            } else {
                guard case .success(var request) = line.request else {
                    let e = line.request.failure ?? KieError(.validation, "invalid request", field: nil)
                    display.event("line \(line.number): \(e.status.name)", finished: true) { $0.queued -= 1; $0.failed += 1 }
                    return failure(line, e, taskId: nil)
                }
                guard !Task.isCancelled else { return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED") }
                display.event("line \(line.number): submitting") { $0.queued -= 1; $0.running += 1 }
                request.tag = BatchLedger.tag(line)
                if let prefix = ledgerKeyPrefix {
                    request.idempotencyKey = prefix + String(line.number)
                    request.waitsForClaimedWork = false
                    guard let sent = try await sendUnlessHeld(request, line: line) else {
                        return BatchOutcome(line: line.number, kind: .elsewhere, label: "ELSEWHERE")
                    }
                    taskId = sent
                    end = try await client.waitAndDownload(sent, options: options, onEvent: { _ in })
                } else {
                    let number = line.number
                    end = try await client.run(request, options: options) { [display] event in
                        if case .submitted(let id, _, _) = event {
                            display.event("line \(number): submitted \(id)") { _ in }
                        }
                    }
                }
            }
        } catch {
            let e = KieError.wrap(error)
            taskId = taskId ?? e.taskId
            if Task.isCancelled || e.status == .cancelled {
                display.event("line \(line.number): interrupted") { $0.running -= 1 }
                return BatchOutcome(line: line.number, kind: .interrupted, label: "INTERRUPTED", taskId: taskId)
            }
            // The core journaled what happened (rejected, unknown, failed); timeouts and other
            // errors leave a submitted line submitted, so a rerun polls it again.
            display.event("line \(line.number): \(e.status.name)", finished: true) { $0.running -= 1; $0.failed += 1 }
            return failure(line, e, taskId: taskId)
        }
        let files = Self.files(of: end)
        display.event("line \(line.number): done \(files.joined(separator: " "))", finished: true) { $0.running -= 1; $0.done += 1 }
        var outcome = BatchOutcome(line: line.number, kind: .done, label: "DONE", files: files)
        if case .completed(let task, _) = end {
            outcome.taskId = task.taskId
            outcome.credits = task.creditsConsumed
        }
        return outcome
    }

    /// Sends a line on the ledger: its task id, or nil when another host holds it (sending it,
    /// or it sent it: the answer is that host's, which finishes it).
    func sendUnlessHeld(_ request: ValidatedRequest, line: BatchLine) async throws -> String? {
        let submitted: KieClient.Submitted
        do { submitted = try await client.generate(request) } catch is ClaimedElsewhere {
            display.event("line \(line.number): another host has it") { $0.running -= 1 }
            return nil
        }
        if submitted.existing {
            display.event("line \(line.number): another host has it") { $0.running -= 1 }
            return nil
        }
        display.event("line \(line.number): submitted \(submitted.taskId)") { _ in }
        return submitted.taskId
    }

    /// The saved paths of a completed wait-and-download.
    static func files(of event: WaitEvent) -> [String] {
        guard case .completed(_, let downloads) = event else { return [] }
        return downloads?["files"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
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
