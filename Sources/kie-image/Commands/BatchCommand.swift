import ArgumentParser
import KieImage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run one generate request per line of a JSONL file: paced, journaled, resumable.",
        discussion: """
            Each line is a generate request with the API's field names: GPT Image 1 (4o) or a
            Market model, e.g.
              {"prompt": "A red fox in snow", "size": "3:2", "nVariants": 2}
              {"model": "gpt-image-2-text-to-image", "input": {"prompt": "A fox", "aspect_ratio": "16:9"}}
            Blank lines and lines starting with # are skipped. Submissions are paced to the API's \
            limit (20 per 10 s, or --rate-limit N/MS for an account kie granted more) so it never \
            answers 429. Every accepted task is written (fsync'd) \
            to the journal (default: DIR/kie-batch-journal.jsonl) before anything else happens to \
            it, so running the same command again after a crash, a kill or Ctrl-C resumes: \
            finished lines are skipped, submitted tasks are polled again, never resubmitted. A \
            line whose generate was in flight when the process died has an unknown outcome (it \
            may exist and be charged); it is reported, not resubmitted. Look it up in kie's logs \
            (https://kie.ai/logs): when its task is there, --adopt LINE=TASKID attaches it to the \
            line (polled and downloaded, not paid again); when it is not, --resubmit-unknown \
            submits the line again.

            Images go to DIR as <taskId>_<n>.<ext> (the extension from the file's content type). Each line is journaled under its own tag, batch:LINE:HASH of its text (a \"tag\" in the line is not used). A summary table goes to stdout at the end. \
            Exit code: 0 when every line is done; when some failed, the code of their status if \
            they share one (6 task failed, 5 validation, 8 unknown outcome, ...), else 1; 130 \
            after Ctrl-C (the journal stays consistent: rerun to resume).

            EXAMPLES:
              kie-image batch prompts.jsonl --out renders/
              kie-image batch prompts.jsonl --out renders/ --concurrency 8 --timeout 600
              kie-image batch prompts.jsonl --out renders/ --retry-failed
              kie-image batch prompts.jsonl --out renders/ --adopt 12=TASKID
              kie-image batch prompts.jsonl --out renders/ --rate-limit 100/10000
              kie-image batch prompts.jsonl --out renders/ --simulate
            """
    )

    @Argument(help: "The requests, one JSON object per line.")
    var file: String

    @Option(help: ArgumentHelp("Directory for the images (and, by default, the journal).", valueName: "DIR"))
    var out: String

    @Option(help: "Lines in flight at once (submitted and not yet downloaded).")
    var concurrency: Int = 20

    @Option(help: ArgumentHelp("Journal file (default: DIR/kie-batch-journal.jsonl).", valueName: "PATH"))
    var journal: String?

    @Option(help: ArgumentHelp("Give up waiting for one task after this many seconds (default \(PollSettings().deadlineMs / 1000), the library's).", valueName: "SECONDS"))
    var timeout: Int?

    @Flag(name: .customLong("retry-failed"), help: "Submit again the lines whose task failed in an earlier run.")
    var retryFailed = false

    @Flag(name: .customLong("resubmit-unknown"), help: "Submit again lines with an unknown outcome (may pay twice).")
    var resubmitUnknown = false

    @Option(name: .customLong("adopt"), help: ArgumentHelp(
        "Attach the task found in kie's logs to a line with an unknown outcome (repeatable).", valueName: "LINE=TASKID"))
    var adopt: [String] = []

    @Flag(name: .customLong("skip-invalid"), help: "Run the valid lines even when some lines are invalid.")
    var skipInvalid = false

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        _ = try adoptions()
    }

    /// The first field of a task's request (its record's paramJson / param) that differs from
    /// the body the line sends; nil when they agree or the task carries no request to compare.
    static func mismatch(_ taskRequest: JSONValue, _ body: JSONValue) -> String? {
        if let theirs = taskRequest["model"]?.stringValue, theirs != (body["model"]?.stringValue ?? "") { return "model" }
        let theirs = taskRequest["input"] ?? taskRequest, ours = body["input"] ?? body
        for key in ["prompt", "size", "aspect_ratio"] {
            if let value = theirs[key]?.stringValue, value != (ours[key]?.stringValue ?? "") { return key }
        }
        return nil
    }

    /// `--adopt LINE=TASKID` values, by line.
    func adoptions() throws -> [Int: String] {
        var out: [Int: String] = [:]
        for value in adopt {
            let parts = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let line = Int(parts[0]), line > 0 else {
                throw ValidationError("--adopt must be LINE=TASKID (a file line number and a task id); got '\(value)'")
            }
            let taskId = String(parts[1])
            do { try KieClient.checkTaskId(taskId) } catch {
                throw ValidationError("--adopt \(value): \(error.message)")
            }
            guard out[line] == nil else { throw ValidationError("--adopt: line \(line) given twice") }
            guard !out.values.contains(taskId) else { throw ValidationError("--adopt: task \(taskId) given for two lines") }
            out[line] = taskId
        }
        return out
    }

    func run() async throws {
        JSONErrors.enable(json)
        let lines = try BatchInput.read(path: file)
        let invalid = lines.filter { if case .failure = $0.request { return true }; return false }
        if !invalid.isEmpty && !skipInvalid {
            for line in invalid {
                if let e = line.request.failure { Console.err("kie-image: \(file):\(line.number): \(ErrorReport.line(for: e))") }
            }
            throw CLIFailure("VALIDATION", "\(invalid.count) invalid line(s) in \(file); nothing was submitted (--skip-invalid runs the rest)",
                             code: ExitCodes.validation)
        }
        let dir = TaskFlow.outputDirectory(out, taskId: "")
        try Directories.create(dir)
        let journalPath = journal ?? "\(dir)/kie-batch-journal.jsonl"
        let signals = Signals([SIGINT, SIGTERM])
        let session = try await client.open(journalPath: journalPath)
        let ledger = BatchLedger(client: session.client)

        // What each line needs now, from its latest work item in the journal.
        var outcomes: [Int: BatchOutcome] = [:]
        var work: [BatchWork] = []
        do {
            var latest = try ledger.latest(for: lines, file: file, journalPath: journalPath)
            for (number, taskId) in try adoptions().sorted(by: { $0.key < $1.key }) {
                guard let line = lines.first(where: { $0.number == number }) else {
                    throw CLIFailure.usage("--adopt \(number)=\(taskId): \(file) has no request on line \(number)")
                }
                guard let entry = latest[number], entry.state == .unknown else {
                    throw CLIFailure.usage("--adopt \(number)=\(taskId): line \(number) has no unknown outcome; only such lines can adopt a task")
                }
                // Guard against a mistyped id: the task's paramJson must be this line's request.
                if case .success(let validated) = line.request,
                   let mismatch = Self.mismatch(try await session.client.task(taskId).request, validated.body) {
                    throw CLIFailure.usage("--adopt \(number)=\(taskId): that task was made for another request (its \(mismatch) differs from line \(number)'s)")
                }
                switch Result(catching: { () throws(KieError) in try session.client.resolve(entry.id, taskId: taskId) }) {
                case .success(let resolved): latest[number] = resolved
                case .failure(let e): throw e.field == "task_id" ? CLIFailure.usage("--adopt \(number)=\(taskId): \(e.message)") : e
                }
            }
            for line in lines {
                let entry = latest[line.number]
                switch entry?.state {
                case .downloaded?:
                    let files = entry?.detail["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    outcomes[line.number] = BatchOutcome(line: line.number, kind: .done, label: "DONE (earlier)", taskId: entry?.taskId, files: files)
                case .failed? where !retryFailed:
                    outcomes[line.number] = BatchOutcome(
                        line: line.number, kind: .failed, label: "TASK_FAILED", status: .taskFailed, taskId: entry?.taskId,
                        message: (entry?.detail.stringValue ?? "task failed") + " (earlier run; --retry-failed submits it again)")
                case .unknown? where !resubmitUnknown:
                    outcomes[line.number] = BatchOutcome(
                        line: line.number, kind: .failed, label: "UNKNOWN_OUTCOME", status: .unknownOutcome,
                        message: (entry?.detail["message"]?.stringValue ?? "the process stopped while this line's generate was being sent")
                            + "; it may exist and be charged: check https://kie.ai/logs, then --adopt \(line.number)=TASKID or --resubmit-unknown")
                case .unknown?:
                    if let id = entry?.id { try session.client.resolve(id, taskId: nil) }
                    work.append(BatchWork(line: line, entry: nil))
                case .submitted?, .succeeded?:
                    work.append(BatchWork(line: line, entry: entry))
                default:
                    // Never submitted, refused (nothing created), abandoned, or failed with --retry-failed.
                    work.append(BatchWork(line: line, entry: nil))
                }
            }
        } catch {
            await session.close()
            throw error
        }

        var counts = BatchDisplay.Counts()
        counts.total = lines.count
        counts.done = outcomes.values.filter { $0.kind == .done }.count
        counts.failed = outcomes.values.filter { $0.kind == .failed }.count
        counts.queued = work.count
        let display = BatchDisplay(style: quiet ? .off : Console.stderrIsTerminal ? .bar : .lines, counts: counts)
        if !quiet && outcomes.count > 0 {
            Console.err("kie-image: resuming from \(journalPath): \(counts.done) done, \(counts.failed) failed, \(work.count) to go")
        }

        let runner = BatchRunner(
            client: session.client, out: dir, concurrency: concurrency, timeoutSeconds: timeout, display: display)
        let ticker = display.startTicker()
        let job = Task { await runner.run(work) }
        let interrupter = Task {
            for await _ in signals.stream {
                Console.err("\nkie-image: interrupted: finishing in-flight submissions, then stopping (Ctrl-C again to kill)")
                job.cancel()
                signals.restoreDefaults()
                return true
            }
            return false
        }
        let ran = await job.value
        interrupter.cancel()
        ticker?.cancel()
        display.finish()
        await session.close()
        outcomes.merge(ran) { _, new in new }

        let ordered = lines.compactMap { outcomes[$0.number] }
        BatchSummary.print(ordered, json: json, journalPath: journalPath)
        let code = BatchSummary.exitCode(ordered)
        if code != ExitCodes.ok { throw ExitCode(code) }
    }
}

/// The table (or JSON) printed at the end of a batch, and the exit code it implies.
enum BatchSummary {
    static func print(_ outcomes: [BatchOutcome], json: Bool, journalPath: String) {
        let done = outcomes.filter { $0.kind == .done }.count
        let failed = outcomes.filter { $0.kind == .failed }.count
        let interrupted = outcomes.filter { $0.kind == .interrupted }.count
        let charged = outcomes.compactMap(\.credits)
        let credits: Double? = charged.isEmpty ? nil : charged.reduce(0, +)
        if json {
            let rows: [JSONValue] = outcomes.map { o in
                ["line": .int(Int64(o.line)), "status": .string(o.label), "taskId": .string(o.taskId),
                 "files": .array(o.files.map { .string($0) }), "message": .string(o.message),
                 "creditsConsumed": o.credits.map { .double($0) } ?? .null]
            }
            Console.out(JSON.serialize([
                "lines": .array(rows), "done": .int(Int64(done)), "failed": .int(Int64(failed)),
                "interrupted": .int(Int64(interrupted)), "journal": .string(journalPath),
                "creditsConsumed": credits.map { .double($0) } ?? .null,
            ]))
            return
        }
        let widths = (line: max(4, outcomes.map { String($0.line).count }.max() ?? 4),
                      status: max(6, outcomes.map(\.label.count).max() ?? 6),
                      task: max(4, outcomes.map { ($0.taskId ?? "-").count }.max() ?? 4))
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        Console.out(pad("LINE", widths.line, left: true) + "  " + pad("STATUS", widths.status) + "  " + pad("TASK", widths.task) + "  RESULT")
        for o in outcomes {
            let result = o.files.isEmpty ? (o.message ?? "") : o.files.joined(separator: " ")
            Console.out(pad(String(o.line), widths.line, left: true) + "  " + pad(o.label, widths.status) + "  "
                        + pad(o.taskId ?? "-", widths.task) + "  " + result)
        }
        var total = "\(outcomes.count) lines: \(done) done, \(failed) failed"
        if interrupted > 0 { total += ", \(interrupted) interrupted (rerun the same command to resume)" }
        if let credits { total += "; credits consumed this run: \(JSON.serialize(.double(credits)))" }
        Console.out(total)
    }

    static func exitCode(_ outcomes: [BatchOutcome]) -> Int32 {
        if outcomes.contains(where: { $0.kind == .interrupted }) { return ExitCodes.interrupted }
        let failures = outcomes.filter { $0.kind == .failed }
        guard !failures.isEmpty else { return ExitCodes.ok }
        let codes = Set(failures.map { $0.status.map(ExitCodes.code(for:)) ?? ExitCodes.other })
        return codes.count == 1 ? (codes.first ?? ExitCodes.other) : ExitCodes.other
    }
}
