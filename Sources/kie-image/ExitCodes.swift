import KieImage

/// The tool's exit codes, stable for scripts: one table, from which the status mapping and the
/// `kie-image --help` text are made (docs/cli.md, "Exit codes", lists the same rows).
enum ExitCodes {
    static let ok: Int32 = 0
    static let other: Int32 = 1
    static let usage: Int32 = 2
    static let auth: Int32 = 3
    static let credits: Int32 = 4
    static let validation: Int32 = 5
    static let taskFailed: Int32 = 6
    static let timeout: Int32 = 7
    static let unknownOutcome: Int32 = 8
    static let signature: Int32 = 9
    static let quota: Int32 = 10
    static let ledger: Int32 = 11
    static let budget: Int32 = 12
    static let interrupted: Int32 = 130

    /// One exit code: the library status it stands for (nil: none, or several) and its meaning.
    struct Row: Sendable {
        let code: Int32
        let status: KieStatus?
        let meaning: String
    }

    static let table: [Row] = [
        Row(code: ok, status: .ok, meaning: "success"),
        Row(code: other, status: nil, meaning: "other error (network, server, not found, local file, ...)"),
        Row(code: usage, status: .invalidArgument, meaning: "usage: bad option, argument or task id"),
        Row(code: auth, status: .auth, meaning: "authentication: missing or wrong API key"),
        Row(code: credits, status: .insufficientCredits, meaning: "insufficient credits"),
        Row(code: validation, status: .validation, meaning: "validation: the request breaks the API's rules (the field is named)"),
        Row(code: taskFailed, status: .taskFailed, meaning: "task failed (CREATE_TASK_FAILED or GENERATE_FAILED)"),
        Row(code: timeout, status: .timeout, meaning: "timeout: the task did not finish before the deadline"),
        Row(code: unknownOutcome, status: .unknownOutcome, meaning: "unknown outcome: a generate got no answer; the task may exist (and cost)"),
        Row(code: signature, status: .signature, meaning: "webhook signature invalid"),
        Row(code: quota, status: .quota, meaning: "quota: the API key's own usage cap (set in kie's console) is used up"),
        Row(code: ledger, status: .ledger, meaning: "ledger: the shared ledger is unreachable, not migrated or refusing (nothing sent)"),
        Row(code: budget, status: .budget, meaning: "budget: the generate would pass --max-credits (nothing was sent for it)"),
        Row(code: interrupted, status: .cancelled, meaning: "interrupted (Ctrl-C)"),
    ]

    static func code(for status: KieStatus) -> Int32 {
        table.first { $0.status == status }?.code ?? other
    }

    static var helpText: String {
        let rows = table.map { row in
            let code = String(row.code)
            return "  " + code + String(repeating: " ", count: max(1, 3 - code.count)) + row.meaning
        }
        return (["EXIT CODES:"] + rows).joined(separator: "\n")
    }
}

/// A failure the tool itself detects (usage problems, missing files), with its exit code.
struct CLIFailure: Error, CustomStringConvertible {
    var status: String
    var message: String
    var code: Int32

    init(_ status: String, _ message: String, code: Int32) {
        self.status = status
        self.message = message
        self.code = code
    }

    static func usage(_ message: String) -> CLIFailure { CLIFailure("USAGE", message, code: ExitCodes.usage) }

    var description: String { "\(status): \(message)" }
}

/// One clear line per failure on stderr: the status name, then the cause, then the field or task.
enum ErrorReport {
    static func line(for error: KieError) -> String {
        var text = "\(error.status.name): \(error.message)"
        if let field = error.field { text += " [field: \(field)]" }
        if let taskId = error.taskId, !error.message.contains(taskId) { text += " [task: \(taskId)]" }
        if let code = error.apiCode, error.status != .taskFailed, !error.message.contains("\(code)") { text += " [api code \(code)]" }
        return text
    }

    static func print(_ error: KieError) { Console.err("kie-image: error: " + line(for: error)) }
    static func print(_ failure: CLIFailure) { Console.err("kie-image: error: " + failure.description) }
}
