import FoundationEssentials

public struct RateLimitSettings: Sendable, Equatable {
    /// Generate submissions allowed per window; 0 disables the limiter.
    public var requests = 20
    public var perMs: Int64 = 10_000
    public init() {}
}

/// Sliding-window decision: given the send times still in the window, when may the next one go.
/// Pure, so it is tested without clocks.
public struct SlidingWindow: Sendable {
    public let settings: RateLimitSettings
    public private(set) var sent: [Int64] = []

    public init(_ settings: RateLimitSettings) { self.settings = settings }

    /// Milliseconds to wait before a send at `now` stays within the limit; 0 when it may go now.
    public mutating func delay(now: Int64) -> Int64 {
        guard settings.requests > 0 else { return 0 }
        sent.removeAll { $0 <= now - settings.perMs }
        guard sent.count >= settings.requests else { return 0 }
        return sent[sent.count - settings.requests] + settings.perMs - now
    }

    public mutating func record(now: Int64) {
        guard settings.requests > 0 else { return }
        sent.append(now)
        if sent.count > settings.requests { sent.removeFirst(sent.count - settings.requests) }
    }

    /// After a 429 the server's window is full: treat the whole window as used from now.
    public mutating func penalize(now: Int64) {
        guard settings.requests > 0 else { return }
        sent = Array(repeating: now, count: settings.requests)
    }
}

/// Client-side limiter for generate submissions, so a batch never trips the server's 429.
actor RateLimiter {
    private var window: SlidingWindow
    init(_ settings: RateLimitSettings) { window = SlidingWindow(settings) }

    /// Waits for a free slot and takes it. Cancellation ends the wait.
    func acquire() async throws {
        while true {
            let now = Clock.nowMs()
            let wait = window.delay(now: now)
            if wait <= 0 {
                window.record(now: now)
                return
            }
            try await Task.sleep(for: .milliseconds(wait))
        }
    }

    func penalize() { window.penalize(now: Clock.nowMs()) }
}

enum Clock {
    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
