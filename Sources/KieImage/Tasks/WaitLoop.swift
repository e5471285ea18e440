/// The state one wait keeps across its sleeps and polls (KieClient+Wait.swift), in one object:
/// the wait loop's frame, which every waiting task keeps for its whole life, then holds a
/// reference (P3 in BENCHMARKS.md). Owned by that one wait; never shared.
final class WaitLoop {
    /// What the loop does next.
    enum Step: Equatable { case sleep(Int64), poll, timedOut }

    let deadline: ContinuousClock.Instant
    let startWallMs = Clock.nowMs()
    var schedule: PollSchedule
    /// Set when the wait expects a callback: its delays replace the schedule's.
    var safetyNet: CallbackPollSchedule?
    /// A task a callback delivered before the wait began.
    var done: Polled?
    /// Before the next poll.
    var delay: Int64 = 0
    var createTime: Int64?
    var lastProgress = -1.0
    var calls = 0
    /// The delay was slept: poll next.
    private var pollNext = false
    /// The last sleep ran to the deadline.
    private var endedAtDeadline = false

    init(deadline: ContinuousClock.Instant, schedule: PollSchedule) {
        self.deadline = deadline
        self.schedule = schedule
    }

    /// Sleep the delay then poll; when the delay reaches the deadline, sleep until it (a
    /// callback may still end the wait) and then time out.
    func next() -> Step {
        if endedAtDeadline { return .timedOut }
        if pollNext {
            pollNext = false
            return .poll
        }
        let left = APICaller.msUntil(deadline)
        if delay >= left {
            endedAtDeadline = true
            return left > 0 ? .sleep(left) : .timedOut
        }
        if delay > 0 {
            pollNext = true
            return .sleep(delay)
        }
        return .poll
    }

    /// Elapsed since the task's creation when kie told it, else since the wait began.
    var elapsedMs: Int64 {
        let now = Clock.nowMs()
        return createTime.map { max(0, now - $0) } ?? (now - startWallMs)
    }
}
