import Synchronization

/// Progress of one task on stderr: a redrawn bar (status, progress, elapsed) when stderr is a
/// terminal, one plain line per change otherwise, so logs and pipes stay readable.
final class ProgressDisplay: Sendable {
    enum Style: Sendable { case bar, lines, off }

    struct State: Sendable {
        var taskId = ""
        var status = "SUBMITTING"
        var progress = 0.0
        var start = ContinuousClock.now
        var drawn = false
    }

    let style: Style
    private let state = Mutex(State())

    init(style: Style) { self.style = style }

    static func automatic(quiet: Bool) -> ProgressDisplay {
        ProgressDisplay(style: quiet ? .off : Console.stderrIsTerminal ? .bar : .lines)
    }

    func submitted(taskId: String) {
        let line = state.withLock { s -> String in
            s.taskId = taskId
            s.status = "GENERATING"
            return "task \(taskId) submitted"
        }
        if style == .lines { Console.err(line) } else { redraw() }
    }

    /// A progress event from the wait: printed only when something changed.
    func update(progress: Double, status: String) {
        let changed = state.withLock { s -> String? in
            guard s.progress != progress || s.status != status else { return nil }
            s.progress = progress
            s.status = status
            return Self.plain(s)
        }
        guard let changed else { return }
        if style == .lines { Console.err(changed) } else { redraw() }
    }

    /// The final state: the bar is completed and the line ended, or one last plain line.
    func finish(status: String, progress: Double? = nil) {
        let line = state.withLock { s -> String in
            s.status = status
            if let progress { s.progress = progress }
            return Self.plain(s)
        }
        switch style {
        case .off: return
        case .lines: Console.err(line)
        case .bar:
            redraw()
            Console.write(fd: 2, "\n")
        }
    }

    /// Redraws the bar every 200 ms so elapsed time moves while progress stays still.
    func startTicker() -> Task<Void, Never>? {
        guard style == .bar else { return nil }
        return Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                if Task.isCancelled { return }
                self?.redraw()
            }
        }
    }

    func redraw() {
        guard style == .bar else { return }
        let s = state.withLock { s -> State in
            s.drawn = true
            return s
        }
        Console.write(fd: 2, "\r\u{1B}[2K" + Self.bar(s, width: Console.columns))
    }

    static func plain(_ s: State) -> String {
        "task \(s.taskId) \(s.status) \(percent(s.progress)) \(seconds(s.start.duration(to: .now)))"
    }

    static func bar(_ s: State, width: Int) -> String {
        let tail = " \(percent(s.progress)) \(s.status) \(seconds(s.start.duration(to: .now)))"
        let id = s.taskId.isEmpty ? "" : String(s.taskId.prefix(12)) + " "
        let cells = max(10, min(40, width - tail.count - id.count - 3))
        let filled = min(cells, Int((s.progress * Double(cells)).rounded(.down)))
        return id + "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "]" + tail
    }

    static func percent(_ p: Double) -> String {
        let v = Int((min(max(p, 0), 1) * 100).rounded())
        return "\(v)%"
    }

    static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        let tenths = Int(s) * 10 + Int(atto / 100_000_000_000_000_000)
        if tenths >= 600 { return "\(tenths / 600)m\((tenths / 10) % 60)s" }
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
