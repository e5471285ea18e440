import Synchronization

/// Aggregate progress of a batch on stderr: done / running / failed / queued and an ETA, redrawn
/// on one line on a terminal; otherwise one plain line per line-level event with the counts.
final class BatchDisplay: Sendable {
    struct Counts: Sendable, Equatable {
        var total = 0
        var done = 0
        var running = 0
        var failed = 0
        var queued = 0
    }

    private struct State: Sendable {
        var counts = Counts()
        var start = ContinuousClock.now
        /// Lines finished by this run (not skipped from the journal), for the ETA.
        var finishedHere = 0
        var drawn = false
    }

    let style: ProgressDisplay.Style
    private let state = Mutex(State())

    init(style: ProgressDisplay.Style, counts: Counts) {
        self.style = style
        state.withLock { $0.counts = counts }
    }

    /// Applies a change of counts and reports it with a short message ("line 7: done").
    func event(_ message: String, finished: Bool = false, _ change: (inout Counts) -> Void) {
        let text = state.withLock { s -> String in
            change(&s.counts)
            if finished { s.finishedHere += 1 }
            return Self.summary(s) + "  " + message
        }
        switch style {
        case .off: return
        case .lines: Console.err(text)
        case .bar: redraw()
        }
    }

    func startTicker() -> Task<Void, Never>? {
        guard style == .bar else { return nil }
        return Task { [weak self] in
            while !Task.isCancelled {
                self?.redraw()
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    func redraw() {
        guard style == .bar else { return }
        let text = state.withLock { s -> String in
            s.drawn = true
            return Self.summary(s)
        }
        Console.write(fd: 2, "\r\u{1B}[2K" + String(text.prefix(max(20, Console.columns - 1))))
    }

    /// Ends the redrawn line so the summary table starts on its own line.
    func finish() {
        guard style == .bar else { return }
        redraw()
        Console.write(fd: 2, "\n")
    }

    private static func summary(_ s: State) -> String {
        let c = s.counts
        let elapsed = s.start.duration(to: .now)
        var text = "batch: \(c.done)/\(c.total) done, \(c.running) running, \(c.failed) failed, \(c.queued) queued, \(ProgressDisplay.seconds(elapsed))"
        let remaining = c.running + c.queued
        if s.finishedHere > 0, remaining > 0 {
            let perLine = Double(elapsed.components.seconds) / Double(s.finishedHere)
            text += ", ETA \(ProgressDisplay.seconds(.seconds(Int64(perLine * Double(remaining)))))"
        }
        return text
    }
}
