import AsyncHTTPClient
import Logging
import NIOHTTP1

/// Runs one API call with the retry policy: attempts, per-attempt timeouts inside an overall
/// deadline, the generate rate limiter, and the rule that a generate which may have reached the
/// server is never repeated (UNKNOWN_OUTCOME).
struct APICaller: Sendable {
    let transport: HTTPTransport
    let config: ClientConfig
    let limiter: RateLimiter
    let logger: Logger

    struct Endpoint: Sendable {
        var name: String
        var method: HTTPMethod
        var url: String
        /// What a failure of this endpoint means: retries, charge, journal state.
        var policy: FailurePolicy
    }

    func redact(_ s: String) -> String { Redaction.redact(s, secret: config.apiKey) }

    func call(
        _ endpoint: Endpoint, body: JSONValue? = nil, extraHeaders: [(String, String)] = [],
        rawBody: [UInt8]? = nil, deadline: ContinuousClock.Instant? = nil, taskId: String? = nil,
        pace: (@Sendable () async throws -> Void)? = nil,
        beforeFirstSend: (@Sendable () throws -> Void)? = nil, gate: (any SendGate)? = nil
    ) async throws -> Envelope {
        var attempt = 0
        let bytes = rawBody ?? body.map(JSON.serializeBytes)
        var headers = extraHeaders
        if rawBody == nil && body != nil { headers.append(("Content-Type", "application/json")) }
        while true {
            attempt += 1
            let slot = endpoint.policy == .createsTask ? try await limiter.acquire() : nil
            try await pace?()
            do {
                try Task.checkCancellation()
                // The journal's intent: after the rate-limit slot, right before the request leaves.
                if attempt == 1 { try beforeFirstSend?() }
            } catch {
                if let slot { await limiter.answered(slot) }
                throw error
            }
            var timeout = config.requestTimeoutMs
            if let deadline {
                let left = Self.msUntil(deadline)
                guard left > 0 else {
                    if let slot { await limiter.answered(slot) }
                    throw KieError(.timeout, "deadline passed before \(endpoint.name)", taskId: taskId, attempts: attempt - 1)
                }
                timeout = min(timeout, left)
            }
            if let gate {
                do { try await gate.admit() } catch {
                    if let slot { await limiter.answered(slot) }
                    throw error
                }
            }
            let outcome: Result<Envelope, FailedAttempt>
            if endpoint.policy == .createsTask {
                // Once a request that creates a task has left, its answer is awaited even when
                // the caller is cancelled: the task id must reach the journal (docs/journal.md),
                // or a charged task would be lost. The wait is bounded by the request timeout.
                let attempt = Task { [self, headers, bytes] in await attemptOnce(endpoint, headers: headers, body: bytes, timeoutMs: timeout) }
                outcome = await attempt.value
            } else {
                outcome = await attemptOnce(endpoint, headers: headers, body: bytes, timeoutMs: timeout)
            }
            if let slot { await limiter.answered(slot) }
            switch outcome {
            case .success(let envelope):
                return envelope
            case .failure(let failed):
                let delay = try await retryDelay(after: failed, of: endpoint, attempt: attempt, body: body, deadline: deadline, taskId: taskId)
                if let gate {
                    if case .transport(let kind) = failed.failure, !kind.sent { await gate.notSent() } else { try await gate.willRetry(after: failed) }
                }
                try await Task.sleep(for: .milliseconds(delay))
            }
        }
    }

    /// How long to wait before the next attempt, as the retry policy decides from the failure's
    /// verdict; throws the error to report when there is none.
    func retryDelay(
        after failed: FailedAttempt, of endpoint: Endpoint, attempt: Int, body: JSONValue?, deadline: ContinuousClock.Instant?,
        taskId: String?
    ) async throws(KieError) -> Int64 {
        var lastError = failed.error
        lastError.taskId = lastError.taskId ?? taskId
        lastError.attempts = attempt
        if failed.verdict.status == .rateLimited, endpoint.policy == .createsTask { await limiter.penalize() }
        switch config.retry.decide(failed.verdict, attempt: attempt, policy: endpoint.policy, retryAfterMs: lastError.retryAfterMs) {
        case .giveUp:
            throw lastError
        case .unknownOutcome:
            var e = KieError(
                .unknownOutcome,
                "generate was sent but no usable answer came back (\(lastError.message)); the task may exist and be charged: check before submitting again",
                apiCode: lastError.apiCode, httpStatus: lastError.httpStatus, attempts: attempt, request: body)
            e.raw = lastError.raw
            throw e
        case .retry(let delay):
            if let deadline, Self.msUntil(deadline) <= delay {
                throw lastError
            }
            logger.notice(
                "retrying \(endpoint.name)",
                metadata: ["attempt": "\(attempt)", "delayMs": "\(delay)", "reason": "\(lastError.status.name): \(lastError.message)"])
            return delay
        }
    }

    /// One attempt: the envelope, or how it failed as the endpoint's failure policy judges it.
    func attemptOnce(_ endpoint: Endpoint, headers: [(String, String)], body: [UInt8]?, timeoutMs: Int64) async -> Result<Envelope, FailedAttempt> {
        let answer: HTTPAnswer
        do {
            answer = try await transport.send(HTTPCall(method: endpoint.method, url: endpoint.url, headers: headers, body: body, timeoutMs: timeoutMs))
        } catch let t as TransportFailure {
            return .failure(FailedAttempt(.transport(t.kind), policy: endpoint.policy, message: t.message))
        } catch {
            // Anything else (a cancellation) left nothing on the wire: judged as not sent, reported as it is.
            var f = FailedAttempt(.transport(.notSent), policy: endpoint.policy, message: "")
            f.error = KieError.wrap(error)
            return .failure(f)
        }
        return ErrorMapping.decode(answer, policy: endpoint.policy, redact: redact).mapError { f in
            var f = f
            f.error.retryAfterMs = answer.retryAfterMs
            return f
        }
    }

    static func msUntil(_ deadline: ContinuousClock.Instant) -> Int64 {
        let d = ContinuousClock.now.duration(to: deadline)
        let (s, atto) = d.components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
