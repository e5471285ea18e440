import Synchronization

extension KieClient {
    /// A request kie accepted: its task id, and the journal entry that holds it.
    public struct Submitted: Sendable {
        public var taskId: String
        public var family: String
        public var tag: String?
        /// The journal entry's id, when the client has a journal.
        public var journalId: String?
        public var warnings: [String]
        /// True when nothing was sent: the answer is an earlier generate's with the same idempotency key.
        public var existing = false

        public var json: JSONValue {
            var o: JSONObject = ["taskId": .string(taskId), "family": .string(family)]
            if let tag { o["tag"] = .string(tag) }
            if let journalId { o["journalId"] = .string(journalId) }
            if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
            if existing { o["existing"] = true }
            return .object(o)
        }
    }

    /// Submits a validated request (the lifecycle of docs/journal.md): takes a rate-limit slot,
    /// writes the journal's `intent` durably, sends, and settles the intent: `submitted` with
    /// the task id before this returns, `rejected` when kie refused it (nothing was created),
    /// `unknown` when no usable answer came (UNKNOWN_OUTCOME: never sent again by the library).
    /// `tag` (else the request's own) is the caller's key for the work item in the journal.
    public func generate(_ validated: ValidatedRequest, tag: String? = nil) async throws -> Submitted {
        try await inChildTask(after: generateSlots) { try await self.submit(validated, tag: tag) }
    }

    /// The budget's reservation first (nothing is sent when it refuses), then the local inputs'
    /// uploads, then the send; the reservation is released only when kie proves nothing was created.
    private func submit(_ original: ValidatedRequest, tag: String?) async throws -> Submitted {
        let reservation = try reserveBudget(original)
        let validated: ValidatedRequest
        do { validated = try await uploadingLocalInputs(original) } catch {
            budget.release(reservation.id)
            throw error
        }
        do {
            let submitted = try await send(validated, tag: tag, price: reservation.price)
            budget.commit(reservation.id, taskId: submitted.taskId)
            return submitted
        } catch let elsewhere as ClaimedElsewhere {
            // Another process holds the key's work (a batch line): nothing was sent; the caller
            // moves on, so the error stays itself.
            budget.release(reservation.id)
            throw elsewhere
        } catch {
            // Sent, or maybe: the price counts unless kie's answer proves nothing was created.
            let e = KieError.wrap(error)
            if !FailurePolicy.mayHaveCreatedTask(status: e.status) { budget.release(reservation.id) } else { budget.commit(reservation.id, taskId: e.taskId) }
            throw e
        }
    }

    private func send(_ validated: ValidatedRequest, tag: String?, price: Double?) async throws -> Submitted {
        for w in validated.warnings { logger.warning("request: \(w)") }
        if let ledger { return try await sendOnLedger(ledger, validated, tag: tag ?? validated.tag, price: price) }
        if let key = validated.idempotencyKey { return try await sendOnce(key: key, validated, tag: tag, price: price) }
        return try await sendNow(validated, tag: tag, price: price)
    }

    func sendNow(_ validated: ValidatedRequest, tag: String?, price: Double?) async throws -> Submitted {
        await seedLimiterOnce()
        let tag = tag ?? validated.tag
        let family = validated.family.rawValue
        let body = validated.body
        let journalId = Mutex<String?>(nil)
        let env: Envelope
        do {
            env = try await caller.call(
                .init(name: validated.family == .market ? "createTask" : "generate", method: .POST,
                      url: config.baseUrl + validated.path, policy: .createsTask),
                body: body,
                beforeFirstSend: { [journal] in
                    guard let journal else { return }
                    let id = try journal.begin(request: body, family: family, tag: tag, price: price, idempotencyKey: validated.idempotencyKey)
                    journalId.withLock { $0 = id }
                })
        } catch {
            let e = KieError.wrap(error)
            if let id = journalId.withLock({ $0 }) {
                // Sent, or about to be: only an answer that refused it proves nothing was created.
                do { try journal?.settle(id, FailurePolicy.journalState(after: e), detail: e.json) } catch {
                    logger.warning("journal: could not record the generate's outcome", metadata: ["id": "\(id)", "reason": "\(error.message)"])
                }
            }
            throw e
        }
        let id = journalId.withLock { $0 }
        guard let taskId = env.data["taskId"]?.stringValue, !taskId.isEmpty else {
            // The server answered 200 but without a task id: it may still have created one.
            let e = KieError(.unknownOutcome, "\(validated.family == .market ? "createTask" : "generate") answered without a taskId",
                             apiCode: 200, request: body, raw: Redaction.redact(JSON.serialize(env.data), secret: config.apiKey))
            if let id { try? journal?.settle(id, FailurePolicy.journalState(after: e), detail: e.json) }
            throw e
        }
        noteCreated(taskId, family: validated.family)
        logger.info("task submitted", metadata: ["taskId": "\(taskId)", "family": "\(family)"])
        if let id, let journal {
            do {
                try journal.settle(id, .submitted, taskId: taskId)
            } catch {
                // The task exists and is charged: report its id with the failure.
                throw KieError(.io, "task \(taskId) was accepted but the journal write failed: \(error.message)", taskId: taskId)
            }
        }
        return Submitted(taskId: taskId, family: family, tag: tag, journalId: id, warnings: validated.warnings)
    }

    public func generate(json: String) async throws -> Submitted {
        try await generate(RequestValidator.validate(json: json))
    }

    /// The whole lifecycle of one request: submit, `submitted` event, wait, optional download
    /// (wait options), each step journaled. Every "generate and wait" of the bindings, the CLI
    /// and its batch is this call. Cancelled while its request is on the wire, it still
    /// journals the task id before it stops (a resume finishes the task); it never polls after.
    public func run(
        _ validated: ValidatedRequest, options: WaitOptions, onEvent: @escaping @Sendable (WaitEvent) -> Void
    ) async throws -> WaitEvent {
        let taskId = try await submitAndAnnounce(validated, onEvent: onEvent)
        try Task.checkCancellation()
        return try await waitAndDownload(taskId, options: options, onEvent: onEvent)
    }

    /// `run`'s submit step, out of line: a long wait then keeps no `Submitted` in its frames.
    @inline(never)
    private func submitAndAnnounce(_ validated: ValidatedRequest, onEvent: @Sendable (WaitEvent) -> Void) async throws -> String {
        let submitted = try await generate(validated)
        onEvent(.submitted(taskId: submitted.taskId, warnings: submitted.warnings, family: submitted.family))
        return submitted.taskId
    }

    /// Waits for a task and, when the options name a directory, saves its results there. The
    /// final event carries the task and the saved files.
    public func waitAndDownload(_ taskId: String, options: WaitOptions, onEvent: @escaping @Sendable (WaitEvent) -> Void) async throws -> WaitEvent {
        let done = try await waitBoxed(taskId, options: options, onEvent: onEvent)
        guard let dir = options.downloadDir else { return Self.completed(done) }
        return try await downloadCompleted(done, to: dir)
    }

    /// Out of line: building the event from a task keeps temporaries this frame need not hold.
    @inline(never)
    private static func completed(_ done: Polled) -> WaitEvent { .completed(done.task, downloads: nil) }

    @inline(never)
    private func downloadCompleted(_ done: Polled, to dir: String) async throws -> WaitEvent {
        let task = done.task
        let files = try await download(task, to: dir)
        return .completed(task, downloads: ["dir": .string(dir), "files": .array(files.map(\.json))])
    }
}
