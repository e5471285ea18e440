import Synchronization

/// Durations of tasks this client saw complete, feeding the poll schedule.
final class DurationHistory: Sendable {
    private let state = Mutex<[Int64]>([])
    static let capacity = 500

    func record(_ ms: Int64) {
        guard ms > 0 else { return }
        state.withLock {
            $0.append(ms)
            if $0.count > Self.capacity { $0.removeFirst($0.count - Self.capacity) }
        }
    }

    func snapshot() -> [Int64] { state.withLock { $0 } }
}
