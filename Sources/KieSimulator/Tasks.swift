#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a task ends, decided when it is created.
enum TaskOutcome: Sendable, Equatable {
    case success
    /// CREATE_TASK_FAILED with a documented errorCode/errorMessage (docs/kie-api.md §2a).
    case createTaskFailed(code: Int, message: String)
    /// GENERATE_FAILED with a documented errorCode/errorMessage (docs/kie-api.md §2a).
    case generateFailed(code: Int, message: String?)
    /// The observed variant: successFlag 3, errorMessage "Internal Error", errorCode null (docs/kie-api.md §2b).
    case internalError

    var name: String {
        switch self {
        case .success: return "success"
        case .createTaskFailed: return "createTaskFailed"
        case .generateFailed: return "generateFailed"
        case .internalError: return "internalError"
        }
    }
}

/// The documented failure texts, by errorCode (docs/kie-api.md §2a).
enum FailureTexts {
    static let code400 = [
        "The image content in filesUrl violates content policy",
        "Image size exceeds maximum of 26214400 bytes",
        "We couldn't process the provided image file (code=invalid_image_format)",
        "Your content was flagged by OpenAI as violating content policies",
        "Failed to fetch the image. Kindly verify any access limits set by you or your service provider",
    ]
    static let code451 = ["Unable to download the image from filesUrl"]
    static let code500: [String?] = [
        "Failed to get user token", "Please try again later", "Failed to generate image",
        "GPT 4O failed to edit the picture", nil,
    ]
}

/// One generation task and everything the simulator remembers about it.
struct SimTask: Sendable {
    let taskId: String
    let apiKey: String
    let request: FourOGenerateRequest
    /// `paramJson` already escaped as a JSON string literal (record-info is the hot path).
    let paramJsonLiteral: String
    /// Sim-clock ms when the request was accepted.
    let createdAtMs: Int64
    /// When the outcome becomes visible.
    let completeAtMs: Int64
    let outcome: TaskOutcome
    /// File names of the results on the file host (`<taskId>_<i>_<unixsec>_<rand>.png`).
    let resultNames: [String]
    let cost: Double
    var finalized = false
    /// The final record-info answer, built once per configuration (`configVersion`): a finished
    /// task's answer never changes, and polls of finished tasks are the common case.
    var finalAnswer: (version: Int, json: String)?
    var hits: [Endpoint: Int] = [:]
    var recordInfoWindow = GenerateWindow()

    var durationMs: Int64 { completeAtMs - createdAtMs }
}

/// What record-info shows for a task at one instant: a pure function of the task, the time and the
/// configuration.
struct TaskView: Sendable {
    var status: String
    var successFlag: Int
    var progress: String
    var completeTimeMs: Int64?
    var errorCode: Int?
    var errorMessage: String?
    var resultUrls: [String]?

    init(task: SimTask, nowMs: Int64, config: SimulatorConfig, fileBase: String) {
        guard nowMs >= task.completeAtMs else {
            status = "GENERATING"
            successFlag = 0
            switch config.progressMode {
            case .jump:
                progress = "0.00"
            case .steady:
                let elapsed = Double(nowMs - task.createdAtMs)
                let fraction = task.durationMs > 0 ? min(0.99, max(0, elapsed / Double(task.durationMs))) : 0
                progress = TaskView.formatProgress(fraction)
            }
            return
        }
        completeTimeMs = config.roundTimesToSeconds ? task.completeAtMs / 1000 * 1000 : task.completeAtMs
        switch task.outcome {
        case .success:
            status = "SUCCESS"
            successFlag = 1
            progress = "1.00"
            resultUrls = task.resultNames.map { "\(fileBase)/s/\($0)" }
        case .createTaskFailed(let code, let message):
            status = "CREATE_TASK_FAILED"
            successFlag = config.createTaskFailedFlag
            progress = "0.00"
            errorCode = code
            errorMessage = message
        case .generateFailed(let code, let message):
            status = "GENERATE_FAILED"
            successFlag = config.generateFailedFlag
            progress = "0.00"
            errorCode = code
            errorMessage = message
        case .internalError:
            status = "GENERATE_FAILED"
            successFlag = 3
            progress = "0.00"
            errorCode = nil
            errorMessage = "Internal Error"
        }
    }

    var isTerminal: Bool { successFlag != 0 }

    /// "0.48": two decimals, truncated.
    static func formatProgress(_ fraction: Double) -> String {
        let hundredths = Int((fraction * 100).rounded(.down))
        let clamped = min(100, max(0, hundredths))
        return "\(clamped / 100).\(clamped % 100 < 10 ? "0" : "")\(clamped % 100)"
    }

    /// Appends the record-info `data` object, fields in the real order (docs/kie-api.md §2c).
    func writeData(task: SimTask, config: SimulatorConfig, into out: inout String) {
        out += "{\"taskId\":"
        SimJSON.writeString(task.taskId, into: &out)
        out += ",\"paramJson\":"
        out += task.paramJsonLiteral
        out += ",\"completeTime\":"
        out += completeTimeMs.map { TaskView.time($0, config) } ?? "null"
        out += ",\"response\":"
        if let urls = resultUrls {
            out += "{"
            SimJSON.writeString(config.resultUrlsKey, into: &out)
            out += ":"
            SimJSON.array(urls.map { .string($0) }).write(into: &out)
            out += "}"
        } else if isTerminal && config.failureResponse == "emptyList" {
            out += "{"
            SimJSON.writeString(config.resultUrlsKey, into: &out)
            out += ":[]}"
        } else {
            out += "null"
        }
        out += ",\"successFlag\":\(successFlag)"
        if !(config.omitStatusWhileGenerating && !isTerminal) {
            out += ",\"status\":\"\(status)\""
        }
        out += ",\"errorCode\":"
        if let code = errorCode {
            out += config.errorCodeType == "string" ? "\"\(code)\"" : "\(code)"
        } else {
            out += "null"
        }
        out += ",\"errorMessage\":"
        if let m = errorMessage { SimJSON.writeString(m, into: &out) } else { out += "null" }
        let createTime = config.roundTimesToSeconds ? task.createdAtMs / 1000 * 1000 : task.createdAtMs
        out += ",\"createTime\":" + TaskView.time(createTime, config)
        out += ",\"progress\":\"\(progress)\"}"
    }

    static func time(_ ms: Int64, _ config: SimulatorConfig) -> String {
        config.timeFormat == "string" ? "\"\(TimeFormat.dateTime(ms: ms))\"" : "\(ms)"
    }
}

/// Drawing durations and outcomes: pure given the generator state.
enum TaskPlanner {
    static func durationMs(config: SimulatorConfig, rng: inout SplitMix64) -> Int64 {
        guard let g = config.generation else { return Int64(max(0, config.generationMs)) }
        switch g.kind {
        case "uniform":
            let lo = Double(g.minMs ?? 0)
            let hi = Double(g.maxMs ?? g.minMs ?? 0)
            return Int64(lo + (hi - lo) * rng.nextUnit())
        case "lognormal":
            let median = Double(g.medianMs ?? 18000)
            let p95 = Double(g.p95Ms ?? g.medianMs ?? 18000)
            let sigma = p95 > median ? log(p95 / median) / 1.6448536 : 0
            let u1 = max(rng.nextUnit(), 1e-12)
            let u2 = rng.nextUnit()
            let z = sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
            return Int64(min(median * exp(sigma * z), 3_600_000))
        default:
            return Int64(max(0, g.ms ?? config.generationMs))
        }
    }

    static func outcome(rates: FailureRates, rng: inout SplitMix64) -> TaskOutcome {
        let u = rng.nextUnit()
        var edge = rates.createTaskFailed
        if u < edge { return .createTaskFailed(code: 400, message: pick(FailureTexts.code400, &rng)) }
        edge += rates.generateFailed
        if u < edge { return generateFailed(code: nil, rng: &rng) }
        edge += rates.internalError
        if u < edge { return .internalError }
        return .success
    }

    static func generateFailed(code: Int?, rng: inout SplitMix64) -> TaskOutcome {
        let chosen = code ?? [400, 451, 500][Int(rng.next() % 3)]
        switch chosen {
        case 400: return .generateFailed(code: 400, message: pick(FailureTexts.code400, &rng))
        case 451: return .generateFailed(code: 451, message: FailureTexts.code451[0])
        default: return .generateFailed(code: chosen, message: pick(FailureTexts.code500, &rng))
        }
    }

    private static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T {
        items[Int(rng.next() % UInt64(items.count))]
    }

    /// `[sim:...]` directives in a prompt: `create_task_failed`, `generate_failed`,
    /// `generate_failed=451`, `internal_error`, `ms=1500`.
    static func directives(in prompt: String?) -> (outcome: String?, code: Int?, ms: Int64?) {
        guard let prompt, prompt.contains("[sim:") else { return (nil, nil, nil) }
        var outcome: String?
        var code: Int?
        var ms: Int64?
        var rest = prompt[...]
        while let start = rest.range(of: "[sim:") {
            guard let end = rest[start.upperBound...].firstIndex(of: "]") else { break }
            let body = rest[start.upperBound..<end]
            let parts = body.split(separator: "=", maxSplits: 1).map(String.init)
            switch parts.first {
            case "ms": ms = parts.count > 1 ? Int64(parts[1]).map { min(max(0, $0), 365 * 86_400_000) } : nil
            case "create_task_failed", "internal_error": outcome = parts[0]
            case "generate_failed":
                outcome = parts[0]
                code = parts.count > 1 ? Int(parts[1]) : nil
            default: break
            }
            rest = rest[rest.index(after: end)...]
        }
        return (outcome, code, ms)
    }
}
