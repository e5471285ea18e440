import Synchronization

/// Coalesces the confirming reads of delivered callbacks per task id (docs/webhooks.md): every
/// callback for an id within `reuseMs` of a read shares that read's answer, so a flood of forged
/// callbacks for one id costs one read of kie, whatever their number.
final class ConfirmFlights: Sendable {
    static let reuseMs: Int64 = 5_000
    private typealias Flight = (atMs: Int64, read: Task<KieTask, any Error>)
    private let flights = Mutex<[String: Flight]>([:])

    func confirm(_ taskId: String, read: @escaping @Sendable () async throws -> KieTask) async throws -> KieTask {
        let now = Clock.nowMs()
        let flight = flights.withLock { m -> Task<KieTask, any Error> in
            if m.count > 1_000 { m = m.filter { now - $0.value.atMs < Self.reuseMs } }
            if let f = m[taskId], now - f.atMs < Self.reuseMs { return f.read }
            let t = Task { try await read() }
            m[taskId] = (now, t)
            return t
        }
        return try await flight.value
    }
}
