enum RetryDecision: Sendable, Equatable {
    case retry(afterMs: Int64)
    case giveUp
    /// generate was sent and its fate is unknown: never retried, reported UNKNOWN_OUTCOME.
    case unknownOutcome
}

/// When to retry what FailurePolicy allows: exponential backoff with full jitter (AWS
/// architecture blog's "full jitter"): delay is drawn uniformly from [0, min(cap, base * 2^attempt)].
/// Pure; APICaller and the downloader execute its decisions.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries = 4
    public var baseMs: Int64 = 500
    public var capMs: Int64 = 8_000
    /// After a 429 on generate the request was dropped, not queued (docs/kie-api.md §7): wait a window.
    public var rateLimitWaitMs: Int64 = 10_000
    /// After a 429 on a read: at least one per-task window (docs/kie-api.md §2: 3 per second per task).
    public var readRateLimitWaitMs: Int64 = 1_000

    public init() {}

    /// `attempt` counts from 1 for the attempt that just failed, on an endpoint of `policy`.
    func decide(
        _ verdict: FailureVerdict, attempt: Int, policy: FailurePolicy, retryAfterMs: Int64? = nil,
        random: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }
    ) -> RetryDecision {
        if verdict.status == .unknownOutcome { return .unknownOutcome }
        guard verdict.retry, attempt <= maxRetries else { return .giveUp }
        var delay = backoff(attempt: attempt, random: random)
        if verdict.status == .rateLimited {
            if let hint = retryAfterMs { delay = max(delay, min(hint, 60_000)) }
            else if policy == .createsTask { delay = max(delay, rateLimitWaitMs) }
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
