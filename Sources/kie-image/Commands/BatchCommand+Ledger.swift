import ArgumentParser
import KieImage

extension BatchCommand {
    /// The batch on the account's ledger, run by any number of hosts at once (LedgerBatch):
    /// lines split between them, each sent once, a dead host's lines taken over; the summary
    /// is every line's, account-wide.
    func runOnLedger(_ lines: [BatchLine], session: Session, ledger: Ledger, dir: String, signals: Signals) async throws {
        if !adopt.isEmpty || resubmitUnknown || retryFailed {
            await session.close()
            throw CLIFailure.usage("--adopt, --resubmit-unknown and --retry-failed act on a batch journal; with a ledger, settle lines with kie_journal_resolve")
        }
        let display = BatchDisplay(style: quiet ? .off : Console.stderrIsTerminal ? .bar : .lines,
                                   counts: BatchDisplay.Counts(total: lines.count, done: 0, running: 0, failed: 0, queued: lines.count))
        var runner = BatchRunner(client: session.client, out: dir, concurrency: concurrency, timeoutSeconds: timeout, display: display)
        runner.ledgerKeyPrefix = LedgerBatch.keyPrefix(lines)
        let batch = LedgerBatch(client: session.client, ledger: ledger, lines: lines, runner: runner)
        let ordered: [BatchOutcome]
        do {
            let mine = try await batch.run(stoppingOn: signals)
            ordered = try await batch.outcomes(mine)
            if !quiet { Console.err("kie-image: \(await batch.progress())") }
        } catch {
            await session.close()
            throw error
        }
        let spend = session.client.budgetStatus()
        await session.close()
        BatchSummary.print(ordered, json: json, journalPath: ledger.url.display, budget: spend.maxCredits == nil ? nil : spend)
        let code = BatchSummary.exitCode(ordered)
        if code != ExitCodes.ok { throw ExitCode(code) }
    }
}
