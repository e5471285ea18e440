import Logging

/// What one delivered callback came to (docs/webhooks.md): the event as the body tells it, the
/// task as kie's record reports it (the truth: the body is not signed), and whether this
/// delivery recorded the outcome or repeated one already recorded.
public struct WebhookDelivery: Sendable {
    public var event: WebhookEvent
    public var task: KieTask
    /// False for a duplicate, or a late callback after a poll (in any process sharing the
    /// journal) already recorded the end.
    public var recorded: Bool

    /// The event JSON of `kie_webhook_deliver`: the webhook event plus `task`, `duplicate`, and
    /// the answer a receiver gives kie (`receiverAnswer` 200, `receiverBody`), as a refusal's
    /// error detail carries its own.
    public var json: JSONValue {
        guard case .object(var o) = event.json else { return event.json }
        o["task"] = task.json
        o["duplicate"] = .bool(!recorded)
        o["receiverAnswer"] = 200
        o["receiverBody"] = .string(WebhookAnswer.okBody)
        return .object(o)
    }
}

extension KieClient {
    /// Delivers a callback as a receiver got it (`kie_webhook_deliver`, docs/webhooks.md):
    /// verifies the signature (mandatory when `webhookKey` is set) and its time window, confirms
    /// the task by one read of kie (coalesced per id), records its end in the journal once, and
    /// ends every wait on the task in this process at once.
    /// Throws SIGNATURE (refused before any read), INVALID_ARGUMENT (not a callback body),
    /// NOT_FOUND (kie knows no such task for this account), UNAVAILABLE (kie still reports the
    /// task running: nothing recorded, retryable) or the read's own error; every error carries
    /// the HTTP status a receiver answers kie with (`receiverAnswer`).
    public func deliver(headers: [String: String], body: [UInt8], now: Int64 = WallClock.nowSeconds()) async throws -> WebhookDelivery {
        do {
            return try await confirmAndRecord(headers: headers, body: body, now: now)
        } catch {
            var e = KieError.wrap(error)
            e.receiverAnswer = WebhookAnswer.httpStatus(for: e.status)
            throw e
        }
    }

    private func confirmAndRecord(headers: [String: String], body: [UInt8], now: Int64) async throws -> WebhookDelivery {
        let event = try verifiedEvent(headers: headers, body: body, now: now)
        if let known = mailbox.delivered(event.taskId) {
            return WebhookDelivery(event: event, task: known, recorded: false)
        }
        if let ledger, let known = try await ledgerRecordedEnd(event.taskId, in: ledger).task {
            // Another process of the account confirmed and recorded it: trusted, not read again.
            mailbox.post(known)
            return WebhookDelivery(event: event, task: known, recorded: false)
        }
        let task = try await confirmFlights.confirm(event.taskId) { [self] in try await self.task(event.taskId) }
        guard task.isTerminal else {
            throw KieError(.unavailable, "kie still reports task \(event.taskId) running: callback not recorded", taskId: event.taskId, retryable: true)
        }
        if event.isSuccess != task.isSuccess {
            logger.warning("callback disagrees with record-info; record-info wins", metadata: ["taskId": "\(event.taskId)"])
        }
        if let ledger {
            let recorded = await recordDelivered(task, target: Self.header(headers, ":path"), ledger: ledger)
            return WebhookDelivery(event: event, task: task, recorded: recorded)
        }
        return WebhookDelivery(event: event, task: task, recorded: recordEnd(task))
    }

    /// The event of a callback whose signature checks out: with a `webhookKey` the signature and
    /// its time window are mandatory; without one the body is only parsed (the read confirms it).
    func verifiedEvent(headers: [String: String], body: [UInt8], now: Int64) throws(KieError) -> WebhookEvent {
        guard let key = config.webhookKey, !key.isEmpty else { return try WebhookEvent.parse(body) }
        return try WebhookVerifier.verify(
            key: key, body: body, timestamp: Self.header(headers, "x-webhook-timestamp"),
            signature: Self.header(headers, "x-webhook-signature"), now: now)
    }

    /// Records a confirmed end once: posts it to this process's waits and, with a journal, appends
    /// it with the task's record unless the journal already holds an end. True when this call
    /// recorded it (the journal's word when there is one).
    func recordEnd(_ task: KieTask) -> Bool {
        guard let journal else {
            let first = mailbox.post(task)
            if first {
                noteCharged(task)
                learnDuration(task)
            }
            return first
        }
        // The journal first, then the waits: a woken wait records the end too (once), and must
        // not get there before this delivery, which would then read as a duplicate.
        let wrote: Bool?
        do {
            let detail: JSONValue = task.isSuccess ? .null : .string(task.errorMessage ?? task.status.rawValue)
            wrote = try journal.settleEnd(taskId: task.taskId, task.isSuccess ? .succeeded : .failed, detail: detail, record: task.raw,
                                          credits: task.creditsConsumed)
        } catch {
            logger.warning("journal: could not record a delivered callback", metadata: ["taskId": "\(task.taskId)", "reason": "\(error.message)"])
            wrote = nil
        }
        let first = mailbox.post(task)
        if first { noteCharged(task) }
        guard let wrote else { return first }
        if wrote { learnDuration(task) }
        return wrote || (first && journal.entry(taskId: task.taskId) == nil)
    }

    func learnDuration(_ task: KieTask) {
        if task.isSuccess, let ct = task.createTime, let done = task.completeTime, done > ct { durations.record(done - ct) }
    }

    /// A header by name, case-insensitive (HTTP field names are).
    static func header(_ headers: [String: String], _ name: String) -> String? {
        headers.first { $0.key.lowercased() == name }?.value
    }
}
