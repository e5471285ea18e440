import Synchronization

/// A counting semaphore for async callers: at most `limit` holders at once, the others wait in
/// arrival order. The transport holds one slot per API request, so 10 000 waits polling at once
/// queue here (one continuation each) instead of as 10 000 requests inside AsyncHTTPClient's pool.
/// A waiter that is cancelled leaves the queue at once with CancellationError.
final class InFlightLimit: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private struct State {
        var free: Int
        var queue: [Waiter] = []
        /// Index of the first live entry of `queue` (entries before it were served or cancelled).
        var head = 0
        var nextId: UInt64 = 0
    }

    private let state: Mutex<State>
    let limit: Int

    init(limit: Int) {
        self.limit = max(limit, 1)
        state = Mutex(State(free: max(limit, 1)))
    }

    /// Takes a slot, waiting for one if none is free. Throws CancellationError when cancelled
    /// while waiting (no slot is then held).
    func acquire() async throws {
        let taken = state.withLock { s -> Bool in
            guard s.free > 0 else { return false }
            s.free -= 1
            return true
        }
        if taken { return }
        let id = state.withLock { s -> UInt64 in
            s.nextId &+= 1
            return s.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                // Under the lock: a cancel that set the flag before this point finds no entry and
                // leaves the throw to us; one after it finds the entry.
                let now: Result<Void, any Error>? = state.withLock { s in
                    if s.free > 0 {
                        s.free -= 1
                        return .success(())
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.queue.append(Waiter(id: id, continuation: c))
                    return nil
                }
                if let now { c.resume(with: now) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                for k in s.head..<s.queue.count where s.queue[k].id == id {
                    let c = s.queue[k].continuation
                    s.queue[k].continuation = nil
                    Self.compact(&s)
                    return c
                }
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back: to the longest waiter, else to the pool.
    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            while s.head < s.queue.count {
                let c = s.queue[s.head].continuation
                s.head += 1
                if let c {
                    Self.compact(&s)
                    return c
                }
            }
            Self.compact(&s)
            s.free += 1
            return nil
        }
        next?.resume()
    }

    /// Drops served and cancelled entries at the front once they are half the queue.
    private static func compact(_ s: inout State) {
        while s.head < s.queue.count && s.queue[s.head].continuation == nil { s.head += 1 }
        if s.head == s.queue.count {
            s.queue.removeAll(keepingCapacity: s.queue.count <= 1024)
            s.head = 0
        } else if s.head > 64 && s.head * 2 > s.queue.count {
            s.queue.removeFirst(s.head)
            s.head = 0
        }
    }
}
