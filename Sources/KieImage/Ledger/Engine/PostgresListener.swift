import FoundationEssentials
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What the listener reports: a row changed state in some process (a hint: waits still poll),
/// or the listening connection was (re)established, after which the caller re-scans the rows it
/// waits on, since notifications sent while nobody listened are lost.
public enum LedgerEvent: Sendable, Equatable {
    case changed(rowId: String)
    case listening
}

/// One dedicated connection doing `LISTEN kie_ledger` on its own thread (never a pooled one:
/// LISTEN breaks behind transaction-mode poolers). A connection that dies (terminated backend,
/// restart) is noticed by the read failing or by a periodic check of `pg_listening_channels()`,
/// and is made again with backoff (docs/ledger.md, "Wake-ups").
public final class PostgresListener: Sendable {
    private let url: String
    private let redactor: URLRedactor
    private let checkEveryMs: Int64
    private let onEvent: @Sendable (LedgerEvent) -> Void
    private let stopped = Atomic<Bool>(false)
    private let pool = NIOThreadPool(numberOfThreads: 1)
    /// Times the listening connection was established (tests, status).
    public let connections = Atomic<Int>(0)

    /// Starts listening at once. `checkEveryMs`: how often a quiet connection is checked.
    public init(ledgerURL: LedgerURL, checkEveryMs: Int64 = 5_000, onEvent: @escaping @Sendable (LedgerEvent) -> Void) throws(KieError) {
        guard ledgerURL.kind == .postgresql else { throw .invalidArgument("LISTEN needs a postgresql:// ledger", field: "ledger") }
        url = ledgerURL.target
        redactor = URLRedactor(url: ledgerURL.target)
        self.checkEveryMs = checkEveryMs
        self.onEvent = onEvent
        pool.start()
        pool.submit { [self] _ in self.loop() }
    }

    public func stop() async {
        stopped.store(true, ordering: .relaxed)
        try? await pool.shutdownGracefully()
    }

    private func loop() {
        var backoffMs: Int64 = 100
        while !stopped.load(ordering: .relaxed) {
            guard let conn = try? PostgresConnection(url: url, redactor: redactor, connectTimeoutS: 2, applicationName: "kieimage-ledger-listen"),
                (try? conn.exec("LISTEN kie_ledger")) != nil
            else {
                Self.sleep(ms: backoffMs)
                backoffMs = min(backoffMs * 2, 2_000)
                continue
            }
            backoffMs = 100
            connections.add(1, ordering: .relaxed)
            onEvent(.listening)
            serve(conn)
        }
    }

    /// Delivers notifications until the connection fails or the listener stops.
    private func serve(_ conn: PostgresConnection) {
        var lastCheck = HostMonotonicClock.nowMs()
        while !stopped.load(ordering: .relaxed) {
            var fds = pollfd(fd: conn.socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, 200)
            if ready < 0 && errno != EINTR { return }
            if ready > 0 {
                guard let payloads = try? conn.notifications(), !conn.isBroken else { return }
                for id in payloads { onEvent(.changed(rowId: id)) }
            }
            if HostMonotonicClock.nowMs() - lastCheck >= checkEveryMs {
                lastCheck = HostMonotonicClock.nowMs()
                let alive = (try? conn.rows("SELECT 1 FROM pg_listening_channels() c WHERE c = 'kie_ledger'", []).count) == 1
                guard alive else { return }
            }
        }
    }

    private static func sleep(ms: Int64) {
        var ts = timespec(tv_sec: Int(ms / 1000), tv_nsec: Int(ms % 1000) * 1_000_000)
        var left = timespec()
        while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
    }
}
