import CKieImage
import Dispatch
import KieImage
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Asynchronous operations of one client and the delivery of their events.
///
/// Guarantees (docs/c-api.md, "Events"): events of an operation arrive in order; exactly one final event
/// (completed or failed) per operation; nothing after it. Emission and enqueueing happen under
/// one lock, so the order events are emitted is the order they are delivered.
/// Delivery "thread": callbacks run on one library thread per client (a NIOThreadPool of one,
/// started with the first event), in order. A serial DispatchQueue drew its thread from
/// libdispatch's overcommit pool, which grew by a thread or two under load (BENCHMARKS.md, P3).
/// Delivery "queue": events wait in a list until kie_client_dispatch runs them on the caller's
/// thread; a pipe's read end is readable exactly while the list is not empty.
final class Operations: Sendable {
    /// How an operation's work ends: a wait event (completed / failed), or the JSON a blocking
    /// call would return, delivered as {"event":"completed","result":<JSON>} with KIE_OK.
    enum Final: Sendable {
        case event(WaitEvent)
        case result(JSONValue)
    }

    struct Callback: @unchecked Sendable {
        let fn: kie_event_cb
        let userdata: UnsafeMutableRawPointer?
    }

    struct Pending: Sendable {
        let op: kie_op
        let status: kie_status
        let json: String
        let callback: Callback
    }

    struct Op: Sendable {
        var task: Task<Void, Never>?
        let callback: Callback
        /// The caller's tag of the op's work item, added to each of its events.
        let tag: String?
    }

    struct State: Sendable {
        var nextOp: kie_op = 1
        var ops: [kie_op: Op] = [:]
        var queued: [Pending] = []
        var closed = false
        /// Delivery "thread": the client's callback thread, once the first event needs it.
        var callbackThread: NIOThreadPool?
    }

    let queueMode: Bool
    /// Read end (handed out by kie_client_fd) and write end of the wake-up pipe; -1 in thread mode.
    let eventFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())
    private let idle = DispatchGroup()

    init(queueMode: Bool) {
        self.queueMode = queueMode
        var fds: [Int32] = [-1, -1]
        if queueMode && pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        eventFD = fds[0]
        wakeFD = fds[1]
    }

    /// How an operation's work runs: it posts events through `emit` and returns how it ends.
    typealias Work = @Sendable (_ emit: @escaping @Sendable (WaitEvent) -> Void) async throws -> Final

    /// Registers an operation and starts `body`, which posts events through `emit`. A body that
    /// throws ends the operation with a failed event; cancellation gives KIE_E_CANCELLED.
    func start(callback: Callback, tag: String? = nil, _ body: @escaping Work) throws(KieError) -> kie_op {
        let op: kie_op? = state.withLock { s in
            guard !s.closed else { return nil }
            let op = s.nextOp
            s.nextOp &+= 1
            s.ops[op] = Op(task: nil, callback: callback, tag: tag)
            return op
        }
        guard let op else { throw KieError(.cancelled, "client is being freed") }
        idle.enter()
        // The op's root frame lives as long as the op (a wait sleeps under it): only the body's
        // result is kept here; the rest is out of line (BENCHMARKS.md, P3).
        let task = Task.detached { [self] in
            let final: Final
            do {
                final = try await body { self.emit(op, $0) }
            } catch {
                final = Self.failed(error)
            }
            self.end(op, final)
        }
        state.withLock { s in s.ops[op]?.task = task }
        return op
    }

    @inline(never)
    private static func failed(_ error: any Error) -> Final { .event(.failed(KieError.wrap(error))) }

    /// Delivers an op's final event and lets `kie_client_free` go on when it was the last op.
    @inline(never)
    private func end(_ op: kie_op, _ final: Final) {
        switch final {
        case .event(let event): emit(op, event)
        case .result(let value):
            deliver(op, status: KIE_OK, isFinal: true) { tag in
                var o: JSONObject = ["event": "completed", "result": value]
                if let tag { o["tag"] = .string(tag) }
                return JSON.serialize(.object(o))
            }
        }
        idle.leave()
    }

    /// Delivers one event of `op` unless the op already had its final event.
    func emit(_ op: kie_op, _ event: WaitEvent) {
        deliver(op, status: kie_status(rawValue: event.status.rawValue), isFinal: event.isFinal) { event.jsonText(tag: $0) }
    }

    /// Enqueues (or, with delivery "thread", schedules) one event of `op`, built for the op's tag.
    private func deliver(_ op: kie_op, status: kie_status, isFinal: Bool, _ json: (String?) -> String) {
        state.withLock { s in
            guard let entry = s.ops[op] else { return }
            let json = json(entry.tag)
            if isFinal { s.ops[op] = nil }
            let pending = Pending(op: op, status: status, json: json, callback: entry.callback)
            if queueMode {
                s.queued.append(pending)
                if s.queued.count == 1 { Self.signal(wakeFD) }
            } else {
                idle.enter()
                let thread = s.callbackThread ?? Self.startCallbackThread()
                s.callbackThread = thread
                thread.submit { [idle] _ in
                    // Runs even when cancelled: closeAll stops the thread only once all ran.
                    Self.invoke(pending)
                    idle.leave()
                }
            }
        }
    }

    /// kie_cancel: the op ends with one KIE_E_CANCELLED event (unless it already ended).
    func cancel(_ op: kie_op) -> Bool {
        let task: Task<Void, Never>?? = state.withLock { s in s.ops[op].map { $0.task } }
        guard let task else { return false }
        task?.cancel()
        emit(op, .failed(KieError(.cancelled, "operation \(op) cancelled")))
        return true
    }

    /// Runs queued callbacks on this thread, waiting up to `timeoutMs` (negative: forever) for
    /// the first. Returns how many ran.
    func dispatch(timeoutMs: Int32) -> Int32 {
        if timeoutMs != 0 {
            var p = pollfd(fd: eventFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, timeoutMs)
        }
        let batch = state.withLock { s -> [Pending] in
            let b = s.queued
            s.queued.removeAll()
            Self.drain(eventFD)
            return b
        }
        for p in batch { Self.invoke(p) }
        return Int32(clamping: batch.count)
    }

    /// kie_client_free: refuse new ops, cancel all, wait for their final events, and (queue mode)
    /// deliver what is still queued on this thread. Returns when no callback runs.
    func closeAll() {
        let tasks = state.withLock { s -> [kie_op] in
            s.closed = true
            return Array(s.ops.keys)
        }
        for op in tasks { _ = cancel(op) }
        idle.wait()
        if let thread = state.withLock({ $0.callbackThread }) {
            // Every event was delivered (idle): the thread has nothing left to run.
            try? thread.syncShutdownGracefully()
        }
        if queueMode {
            _ = dispatch(timeoutMs: 0)
            close(eventFD)
            close(wakeFD)
        }
    }

    static func startCallbackThread() -> NIOThreadPool {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        return thread
    }

    static func invoke(_ p: Pending) {
        p.json.withCString { p.callback.fn(p.callback.userdata, p.op, p.status, $0) }
    }

    static func signal(_ fd: Int32) {
        var one: UInt8 = 1
        _ = write(fd, &one, 1)
    }

    static func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(fd, &buffer, buffer.count) > 0 {}
    }
}

/// The one way an export starts an asynchronous operation (kie_resume starts each of its waits
/// with `Operations.start`): check out_op and on_event, borrow the client, parse wait_json
/// (NULL for the calls that take none) refusing the keys the call would not act on, read the
/// arguments on this thread (`prepare`: what fails there returns at once), and start the work
/// `prepare` returns, tagged with `tag`.
func startOperation(
    _ c: kie_client_ref?, _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?,
    waitJSON: UnsafePointer<CChar>? = nil, refusing: Set<String> = [],
    _ prepare: (KieClient, WaitOptions) throws -> (tag: String?, work: Operations.Work)
) -> kie_status {
    withStatus {
        let out = try requireOut(outOp, "out_op")
        out.pointee = 0
        let handle = try ClientHandle.borrow(c)
        guard let onEvent else { throw KieError.invalidArgument("on_event is NULL", field: "on_event") }
        let options = try WaitOptions.parse(json: CString.readOptional(waitJSON, name: "wait_json"), defaults: handle.client.config.poll,
                                            refusing: refusing)
        let (tag, work) = try prepare(handle.client, options)
        out.pointee = try handle.operations.start(callback: .init(fn: onEvent, userdata: userdata), tag: tag, work)
    }
}
