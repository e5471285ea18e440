import Synchronization

/// The results of the tasks a client last read as succeeded (`KieClient.task`, so also a wait's
/// last poll): a download by task id (kie_download) saves them without reading the task again,
/// so no caller ever hands a task back to the library. Only what a download needs is kept (the
/// family and the result URLs, not the record). Bounded: at most `limit` tasks, in two
/// generations of `limit / 2`; when the current one is full the previous one is forgotten, and a
/// download of a forgotten task reads it once.
final class HeldResults: Sendable {
    struct Results: Sendable {
        let family: TaskFamily
        let urls: [String]
    }

    static let limit = 4096

    private struct Generations {
        var current: [String: Results] = [:]
        var previous: [String: Results] = [:]
    }

    private let held = Mutex(Generations())

    /// Holds a succeeded task's results; any other task is not held.
    func hold(_ task: KieTask) {
        guard task.isSuccess, !task.resultUrls.isEmpty else { return }
        let results = Results(family: task.family, urls: task.resultUrls)
        held.withLock { g in
            if g.current.count >= Self.limit / 2 {
                g.previous = g.current
                g.current = [:]
            }
            g.current[task.taskId] = results
        }
    }

    func results(of taskId: String) -> Results? {
        held.withLock { $0.current[taskId] ?? $0.previous[taskId] }
    }
}
