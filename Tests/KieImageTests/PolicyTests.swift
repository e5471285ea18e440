import Testing
@testable import KieImage

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()
    let noJitter: (ClosedRange<Int64>) -> Int64 = { $0.upperBound }

    func decide(_ f: AttemptFailure, _ p: FailurePolicy, attempt: Int = 1) -> RetryDecision {
        policy.decide(p.verdict(f), attempt: attempt, policy: p, random: noJitter)
    }

    @Test func readsRetryNetworkTimeoutsRateLimitsAndServerErrors() {
        #expect(decide(.transport(.notSent), .read) == .retry(afterMs: 500))
        #expect(decide(.transport(.noAnswer), .read) == .retry(afterMs: 500))
        // A read's 429 waits out the per-task window of record-info (3 per second, docs/kie-api.md §2).
        #expect(decide(.code(429), .read) == .retry(afterMs: 1_000))
        #expect(decide(.code(455), .read) == .retry(afterMs: 500))
        #expect(decide(.code(500), .read) == .retry(afterMs: 500))
    }

    @Test(arguments: [401, 402, 404, 422])
    func readsNeverRetryClientErrors(code: Int) {
        #expect(decide(.code(code), .read) == .giveUp)
    }

    @Test func generateIsNotRetriedAfterTheRequestMayHaveArrived() {
        #expect(decide(.transport(.noAnswer), .createsTask) == .unknownOutcome)
        #expect(decide(.code(500), .createsTask) == .giveUp)
        #expect(decide(.code(402), .createsTask) == .giveUp)
    }

    @Test func generateIsRetriedWhenProvablyNotAccepted() {
        #expect(decide(.transport(.notSent), .createsTask) == .retry(afterMs: 500))
        // A 429 on generate waits out the server's whole window (docs/kie-api.md §7: dropped, not queued).
        #expect(decide(.code(429), .createsTask) == .retry(afterMs: 10_000))
        #expect(decide(.code(455), .createsTask) == .retry(afterMs: 500))
        #expect(decide(.code(550), .createsTask) == .retry(afterMs: 500))
    }

    @Test func backoffGrowsToTheCapAndStopsAfterMaxRetries() {
        #expect(decide(.transport(.notSent), .read, attempt: 2) == .retry(afterMs: 1_000))
        #expect(decide(.transport(.notSent), .read, attempt: 4) == .retry(afterMs: 4_000))
        var p = policy
        p.maxRetries = 10
        #expect(p.decide(FailurePolicy.read.verdict(.transport(.notSent)), attempt: 9, policy: .read, random: noJitter) == .retry(afterMs: 8_000))
        #expect(decide(.transport(.notSent), .read, attempt: 5) == .giveUp)
    }

    @Test func jitterStaysWithinTheCeiling() {
        for attempt in 1...4 {
            if case .retry(let ms) = policy.decide(FailurePolicy.read.verdict(.transport(.notSent)), attempt: attempt, policy: .read) {
                #expect(ms >= 0 && ms <= min(8_000, 500 << (attempt - 1)))
            } else {
                Issue.record("expected a retry")
            }
        }
    }
}

@Suite struct SlidingWindowTests {
    @Test func twentyPerTenSecondsThenWaitForTheOldest() {
        var w = SlidingWindow(RateLimitSettings())
        for i in 0..<20 {
            #expect(w.delay(now: Int64(i * 10)) == 0)
            w.answered(w.record(now: Int64(i * 10)), now: Int64(i * 10))
        }
        let margin = SlidingWindow.clockMarginMs
        #expect(w.delay(now: 200) == 10_000 + margin - 200)
        // One window after the oldest answer, the clocks' rounding could still disagree.
        #expect(w.delay(now: 10_000) == margin)
        #expect(w.delay(now: 10_000 + margin) == 0)
    }

    @Test func aSendCountsFromItsAnswerAndNeverExpiresInFlight() {
        var settings = RateLimitSettings()
        settings.requests = 2
        var w = SlidingWindow(settings)
        let inFlight = w.record(now: 0)
        w.answered(w.record(now: 0), now: 0)
        let margin = SlidingWindow.clockMarginMs
        #expect(w.delay(now: 5_000) == 5_000 + margin)
        #expect(w.delay(now: 10_000 + margin) == 0)
        w.answered(w.record(now: 10_002), now: 10_002)
        // The unanswered send still holds its slot long after it started.
        #expect(w.delay(now: 10_003) == 9_999 + margin)
        w.answered(inFlight, now: 15_000)
        #expect(w.delay(now: 20_002 + margin) == 0)
    }

    @Test func penaltyBlocksAWholeWindow() {
        var w = SlidingWindow(RateLimitSettings())
        w.penalize(now: 1_000)
        #expect(w.delay(now: 1_000) == 10_000 + SlidingWindow.clockMarginMs)
        #expect(w.delay(now: 11_000 + SlidingWindow.clockMarginMs) == 0)
    }
}

@Suite struct RateLimiterSeedTests {
    static func limiter() -> RateLimiter {
        var settings = RateLimitSettings()
        settings.requests = 1
        return RateLimiter(settings)
    }

    @Test func anAnsweredSendCountsFromItsAnswer() async {
        let l = Self.limiter()
        await l.seed([(atMs: Clock.nowMs() - 4_000, answered: true)], flightMs: 30_000)
        let wait = await l.delayNow()
        #expect(wait > 5_000 && wait <= 6_000 + SlidingWindow.clockMarginMs)
    }

    @Test func aSendInFlightAtTheCrashCountsUntilItsDeadlineCouldHavePassed() async {
        // Started 20 s ago with a 30 s deadline: it may reach the server only now.
        let l = Self.limiter()
        await l.seed([(atMs: Clock.nowMs() - 20_000, answered: false)], flightMs: 30_000)
        let wait = await l.delayNow()
        #expect(wait > 9_000 && wait <= 10_000 + SlidingWindow.clockMarginMs)
        // Started 50 s ago: its deadline passed 20 s ago, outside the 10 s window.
        let old = Self.limiter()
        await old.seed([(atMs: Clock.nowMs() - 50_000, answered: false)], flightMs: 30_000)
        #expect(await old.delayNow() == 0)
    }

    @Test func hostileJournalTimesNeitherTrapNorBlock() async {
        let l = Self.limiter()
        await l.seed([(atMs: .min, answered: false), (atMs: .min, answered: true), (atMs: .max, answered: true),
                      (atMs: .max, answered: false)], flightMs: 30_000)
        // A start time in the future is a send in flight: it holds the slot for one window.
        let wait = await l.delayNow()
        #expect(wait > 9_000 && wait <= 10_000 + SlidingWindow.clockMarginMs)
    }
}

@Suite struct PollScheduleTests {
    let zero: (ClosedRange<Int64>) -> Int64 = { $0.lowerBound }

    @Test func advancingProgressLandsJustAfterPredictedCompletion() {
        var s = PollSchedule(settings: PollSettings())
        s.observe(elapsedMs: 2_000, progress: 0.10)  // 20 s task
        let first = s.nextDelay(elapsedMs: 2_000, jitter: zero)
        #expect(first > 5_000 && first < 18_000)
        var t: Int64 = 2_000 + first
        var calls = 1
        while t < 20_000 && calls < 10 {
            s.observe(elapsedMs: t, progress: Double(t) / 20_000)
            t += s.nextDelay(elapsedMs: t, jitter: zero)
            calls += 1
        }
        #expect(calls <= 6)
        #expect(t >= 20_000 && t <= 21_000)
    }

    @Test func stuckProgressSkipsTheUnlikelyStartThenPollsAtTheTargetLatency() {
        var s = PollSchedule(settings: PollSettings())
        s.observe(elapsedMs: 1_500, progress: 0)
        let skip = s.nextDelay(elapsedMs: 1_500, jitter: zero)
        #expect(skip == 4_500 - 1_500)
        #expect(s.nextDelay(elapsedMs: 15_000, jitter: zero) == 1_000)
    }

    @Test func pastKnownDurationsTheGapGrowsToTheCap() {
        var s = PollSchedule(settings: PollSettings(), knownDurations: Array(repeating: 20_000, count: 50))
        var gaps: [Int64] = []
        for i in 0..<12 { gaps.append(s.nextDelay(elapsedMs: 30_000 + Int64(i) * 1_000, jitter: zero)) }
        #expect(gaps.first == 1_000)
        #expect(gaps.last == 10_000)
        #expect(zip(gaps, gaps.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func neverMoreThanThreeCallsPerSecond() {
        var settings = PollSettings()
        settings.targetLatencyMs = 10
        settings.maxMs = 10
        var s = PollSchedule(settings: settings)
        for t in stride(from: Int64(0), to: 100_000, by: 700) {
            s.observe(elapsedMs: t, progress: 0.999)
            #expect(s.nextDelay(elapsedMs: t, jitter: zero) >= 334)
        }
    }
}
