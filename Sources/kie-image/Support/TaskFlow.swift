import KieImage

/// The wait-then-download steps shared by generate, wait and download.
enum TaskFlow {
    static func waitOptions(_ client: KieClient, timeoutSeconds: Int?) -> WaitOptions {
        var poll = client.config.poll
        if let timeoutSeconds { poll.deadlineMs = Int64(max(1, timeoutSeconds)) * 1000 }
        return WaitOptions(poll: poll)
    }

    /// Waits for the task with the progress display; the display ends with the final status.
    static func wait(_ client: KieClient, taskId: String, timeoutSeconds: Int?, display: ProgressDisplay) async throws -> KieTask {
        let ticker = display.startTicker()
        defer { ticker?.cancel() }
        do {
            let task = try await client.wait(taskId, options: waitOptions(client, timeoutSeconds: timeoutSeconds)) { event in
                if case .progress(_, let progress, let status) = event { display.update(progress: progress, status: status) }
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

    /// Downloads a task's results into `dir`, first removing that task's partial downloads a
    /// killed earlier run left there (the core renames complete files into place, but cannot clean
    /// up after SIGKILL).
    static func download(_ client: KieClient, _ task: KieTask, to dir: String) async throws -> [DownloadedFile] {
        StaleParts.sweep(dir, taskIds: [task.taskId])
        return try await client.download(task, to: dir)
    }

    /// The directory results go to: --out as given, else ./kie-out/<taskId>/.
    static func outputDirectory(_ out: String?, taskId: String) -> String {
        guard let out, !out.isEmpty else { return "kie-out/\(taskId)" }
        var dir = out
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        return dir
    }
}
