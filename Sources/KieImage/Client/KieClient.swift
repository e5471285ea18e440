import FoundationEssentials
import Logging

/// The kie.ai 4o Image client. Thread-safe; share one per process.
public final class KieClient: Sendable {
    public let config: ClientConfig
    let transport: HTTPTransport
    let caller: APICaller
    let durations = DurationHistory()
    let pacer = TaskPacer()
    public let logger: Logger
    /// The durable journal when `journalPath` is set (see `TaskJournal`).
    public let journal: TaskJournal?

    /// Creates a client. Throws only when `journalPath` is set and the journal cannot be opened.
    public init(config: ClientConfig, logger: Logger? = nil) throws(KieError) {
        self.config = config
        journal = try config.journalPath.map { path throws(KieError) in try TaskJournal(path: path) }
        var log = logger ?? Logger(label: "kieimage", factory: { _ in SwiftLogNoOpLogHandler() })
        log.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        self.logger = log
        transport = HTTPTransport(config: config)
        caller = APICaller(transport: transport, config: config, limiter: RateLimiter(config.rateLimit), logger: log)
        for w in journal?.warnings ?? [] { log.warning("journal: \(w)") }
    }

    /// Closes connections. Call once when done; in-flight calls fail.
    public func shutdown() async { await transport.shutdown() }

    // MARK: generate

    public struct Submitted: Sendable {
        public var taskId: String
        public var warnings: [String]
        public var json: JSONValue {
            var o: JSONObject = ["taskId": .string(taskId)]
            if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
            return .object(o)
        }
    }

    /// Validates and submits a generate request. Returns once the task id is known.
    /// With a journal, the task id and request are written durably before this returns; `tag`
    /// is stored with them so a resumed caller can match tasks to its inputs.
    public func generate(_ validated: ValidatedRequest, tag: String? = nil) async throws -> Submitted {
        for w in validated.warnings { logger.warning("request: \(w)") }
        let env = try await caller.call(
            .init(name: "generate", method: .POST, url: config.baseUrl + validated.path, idempotency: .createsTask),
            body: validated.body)
        guard let taskId = env.data["taskId"]?.stringValue, !taskId.isEmpty else {
            // The server answered 200 but without a task id: it may still have created one.
            throw KieError(.unknownOutcome, "generate answered without a taskId", apiCode: 200, request: validated.body,
                           raw: Redaction.redact(JSON.serialize(env.data), secret: config.apiKey))
        }
        logger.info("task submitted", metadata: ["taskId": "\(taskId)"])
        do {
            try journal?.record(taskId: taskId, state: "submitted", request: validated.body, tag: tag)
        } catch {
            // The task exists and is charged: report its id with the failure.
            throw KieError(.io, "task \(taskId) was accepted but the journal write failed: \(error.message)", taskId: taskId)
        }
        return Submitted(taskId: taskId, warnings: validated.warnings)
    }

    public func generate(json: String) async throws -> Submitted {
        try await generate(RequestValidator.validate(json: json))
    }

    // MARK: tasks

    /// One record-info call, normalized.
    public func task(_ taskId: String, deadline: ContinuousClock.Instant? = nil) async throws -> KieTask {
        try Self.checkTaskId(taskId)
        let env = try await caller.call(
            .init(name: "record-info", method: .GET,
                  url: config.baseUrl + "/api/v1/gpt4o-image/record-info?taskId=" + taskId, idempotency: .idempotent),
            deadline: deadline, taskId: taskId, pace: { [pacer] in try await pacer.pace(taskId) })
        if env.data.isNull {
            // Some accounts answer 200 with data null for unknown ids (spec §2d).
            throw KieError(.notFound, "no task \(taskId)", apiCode: 200, taskId: taskId)
        }
        return try RecordInfoParser.parse(env.data, expectedTaskId: taskId)
    }

    /// Polls until the task ends, the deadline passes, or the calling task is cancelled.
    /// `onEvent` receives progress events (on change only); the final outcome is the return value
    /// or the thrown error (TASK_FAILED for a failed task, TIMEOUT at the deadline).
    public func wait(
        _ taskId: String, options: WaitOptions, onEvent: @Sendable (WaitEvent) -> Void = { _ in }
    ) async throws -> KieTask {
        try Self.checkTaskId(taskId)
        let start = ContinuousClock.now
        let deadline = start.advanced(by: .milliseconds(options.poll.deadlineMs))
        let startWall = Clock.nowMs()
        var schedule = PollSchedule(settings: options.poll, knownDurations: durations.snapshot())
        var createTime: Int64?
        var elapsed: Int64 { (createTime.map { ct in max(0, Clock.nowMs() - ct) }) ?? (Clock.nowMs() - startWall) }
        var lastProgress = -1.0
        var delay = schedule.firstDelay(elapsedMs: 0)
        var calls = 0
        while true {
            let left = APICaller.msUntil(deadline)
            if delay >= left {
                if left > 0 { try await Task.sleep(for: .milliseconds(left)) }
                throw KieError(.timeout, "task \(taskId) did not finish within \(options.poll.deadlineMs) ms (\(calls) status calls)", taskId: taskId, retryable: true)
            }
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            let task: KieTask
            do {
                task = try await self.task(taskId, deadline: deadline)
            } catch let e as KieError where e.status == .timeout && APICaller.msUntil(deadline) <= 0 {
                throw KieError(.timeout, "task \(taskId) did not finish within \(options.poll.deadlineMs) ms", taskId: taskId, retryable: true)
            }
            calls += 1
            if let ct = task.createTime, abs(Clock.nowMs() - ct) < 86_400_000 { createTime = ct }
            if task.isTerminal {
                if task.isSuccess, let ct = task.createTime, let done = task.completeTime, done > ct {
                    durations.record(done - ct)
                }
                logger.debug("task ended", metadata: ["taskId": "\(taskId)", "status": "\(task.status.rawValue)", "calls": "\(calls)"])
                do {
                    try journal?.record(taskId: taskId, state: task.isSuccess ? "succeeded" : "failed", detail: task.errorMessage)
                } catch {
                    // The task's outcome stands; a resumed run will only poll it once more.
                    logger.warning("journal: could not record the end of the task", metadata: ["taskId": "\(taskId)", "reason": "\(error.message)"])
                }
                guard task.isSuccess else { throw task.failure }
                return task
            }
            if task.progress != lastProgress {
                lastProgress = task.progress
                onEvent(.progress(taskId: taskId, progress: task.progress, status: task.status.rawValue))
            }
            schedule.observe(elapsedMs: elapsed, progress: task.progress)
            delay = schedule.nextDelay(elapsedMs: elapsed)
        }
    }

    // MARK: account and links

    /// `POST /api/v1/gpt4o-image/download-url` with `{taskId, url}`; `data` is the link (spec §4).
    public func downloadURL(taskId: String, url: String) async throws -> String {
        try Self.checkTaskId(taskId)
        guard URLParts(url) != nil else { throw KieError.invalidArgument("url must be an absolute http(s) URL", field: "url") }
        let env = try await caller.call(
            .init(name: "download-url", method: .POST, url: config.baseUrl + "/api/v1/gpt4o-image/download-url", idempotency: .idempotent),
            body: ["taskId": .string(taskId), "url": .string(url)], taskId: taskId)
        guard let link = env.data.stringValue ?? env.data["downloadUrl"]?.stringValue else {
            throw KieError(.protocol, "download-url answered without a link", taskId: taskId)
        }
        return link
    }

    /// `GET /api/v1/chat/credit`: a decimal in practice (spec §5).
    public func credits() async throws -> Double {
        let env = try await caller.call(
            .init(name: "credit", method: .GET, url: config.baseUrl + "/api/v1/chat/credit", idempotency: .idempotent))
        guard let value = env.data.doubleValue, value.isFinite else {
            throw KieError(.protocol, "credit answered without a number")
        }
        return value
    }

    /// Task ids are checked before any work starts (kie's are 32 hex digits; others may differ).
    public static func checkTaskId(_ id: String) throws(KieError) {
        guard !id.isEmpty, id.utf8.count <= 128,
              id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { throw .invalidArgument("taskId must be 1-128 letters, digits, '-' or '_'", field: "taskId") }
    }
}
