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
        var idempotency: Idempotency
        /// A read by task id: body code 422 means "no such record" there, not a bad request
        /// (docs/kie-api.md §11 rows 2-4, docs/kie-market-api.md §3c).
        var readsRecord = false
    }

    func redact(_ s: String) -> String { Redaction.redact(s, secret: config.apiKey) }

    func call(
        _ endpoint: Endpoint, body: JSONValue? = nil, extraHeaders: [(String, String)] = [],
        rawBody: [UInt8]? = nil, deadline: ContinuousClock.Instant? = nil, taskId: String? = nil,
        pace: (@Sendable () async throws -> Void)? = nil,
        beforeFirstSend: (@Sendable () throws -> Void)? = nil
    ) async throws -> Envelope {
        var attempt = 0
        let bytes = rawBody ?? body.map { Array(JSON.serialize($0).utf8) }
        var headers = extraHeaders
        if rawBody == nil && body != nil { headers.append(("Content-Type", "application/json")) }
        while true {
            attempt += 1
            let slot = endpoint.idempotency == .createsTask ? try await limiter.acquire() : nil
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
                guard left > 0 else { throw KieError(.timeout, "deadline passed before \(endpoint.name)", taskId: taskId, attempts: attempt - 1) }
                timeout = min(timeout, left)
            }
            let outcome: Result<Envelope, Failed>
            if endpoint.idempotency == .createsTask {
                // Once a request that creates a task has left, its answer is awaited even when
                // the caller is cancelled: the task id must reach the journal (docs/journal.md),
                // or a charged task would be lost. The wait is bounded by the request timeout.
                let attempt = Task { [self, headers, bytes] in await attemptOnce(endpoint, headers: headers, body: bytes, timeoutMs: timeout) }
                outcome = await attempt.value
            } else {
                outcome = await attemptOnce(endpoint, headers: headers, body: bytes, timeoutMs: timeout)
            }
            if let slot { await limiter.answered(slot) }
            let failure: AttemptFailure
            var lastError: KieError
            switch outcome {
            case .success(let envelope):
                return envelope
            case .failure(let f):
                (failure, lastError) = (f.failure, f.error)
            }
            let retryAfter = lastError.retryAfterMs
            lastError.taskId = lastError.taskId ?? taskId
            lastError.attempts = attempt
            if case .answered(.rateLimited, _, _) = failure, endpoint.idempotency == .createsTask { await limiter.penalize() }
            switch config.retry.decide(failure, attempt: attempt, idempotency: endpoint.idempotency, retryAfterMs: retryAfter) {
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
                try await Task.sleep(for: .milliseconds(delay))
            }
        }
    }

    struct Failed: Error {
        var failure: AttemptFailure
        var error: KieError
    }

    /// One attempt: the envelope, or how it failed (for the retry policy) and the error to report.
    func attemptOnce(_ endpoint: Endpoint, headers: [(String, String)], body: [UInt8]?, timeoutMs: Int64) async -> Result<Envelope, Failed> {
        let answer: HTTPAnswer
        do {
            answer = try await transport.send(HTTPCall(method: endpoint.method, url: endpoint.url, headers: headers, body: body, timeoutMs: timeoutMs))
        } catch let t as TransportFailure {
            return .failure(Self.failed(t, idempotency: endpoint.idempotency))
        } catch {
            return .failure(Failed(failure: .notSent, error: KieError.wrap(error)))
        }
        let decoded = Result { () throws(KieError) -> Envelope in try ErrorMapping.decode(answer, redact: redact) }
        switch decoded {
        case .success(let env):
            return .success(env)
        case .failure(var e):
            e.retryAfterMs = answer.retryAfterMs
            if endpoint.idempotency == .createsTask && e.apiCode == nil && answer.status >= 500 && answer.status != 503 {
                // A gateway's 502/504 page (no envelope): the origin may have taken the request.
                return .failure(Failed(failure: .noAnswer, error: e))
            }
            if e.status == .protocol && e.apiCode == nil && answer.status == 200 {
                // A 200 whose body is no envelope (malformed, truncated): the server got the request.
                let f: AttemptFailure = endpoint.idempotency == .createsTask ? .noAnswer : .answered(.protocol, code: nil, retryable: true)
                return .failure(Failed(failure: f, error: e))
            }
            if endpoint.readsRecord && e.apiCode == 422 {
                // "url is wrong": the URL is not one of the task's, a bad argument (docs/kie-api.md §11 row 12).
                if e.message == "url is wrong" { (e.status, e.field) = (.validation, "url") } else { e.status = .notFound }
                e.retryable = false
            }
            return .failure(Failed(failure: .answered(e.status, code: e.apiCode ?? e.httpStatus, retryable: e.retryable), error: e))
        }
    }

    /// A failure below HTTP as the retry policy sees it, and the error to report.
    static func failed(_ t: TransportFailure, idempotency: Idempotency) -> Failed {
        if t.oversized {
            // An answer came, larger than any kie.ai sends: reading it again would not help, and a
            // generate's task may exist (the policy turns .noAnswer into an unknown outcome).
            let e = KieError(.protocol, t.message, retryable: false)
            return Failed(failure: idempotency == .createsTask ? .noAnswer : .answered(.protocol, code: nil, retryable: false), error: e)
        }
        let e = KieError(t.timedOut && t.sent ? .timeout : .network, t.message, retryable: true)
        return Failed(failure: t.sent ? .noAnswer : .notSent, error: e)
    }

    static func msUntil(_ deadline: ContinuousClock.Instant) -> Int64 {
        let d = ContinuousClock.now.duration(to: deadline)
        let (s, atto) = d.components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
