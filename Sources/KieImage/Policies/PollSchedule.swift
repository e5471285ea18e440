/// Poll settings from the config's `poll` object or a wait's options.
public struct PollSettings: Sendable, Equatable {
    /// Delay before the first record-info call.
    public var initialMs: Int64 = 1_500
    /// Longest gap between two calls.
    public var maxMs: Int64 = 10_000
    /// Growth of the gap once a task runs longer than the durations seen so far.
    public var multiplier: Double = 1.5
    /// Overall deadline of a wait (docs/kie-api.md §2e: 408 after 10 minutes without a result).
    public var deadlineMs: Int64 = 900_000
    /// Gap while completion is likely; bounds the p99 delay between completion and notice.
    public var targetLatencyMs: Int64 = 1_000
    public init() {}
}

/// Decides when to call record-info next. Pure: given elapsed time, progress observations and
/// the durations of tasks this client has already seen, returns the next delay.
///
/// - Progress advancing (docs' example): completion is extrapolated from the progress rate and
///   the next call lands just after it, so a task costs a handful of calls.
/// - Progress stuck at 0 then jumping to 1 (real traffic, docs/kie-api.md §2a): calls are spaced by
///   `targetLatencyMs` only where completions are likely (between the 0.3rd and 99.7th percentile of
///   known durations, or of a log-normal prior with median 20 s), sparse before, and growing
///   by `multiplier` up to `maxMs` past them.
/// - Never more than 3 calls per second per task (docs/kie-api.md §2).
public struct PollSchedule: Sendable {
    public static let minGapMs: Int64 = 350
    static let progressStep = 0.01
    static let createTimeStepMs: Int64 = 1_000

    public var settings: PollSettings
    /// Sorted durations (ms) of tasks seen to complete; empty means "use the prior".
    public var knownDurations: [Int64]
    private var lastProgress: Double = 0
    private var lastProgressAt: Int64 = 0
    private var firstProgressAt: Int64?
    private var tailGap: Int64 = 0

    public init(settings: PollSettings, knownDurations: [Int64] = []) {
        self.settings = settings
        self.knownDurations = knownDurations.sorted()
    }

    /// Records one observation at `elapsedMs` since the task started.
    public mutating func observe(elapsedMs: Int64, progress: Double) {
        if progress > lastProgress {
            if firstProgressAt == nil { firstProgressAt = elapsedMs }
            lastProgress = progress
            lastProgressAt = elapsedMs
        }
    }

    /// Delay before the first call.
    public func firstDelay(elapsedMs: Int64) -> Int64 {
        max(0, settings.initialMs - max(0, elapsedMs))
    }

    /// Delay until the next call, given the time now.
    public mutating func nextDelay(elapsedMs: Int64, jitter: (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }) -> Int64 {
        let target = max(Self.minGapMs, settings.targetLatencyMs)
        var gap: Int64
        if lastProgress > 0, lastProgress < 1, lastProgressAt > 0 {
            // Progress advancing: extrapolate linearly from the start, at the fastest rate the
            // observation allows. Progress is truncated to 0.01 and createTime to whole seconds
            // (docs/kie-api.md §2c), so p / elapsed overestimates what is left by up to 60 % early on.
            let progress = min(1, lastProgress + Self.progressStep)
            let rate = progress / Double(max(1, lastProgressAt - Self.createTimeStepMs))
            let remainingAtLast = (1 - progress) / rate
            let remaining = max(0, Int64(remainingAtLast) - (elapsedMs - lastProgressAt))
            gap = remaining <= 2 * target ? remaining + 100 : Int64(Double(remaining) * 0.7)
            gap = min(gap, settings.maxMs * 3)
        } else {
            let (early, late) = likelyWindow()
            if elapsedMs < early - target {
                gap = early - elapsedMs
            } else if elapsedMs <= late {
                gap = target
            } else {
                tailGap = tailGap == 0 ? target : Int64(Double(tailGap) * settings.multiplier)
                gap = min(tailGap, settings.maxMs)
            }
            gap = min(gap, settings.maxMs)
            gap += jitter(0...max(gap / 10, 1))
        }
        return max(Self.minGapMs, gap)
    }

    /// Where completions are likely: the 0.3rd..99.7th percentile of known durations (at least
    /// 20 seen), else of the prior log-normal (median 20 s, σ 0.55: about 4.5 s .. 89 s), so fewer
    /// than 1 % of tasks end in the sparse edges and p99 is set by `targetLatencyMs`.
    func likelyWindow() -> (Int64, Int64) {
        if knownDurations.count >= 20 {
            let lo = knownDurations[knownDurations.count * 3 / 1000]
            let hi = knownDurations[min(knownDurations.count - 1, knownDurations.count * 997 / 1000)]
            return (lo, hi)
        }
        return (4_500, 89_000)
    }
}
