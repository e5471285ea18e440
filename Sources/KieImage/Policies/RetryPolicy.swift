/// What happened to one attempt, as far as retry decisions care.
public enum AttemptFailure: Sendable, Equatable {
    /// The request provably never reached the server (DNS, connect refused or timed out, TLS).
    case notSent
    /// The request was (or may have been) sent but no complete answer came back.
    case noAnswer
    /// The server answered with this error (body code, or HTTP status without an envelope).
    case answered(KieStatus, code: Int?, retryable: Bool)
}

/// Whether the request may be repeated without side effects.
public enum Idempotency: Sendable {
    /// Reads (record-info, credits, download-url, downloads, uploads that overwrite by name).
    case idempotent
    /// generate: a repeat may create and charge a second task (no idempotency key exists).
    case createsTask
}

public enum RetryDecision: Sendable, Equatable {
    case retry(afterMs: Int64)
    case giveUp
    /// generate was sent and its fate is unknown: never retried, reported UNKNOWN_OUTCOME.
    case unknownOutcome
}

/// Exponential backoff with full jitter (AWS architecture blog's "full jitter"): delay is drawn
/// uniformly from [0, min(cap, base * 2^attempt)]. Pure; the transport executes its decisions.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries = 4
    public var baseMs: Int64 = 500
    public var capMs: Int64 = 8_000
    /// After a 429 on generate the request was dropped, not queued (docs/kie-api.md §7): wait a window.
    public var rateLimitWaitMs: Int64 = 10_000
    /// After a 429 on a read: at least one per-task window (docs/kie-api.md §2: 3 per second per task).
    public var readRateLimitWaitMs: Int64 = 1_000

    public init() {}

    /// `attempt` counts from 1 for the attempt that just failed.
    public func decide(
        _ failure: AttemptFailure, attempt: Int, idempotency: Idempotency, retryAfterMs: Int64? = nil,
        random: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) -> RetryDecision {
        let mayRetry: Bool
        switch (failure, idempotency) {
        case (.notSent, _): mayRetry = true
        case (.noAnswer, .idempotent): mayRetry = true
        case (.noAnswer, .createsTask): return .unknownOutcome
        case (.answered(_, let code, let retryable), .idempotent):
            mayRetry = retryable && code != 401 && code != 402 && code != 404 && code != 422
        case (.answered(let status, let code, _), .createsTask):
            // Only answers that say the request was refused before any task existed.
            mayRetry = code == 429 || code == 455 || code == 550 || code == 503 || status == .rateLimited && code == nil
        }
        guard mayRetry, attempt <= maxRetries else { return .giveUp }
        var delay = backoff(attempt: attempt, random: random)
        if case .answered(.rateLimited, _, _) = failure {
            if let hint = retryAfterMs { delay = max(delay, min(hint, 60_000)) }
            else if idempotency == .createsTask { delay = max(delay, rateLimitWaitMs) }
            // record-info allows 3 calls per second per task (docs/kie-api.md §2): wait out that window.
            else { delay = max(delay, readRateLimitWaitMs) }
        }
        return .retry(afterMs: delay)
    }

    func backoff(attempt: Int, random: (ClosedRange<Int64>) -> Int64) -> Int64 {
        let shift = min(max(attempt - 1, 0), 30)
        let (scaled, overflow) = baseMs.multipliedReportingOverflow(by: Int64(1) << shift)
        let ceiling = overflow ? capMs : min(capMs, scaled)
        return ceiling <= 0 ? 0 : random(0...ceiling)
    }
}
