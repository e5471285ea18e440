// The per-account generate limit (docs/kie-api.md §7): 20 accepted generate or createTask
// requests per rolling 10 s per key by default; a refused request is dropped, not queued.

/// Rolling-window limiter: at most `limit` events in any `windowMs`. A pure value kept under the
/// state lock; rejected attempts are not recorded (they are dropped, not queued, docs/kie-api.md §7).
struct GenerateWindow: Sendable {
    private var events: [Int64] = []
    private var head = 0

    /// Records an event at `nowMs` if the window has room; returns whether it was allowed.
    mutating func allow(nowMs: Int64, limit: Int, windowMs: Int64) -> Bool {
        if limit <= 0 || windowMs <= 0 { return true }
        while head < events.count && events[head] <= nowMs - windowMs { head += 1 }
        if head > 64 && head * 2 > events.count {
            events.removeFirst(head)
            head = 0
        }
        guard events.count - head < limit else { return false }
        events.append(nowMs)
        return true
    }
}

/// Whether a generate or createTask enters the account's books.
enum Admission { case admitted, insufficientCredits, rateLimited }

extension StateData {
    /// Credits first, then the per-account window shared by 4o generate and Market createTask
    /// (docs/kie-api.md §7): only accepted requests enter the window, and a refused request
    /// costs nothing. An admitted request is charged `cost`.
    mutating func admitGenerate(key: String, cost: Double, nowMs: Int64) -> Admission {
        var window = generateWindows[key] ?? GenerateWindow()
        guard (balances[key] ?? 0) >= cost else { return .insufficientCredits }
        guard window.allow(nowMs: nowMs, limit: config.generateLimit.requests, windowMs: Int64(config.generateLimit.perMs)) else {
            generateRateLimited += 1
            generateLog.rejected(apiKey: key)
            return .rateLimited
        }
        generateWindows[key] = window
        balances[key, default: 0] -= cost
        return .admitted
    }
}
