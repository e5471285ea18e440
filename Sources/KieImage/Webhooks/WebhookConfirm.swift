import Logging

extension KieClient {
    /// Verify-then-refetch: checks the signature with the configured `webhookKey`, then reads the
    /// task from record-info, the source of truth (the body is not signed, docs/kie-api.md §3a). Returns the
    /// verified event and the task as the API reports it.
    public func confirm(body: [UInt8], timestamp: String?, signature: String?, now: Int64, tolerance: Int64 = WebhookVerifier.defaultToleranceSeconds) async throws -> (WebhookEvent, KieTask) {
        guard let key = config.webhookKey else { throw KieError.invalidArgument("config has no webhookKey", field: "webhookKey") }
        let event = try WebhookVerifier.verify(key: key, body: body, timestamp: timestamp, signature: signature, now: now, tolerance: tolerance)
        return (event, try await confirm(event))
    }

    /// The refetch half of `confirm`, for an event already verified (by `WebhookVerifier.verify`
    /// with a key of the caller's): reads the task from record-info, logging a warning when it
    /// disagrees with the callback.
    public func confirm(_ event: WebhookEvent) async throws -> KieTask {
        let task = try await task(event.taskId)
        if event.isSuccess != task.isSuccess && task.isTerminal {
            logger.warning("callback disagrees with record-info", metadata: ["taskId": "\(event.taskId)"])
        }
        return task
    }
}
