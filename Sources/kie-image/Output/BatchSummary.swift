import KieImage

/// The table (or JSON) printed at the end of a batch, and the exit code it implies.
enum BatchSummary {
    /// `budget`: the client's spend against --max-credits, when set (KieClient.budgetStatus()).
    static func print(_ outcomes: [BatchOutcome], json: Bool, journalPath: String, budget: KieClient.BudgetStatus?) {
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
                "creditsConsumed": credits.map { .double($0) } ?? .null, "budget": budget?.json ?? .null,
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
        if let budget { Console.out(line(for: budget)) }
    }

    /// `budget: 12 of 20 credits spent[ since DATE][, 6 reserved]`: reserved is the price of
    /// generates whose outcome is unknown (they may be charged).
    static func line(for budget: KieClient.BudgetStatus) -> String {
        let n = { (v: Double) in JSON.serialize(.double(v)) }
        var text = "budget: \(n(budget.spent)) of \(budget.maxCredits.map(n) ?? "-") credits spent"
        if let since = budget.since { text += " since \(since)" }
        if budget.reserved > 0 { text += ", \(n(budget.reserved)) reserved (unknown outcomes may be charged)" }
        return text
    }

    static func exitCode(_ outcomes: [BatchOutcome]) -> Int32 {
        if outcomes.contains(where: { $0.kind == .interrupted }) { return ExitCodes.interrupted }
        let failures = outcomes.filter { $0.kind == .failed }
        guard !failures.isEmpty else { return ExitCodes.ok }
        let codes = Set(failures.map { $0.status.map(ExitCodes.code(for:)) ?? ExitCodes.other })
        return codes.count == 1 ? (codes.first ?? ExitCodes.other) : ExitCodes.other
    }
}
