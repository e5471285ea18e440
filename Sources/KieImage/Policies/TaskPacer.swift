import Synchronization

/// Keeps record-info calls for one task at least `gapMs` apart, whoever makes them (polls,
/// retries, callers), so the client never trips the documented 3 calls per second per task
/// (docs/kie-api.md §2). Calls spaced 350 ms apart put at most 3 in any 1 s window.
final class TaskPacer: Sendable {
    static let gapMs: Int64 = 350
    private let next = Mutex<[String: Int64]>([:])

    /// Reserves the task's next slot and sleeps until it.
    func pace(_ taskId: String) async throws {
        let now = Clock.nowMs()
        let at = next.withLock { slots -> Int64 in
            if slots.count > 10_000 { slots = slots.filter { $0.value > now } }
            return Self.reserve(&slots[taskId, default: now], now: now)  // one hash lookup, in place
        }
        if at > now { try await Task.sleep(for: .milliseconds(at - now)) }
    }

    /// The slot to use (now, or the task's next free one) and moves the task's next free slot past it.
    private static func reserve(_ next: inout Int64, now: Int64) -> Int64 {
        let at = max(now, next)
        next = at + gapMs
        return at
    }
}
