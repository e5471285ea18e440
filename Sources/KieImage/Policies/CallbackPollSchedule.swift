/// When a wait that expects a callback (config `"callbacks": true`, docs/webhooks.md) reads the
/// task: polling is only a safety net for a lost callback. Pure: given the durations of tasks
/// this client has seen, the time since the task started and the time left before the wait's
/// deadline, returns the next delay.
///
/// - No read when the wait starts: the first read is due when the known durations say the task
///   is probably done (their 90th percentile; 30 s when none is known).
/// - Then slowly: 10 s, doubling up to 60 s.
/// - A lost callback still ends the wait before its deadline: every delay is cut so one read
///   lands `margin` before the deadline (a tenth of what is left, 350 ms .. 5 s).
public struct CallbackPollSchedule: Sendable, Equatable {
    public static let unknownDurationMs: Int64 = 30_000
    public static let firstSlowGapMs: Int64 = 10_000
    public static let maxSlowGapMs: Int64 = 60_000

    /// Sorted durations (ms) of tasks this client has seen complete.
    public let knownDurations: [Int64]
    private var slowGap: Int64 = 0

    public init(knownDurations: [Int64]) { self.knownDurations = knownDurations.sorted() }

    /// When the task is probably done, measured from its start.
    public var likelyDoneMs: Int64 {
        guard !knownDurations.isEmpty else { return Self.unknownDurationMs }
        return knownDurations[min(knownDurations.count - 1, knownDurations.count * 9 / 10)]
    }

    /// Delay before the first read: the likely completion, at most the last chance before the deadline.
    public func firstDelay(elapsedMs: Int64, leftMs: Int64) -> Int64 {
        Self.clamp(max(0, likelyDoneMs - max(0, elapsedMs)), leftMs: leftMs)
    }

    /// Delay before each later read.
    public mutating func nextDelay(leftMs: Int64) -> Int64 {
        slowGap = slowGap == 0 ? Self.firstSlowGapMs : min(Self.maxSlowGapMs, slowGap * 2)
        return Self.clamp(slowGap, leftMs: leftMs)
    }

    /// A delay cut to leave one read `margin` before the deadline. With no time for that read
    /// left, `leftMs` itself: the wait then times out (KieClient+Wait.swift).
    static func clamp(_ delay: Int64, leftMs: Int64) -> Int64 {
        let margin = min(5_000, max(PollSchedule.minGapMs, leftMs / 10))
        let lastChance = leftMs - margin
        guard lastChance > 0 else { return max(0, leftMs) }
        return min(delay, lastChance)
    }
}
