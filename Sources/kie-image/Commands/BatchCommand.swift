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
            limit (\(RateLimitArgument.defaultPerWindow), or --rate-limit N/MS for an account kie granted more) so it never \
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
            they share one (6 task failed, 5 validation, 8 unknown outcome, 12 past --max-credits, ...), else 1; 130 \
            after Ctrl-C (the journal stays consistent: rerun to resume).

            EXAMPLES:
              kie-image batch prompts.jsonl --out renders/
              kie-image batch prompts.jsonl --out renders/ --concurrency 8 --timeout 600
              kie-image batch prompts.jsonl --out renders/ --retry-failed
              kie-image batch prompts.jsonl --out renders/ --adopt 12=TASKID
              kie-image batch prompts.jsonl --out renders/ --rate-limit 100/10000
              kie-image batch prompts.jsonl --out renders/ --max-credits 500
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

    @OptionGroup var budget: BudgetOptions

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        _ = try adoptions()
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

    /// What each line needs now: the journal, with the --adopt values attached, read under the
    /// two choices (--retry-failed, --resubmit-unknown) by the core's resume plan.
    func plan(_ lines: [BatchLine], _ client: KieClient, journalPath: String) async throws -> BatchPlan {
        let ledger = BatchLedger(client: client, file: file, journalPath: journalPath)
        var latest = try ledger.latest(for: lines)
        try await ledger.adopt(adoptions(), lines: lines, latest: &latest)
        let options = ResumeOptions(download: true, retryFailed: retryFailed, resubmitUnknown: resubmitUnknown)
        return try ledger.plan(lines, latest: latest, options: options)
    }

    func run() async throws {
        JSONErrors.enable(json)
        let lines = try BatchInput.read(path: file)
        try BatchInput.refuseInvalid(lines, file: file, skipInvalid: skipInvalid)
        let dir = TaskFlow.outputDirectory(out, taskId: "")
        try Directories.create(dir)
        // With a ledger (--ledger or KIE_LEDGER) the account's ledger is the journal (docs/ledger.md).
        let onLedger = client.ledgerOption.ledger != nil || ClientConfig.environment()["KIE_LEDGER"] != nil
        let journalPath = journal ?? "\(dir)/kie-batch-journal.jsonl"
        let signals = Signals([SIGINT, SIGTERM])
        let session = try await client.open(journalPath: onLedger ? journal : journalPath, config: budget.config)
        if let ledger = session.client.ledger {
            return try await runOnLedger(lines, session: session, ledger: ledger, dir: dir, signals: signals)
        }
        let plan: BatchPlan
        do { plan = try await self.plan(lines, session.client, journalPath: journalPath) } catch {
            await session.close()
            throw error
        }
        let counts = plan.counts(total: lines.count)
        if !quiet && !plan.outcomes.isEmpty {
            Console.err("kie-image: resuming from \(journalPath): \(counts.done) done, \(counts.failed) failed, \(counts.queued) to go")
        }
        let display = BatchDisplay(style: quiet ? .off : Console.stderrIsTerminal ? .bar : .lines, counts: counts)
        let runner = BatchRunner(client: session.client, out: dir, concurrency: concurrency, timeoutSeconds: timeout, display: display)
        let ran = await runner.run(plan.work, stoppingOn: signals)
        let spend = session.client.budgetStatus()
        await session.close()

        let outcomes = plan.outcomes.merging(ran) { _, new in new }
        let ordered = lines.compactMap { outcomes[$0.number] }
        BatchSummary.print(ordered, json: json, journalPath: journalPath, budget: spend.maxCredits == nil ? nil : spend)
        let code = BatchSummary.exitCode(ordered)
        if code != ExitCodes.ok { throw ExitCode(code) }
    }
}
