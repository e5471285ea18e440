import KieImage

/// How generate, wait and download show a core wait or run.
enum TaskFlow {
    static func waitOptions(_ client: KieClient, timeoutSeconds: Int?) -> WaitOptions {
        var poll = client.config.poll
        if let timeoutSeconds { poll.deadlineMs = Int64(max(1, timeoutSeconds)) * 1000 }
        return WaitOptions(poll: poll)
    }

    /// Waits for the task with the progress display; the display ends with the final status.
    static func wait(_ client: KieClient, taskId: String, timeoutSeconds: Int?, display: ProgressDisplay) async throws -> KieTask {
        try await follow(display) { onEvent in
            try await client.wait(taskId, options: waitOptions(client, timeoutSeconds: timeoutSeconds), onEvent: onEvent)
        }
    }

    /// Runs `body` (a core wait or run) with the progress display fed from its events; the
    /// display ends with the final status.
    static func follow(_ display: ProgressDisplay, _ body: (_ onEvent: @escaping @Sendable (WaitEvent) -> Void) async throws -> KieTask) async throws -> KieTask {
        let ticker = display.startTicker()
        defer { ticker?.cancel() }
        do {
            let task = try await body { event in
                switch event {
                case .submitted(let taskId, _, _): display.submitted(taskId: taskId)
                case .progress(_, let progress, let status): display.update(progress: progress, status: status)
                default: break
                }
            }
            ticker?.cancel()
            display.finish(status: task.status.rawValue, progress: task.progress)
            return task
        } catch let e as KieError {
            ticker?.cancel()
            display.finish(status: e.status == .taskFailed ? "FAILED" : e.status.name)
            throw e
        }
    }

    /// The directory results go to: --out as given, else ./kie-out/<taskId>/.
    static func outputDirectory(_ out: String?, taskId: String) -> String {
        guard let out, !out.isEmpty else { return "kie-out/\(taskId)" }
        var dir = out
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        return dir
    }
}
