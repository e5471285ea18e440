import FoundationEssentials

public struct RateLimitSettings: Sendable, Equatable {
    /// Generate submissions allowed per window; 0 disables the limiter.
    public var requests = 20
    public var perMs: Int64 = 10_000
    public init() {}
}

/// Sliding-window decision: given the sends still in the window, when may the next one go.
/// A send counts from the moment its answer came back (the latest it can have reached the
/// server), and an unanswered send never expires, so client and server windows cannot disagree
/// by the network's latency. Pure, so it is tested without clocks.
struct SlidingWindow: Sendable {
    /// Milliseconds a slot is held past its window: our clock rounds to the nearest ms and a
    /// server's may truncate, so a send decided exactly one window after an answer could reach a
    /// server that still counts the old one (kie answers 429 and the submission is lost time).
    static let clockMarginMs: Int64 = 2

    let settings: RateLimitSettings
    /// Send id -> time its answer came (Int64.max while in flight).
    private var sent: [UInt64: Int64] = [:]
    private var nextId: UInt64 = 0

    init(_ settings: RateLimitSettings) { self.settings = settings }

    /// How long an answered send holds its slot: the window plus the clock margin.
    var heldMs: Int64 { settings.perMs + Self.clockMarginMs }

    /// Milliseconds to wait before a send at `now` stays within the limit; 0 when it may go now.
    mutating func delay(now: Int64) -> Int64 {
        guard settings.requests > 0 else { return 0 }
        let held = heldMs
        sent = sent.filter { $0.value == Int64.max || $0.value > now - held }
        guard sent.count >= settings.requests else { return 0 }
        let times = sent.values.sorted()
        let oldest = times[sent.count - settings.requests]
        // All slots held by unanswered sends: check again shortly.
        guard oldest != Int64.max else { return 50 }
        return oldest + held - now
    }

    /// Takes a slot for a send starting now; call `answered` with the id when it completes.
    @discardableResult
    mutating func record(now: Int64) -> UInt64 {
        nextId &+= 1
        if settings.requests > 0 { sent[nextId] = Int64.max }
        return nextId
    }

    mutating func answered(_ id: UInt64, now: Int64) {
        if sent[id] != nil { sent[id] = now }
    }

    /// After a 429 the server's window is full: treat the whole window as used from now.
    mutating func penalize(now: Int64) {
        guard settings.requests > 0 else { return }
        for _ in 0..<settings.requests { answered(record(now: now), now: now) }
    }
}

/// Client-side limiter for generate submissions, so a batch never trips the server's 429.
actor RateLimiter {
    private var window: SlidingWindow
    init(_ settings: RateLimitSettings) { window = SlidingWindow(settings) }

    /// Waits for a free slot and takes it; pass the id to `answered`. Cancellation ends the wait.
    func acquire() async throws -> UInt64 {
        while true {
            let now = Clock.nowMs()
            let wait = window.delay(now: now)
            if wait <= 0 { return window.record(now: now) }
            try await Task.sleep(for: .milliseconds(wait))
        }
    }

    func answered(_ id: UInt64) { window.answered(id, now: Clock.nowMs()) }

    func penalize() { window.penalize(now: Clock.nowMs()) }

    /// How long a send now would wait (tests).
    func delayNow() -> Int64 { window.delay(now: Clock.nowMs()) }

    /// Counts sends of an earlier process (wall-clock ms, from the journal) that may still be in
    /// the server's window, so a restarted process does not begin with a burst kie refuses. A send
    /// that was in flight when that process ended may have reached the server as late as its
    /// attempt's deadline (`flightMs` after it started), or now if that is sooner.
    func seed(_ sends: [(atMs: Int64, answered: Bool)], flightMs: Int64) {
        let now = Clock.nowMs()
        let held = window.heldMs
        for send in sends {
            // Journal times are input: no arithmetic on them that could overflow.
            let counted: Int64
            if send.answered {
                counted = send.atMs
            } else if send.atMs > now - flightMs {
                counted = now  // its deadline has not passed: it may be reaching the server still
            } else {
                counted = send.atMs + flightMs  // at most now
            }
            guard counted <= now, counted > now - held else { continue }
            window.answered(window.record(now: now), now: counted)
        }
    }
}

enum Clock {
    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) &+ HostClockSkew.ms.load(ordering: .relaxed) }
}
