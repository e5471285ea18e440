import KieImage

/// The tool's exit codes, stable for scripts and documented in `kie-image --help`.
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
    static let budget: Int32 = 12
    static let interrupted: Int32 = 130

    static func code(for status: KieStatus) -> Int32 {
        switch status {
        case .ok: ok
        case .invalidArgument: usage
        case .auth: auth
        case .insufficientCredits: credits
        case .validation: validation
        case .taskFailed: taskFailed
        case .timeout: timeout
        case .unknownOutcome: unknownOutcome
        case .signature: signature
        case .quota: quota
        case .budget: budget
        case .cancelled: interrupted
        default: other
        }
    }

    static let helpText = """
        EXIT CODES:
          0  success
          1  other error (network, server, not found, local file, ...)
          2  usage: bad option, argument or task id
          3  authentication: missing or wrong API key
          4  insufficient credits
          5  validation: the request breaks the API's rules (the field is named)
          6  task failed (CREATE_TASK_FAILED or GENERATE_FAILED)
          7  timeout: the task did not finish before the deadline
          8  unknown outcome: a generate got no answer; the task may exist (and cost)
          9  webhook signature invalid
          10 quota: the API key's own usage cap (set in kie's console) is used up
          12 budget: the generate would pass --max-credits (nothing was sent for it)
          130 interrupted (Ctrl-C)
        """
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
