import NIOCore
import NIOPosix
import Synchronization

/// Where delivered callbacks meet waits in one process (docs/webhooks.md): `kie_webhook_deliver`
/// posts the confirmed, finished task here; every wait on that task sleeps here between its
/// polls, wakes at once, and takes the task as its result without another read. A wait that
/// starts after the delivery finds the task at once.
final class CallbackMailbox: Sendable {
    static let capacity = 10_000

    private struct State {
        var delivered: [String: KieTask] = [:]
        var order: [String] = []
        var sleepers: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        /// Sleepers between taking an id and registering; a cancel removes its id from here.
        var unregistered: Set<UInt64> = []
        var nextId: UInt64 = 0
    }
    private let state = Mutex(State())

    /// The finished task a delivery confirmed, if any.
    func delivered(_ taskId: String) -> KieTask? { state.withLock { $0.delivered[taskId] } }

    /// The tasks some wait is sleeping on now (a ledger's listener re-scans them after reconnecting).
    func sleepingTasks() -> [String] { state.withLock { Array($0.sleepers.keys) } }

    /// Posts a confirmed, finished task and wakes every wait sleeping on it. False when the
    /// task was already posted (the first stays).
    @discardableResult
    func post(_ task: KieTask) -> Bool {
        let (first, wake) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
            let first = s.delivered[task.taskId] == nil
            if first {
                s.delivered[task.taskId] = task
                s.order.append(task.taskId)
                if s.order.count > Self.capacity {
                    for id in s.order.prefix(s.order.count - Self.capacity) { s.delivered[id] = nil }
                    s.order.removeFirst(s.order.count - Self.capacity)
                }
            }
            let wake = s.sleepers.removeValue(forKey: task.taskId).map { Array($0.values) } ?? []
            return (first, wake)
        }
        for c in wake { c.resume() }
        return first
    }

    /// Sleeps `ms`, or less when the task is posted meanwhile. Throws when the calling task is
    /// cancelled. One continuation per sleep, resumed by whichever comes first of the post, a
    /// timer on an event loop, or the cancellation (no child tasks); a timer that fires after the
    /// post finds nothing to resume. Every waiting task keeps these frames while it sleeps, so
    /// the work under the lock is out of line (`newSleeper`, `park`) and the frames hold a few
    /// words (P3 in BENCHMARKS.md).
    @inline(never)
    func sleep(_ taskId: String, ms: Int64) async throws {
        guard ms > 0, !isDelivered(taskId) else { return try Task.checkCancellation() }
        let id = newSleeper()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                park(taskId, id, ms: ms, c)
            }
        } onCancel: {
            wake(taskId, id)
        }
        try Task.checkCancellation()
    }

    @inline(never)
    private func isDelivered(_ taskId: String) -> Bool { state.withLock { $0.delivered[taskId] != nil } }

    @inline(never)
    private func newSleeper() -> UInt64 {
        state.withLock { s -> UInt64 in
            s.nextId &+= 1
            s.unregistered.insert(s.nextId)
            return s.nextId
        }
    }

    /// Registers the sleeper and starts its timer; resumes it at once when it was cancelled or
    /// the task was posted since.
    @inline(never)
    private func park(_ taskId: String, _ id: UInt64, ms: Int64, _ c: CheckedContinuation<Void, Never>) {
        let now = state.withLock { s -> Bool in
            let live = s.unregistered.remove(id) != nil
            if !live || s.delivered[taskId] != nil { return true }
            s.sleepers[taskId, default: [:]][id] = c
            return false
        }
        if now { return c.resume() }
        NIOSingletons.posixEventLoopGroup.next().scheduleTask(in: .milliseconds(ms)) { self.wake(taskId, id) }
    }

    /// Resumes one sleeper if it is still sleeping; a sleeper not yet registered will not sleep.
    @inline(never)
    private func wake(_ taskId: String, _ id: UInt64) {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let c = s.sleepers[taskId]?.removeValue(forKey: id) {
                if s.sleepers[taskId]?.isEmpty == true { s.sleepers[taskId] = nil }
                return c
            }
            s.unregistered.remove(id)
            return nil
        }
        c?.resume()
    }
}
