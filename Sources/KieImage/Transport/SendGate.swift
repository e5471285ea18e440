/// Per-attempt admission of a request that creates a task, beside the in-process rate limiter:
/// the shared ledger's (docs/ledger.md, "Sending"). `APICaller.call` asks it before every attempt
/// and tells it what became of an admitted attempt that is followed by another one; the final
/// outcome is the caller's to record (it alone knows the task id).
protocol SendGate: Sendable {
    /// Returns when the next attempt may leave now; throws to send nothing.
    func admit() async throws
    /// The admitted attempt did not leave (cancelled, deadline passed): give the admission back.
    func notSent() async
    /// The attempt was answered without creating a task and another attempt follows (429, 455, 550).
    func willRetry(after failed: FailedAttempt) async throws
}
