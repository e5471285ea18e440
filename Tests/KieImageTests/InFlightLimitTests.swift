import Synchronization
import Testing
@testable import KieImage

/// The transport's bound on requests in flight (Transport/InFlightLimit.swift).
final class Box<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
    func with<R: Sendable>(_ f: (inout T) -> R) -> R { value.withLock { f(&$0) } }
}

@Suite(.timeLimit(.minutes(1))) struct InFlightLimitTests {
    @Test func neverMoreHoldersThanTheLimit() async throws {
        let limit = InFlightLimit(limit: 3)
        let counts = Box((now: 0, peak: 0, done: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await limit.acquire()
                    counts.with { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                    for _ in 0..<3 { await Task.yield() }
                    counts.with { $0.now -= 1; $0.done += 1 }
                    limit.release()
                }
            }
            try await group.waitForAll()
        }
        let c = counts.with { $0 }
        #expect(c.done == 200 && c.now == 0 && c.peak <= 3 && c.peak >= 1)
    }

    @Test func aCancelledWaiterLeavesWithoutTakingASlot() async throws {
        let limit = InFlightLimit(limit: 1)
        try await limit.acquire()
        let waiter = Task { try await limit.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        limit.release()
        // The one slot is free again: were it leaked to the cancelled waiter, this would hang.
        try await limit.acquire()
        limit.release()
    }

    @Test func waitersAreServedAsSlotsComeBack() async throws {
        let limit = InFlightLimit(limit: 1)
        try await limit.acquire()
        let served = Box(0)
        let waiters = (0..<5).map { _ in
            Task {
                try await limit.acquire()
                served.with { $0 += 1 }
                limit.release()
            }
        }
        limit.release()
        for w in waiters { try await w.value }
        #expect(served.with { $0 } == 5)
    }
}
