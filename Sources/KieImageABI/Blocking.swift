import CKieImage
import Dispatch
import KieImage
import Synchronization

/// Runs async work from a C caller's thread and blocks that thread (never a Swift concurrency
/// thread: blocking calls are documented as forbidden inside callbacks) until it ends. Events the
/// work posts are delivered on the caller's thread, in order, before the call returns.
final class CallerThreadPump<T: Sendable>: Sendable {
    private let queue = Mutex<[WaitEvent]>([])
    private let finished = Mutex<Result<T, KieError>?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    func post(_ event: WaitEvent) {
        queue.withLock { $0.append(event) }
        signal.signal()
    }

    func finish(_ result: Result<T, KieError>) {
        finished.withLock { $0 = result }
        signal.signal()
    }

    /// Blocks, handing each posted event to `deliver` on this thread, until `finish`.
    func run(_ deliver: (WaitEvent) -> Void) -> Result<T, KieError> {
        while true {
            signal.wait()
            let events = queue.withLock { q -> [WaitEvent] in
                let e = q
                q.removeAll()
                return e
            }
            for e in events { deliver(e) }
            if let r = finished.withLock({ $0 }) {
                for e in queue.withLock({ q -> [WaitEvent] in let e = q; q.removeAll(); return e }) { deliver(e) }
                return r
            }
        }
    }
}

/// Runs `body` to completion on the Swift concurrency pool and returns its result.
func blocking<T: Sendable>(
    events: ((WaitEvent) -> Void)? = nil,
    _ body: @escaping @Sendable (_ post: @escaping @Sendable (WaitEvent) -> Void) async throws -> T
) -> Result<T, KieError> {
    let pump = CallerThreadPump<T>()
    Task.detached {
        do {
            let out = try await body { pump.post($0) }
            pump.finish(.success(out))
        } catch {
            pump.finish(.failure(KieError.wrap(error)))
        }
    }
    return pump.run { events?($0) }
}

/// The shape of every blocking call that hands back a string: clear the out-parameter, borrow
/// the client, read the arguments on this thread (`prepare` copies them), run the returned work
/// on the concurrency pool while this thread waits, and hand the result out.
func blockingCall(
    _ c: kie_client_ref?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ outName: String,
    _ prepare: (KieClient) throws -> @Sendable () async throws -> String
) -> kie_status {
    withStatus {
        let out = try requireOut(out, outName)
        out.pointee = nil
        let work = try prepare(ClientHandle.borrow(c).client)
        try put(blocking { _ in try await work() }.get(), out)
    }
}
