import FoundationEssentials
import NIOPosix

/// The `sqlite:PATH` engine: one connection per process on one dedicated thread, so transactions
/// of this process run one at a time and never block a Swift concurrency thread; processes
/// serialise on SQLite's write lock (BEGIN IMMEDIATE, waiting up to the busy timeout).
final class SQLiteEngine: LedgerEngine {
    let kind = LedgerEngineKind.sqlite
    let displayURL: String
    private let path: String
    private let busyTimeoutMs: Int32
    private let pool: NIOThreadPool
    /// Opened on first use on the pool's thread; reopened after a failure to open.
    private let connection = ConnectionBox()

    init(path: String, busyTimeoutMs: Int32 = 5_000) {
        self.path = path
        self.busyTimeoutMs = busyTimeoutMs
        displayURL = "sqlite:" + path
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any LedgerTx) throws(KieError) -> T) async throws(KieError) -> T {
        let path = path, timeout = busyTimeoutMs, box = connection
        return try await pool.runLedger(.sqlite) { () throws(KieError) -> T in
            let conn = try box.get { () throws(KieError) in try SQLiteConnection(path: path, busyTimeoutMs: timeout) }
            return try SQLiteTx(conn: conn, readOnly: readOnly).run(body)
        }
    }

    func close() async {
        try? await pool.shutdownGracefully()
    }
}

/// The engine's connection, touched only from its one pool thread.
private final class ConnectionBox: @unchecked Sendable {
    private var conn: SQLiteConnection?

    func get(_ open: () throws(KieError) -> SQLiteConnection) throws(KieError) -> SQLiteConnection {
        if let conn { return conn }
        let opened = try open()
        conn = opened
        return opened
    }
}

/// One BEGIN IMMEDIATE ... COMMIT on the connection (a read: BEGIN, which in WAL mode neither
/// takes nor waits for the write lock).
private struct SQLiteTx: LedgerTx {
    let conn: SQLiteConnection
    let readOnly: Bool
    var kind: LedgerEngineKind { .sqlite }

    func run<T>(_ body: (any LedgerTx) throws(KieError) -> T) throws(KieError) -> T {
        try conn.exec(readOnly ? "BEGIN" : "BEGIN IMMEDIATE")
        do {
            let value = try body(self)
            try conn.exec("COMMIT")
            return value
        } catch {
            try? conn.exec("ROLLBACK")
            throw error
        }
    }

    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow] { try conn.rows(sql, binds) }

    func clockMs() throws(KieError) -> Int64 { HostMonotonicClock.nowMs() }

    func displayMs(decisionMs: Int64) -> Int64 { Clock.nowMs() }
}
