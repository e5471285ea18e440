import FoundationEssentials
import NIOPosix
import Synchronization

/// The `postgresql://` engine: a few libpq connections used from a dedicated thread pool (libpq
/// blocks). A connection that breaks is dropped and a new one made by the next transaction, so
/// the ledger works again without a restart once the database is back (docs/ledger.md).
final class PostgresEngine: LedgerEngine {
    let kind = LedgerEngineKind.postgresql
    let displayURL: String
    private let url: String
    private let redactor: URLRedactor
    private let pool: NIOThreadPool
    private let idleBox: IdleConnections

    init(url: String, redactor: URLRedactor, threads: Int = 2) {
        self.url = url
        self.redactor = redactor
        displayURL = redactor.display
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        idleBox = IdleConnections()
    }

    func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any LedgerTx) throws(KieError) -> T) async throws(KieError) -> T {
        let url = url, redactor = redactor, idle = idleBox
        return try await pool.runLedger(.postgresql) { () throws(KieError) -> T in
            let conn: PostgresConnection
            if let idle = idle.take() { conn = idle } else { conn = try PostgresConnection(url: url, redactor: redactor) }
            defer { idle.put(conn) }
            return try PostgresTx(conn: conn, readOnly: readOnly).run(body)
        }
    }

    func close() async {
        try? await pool.shutdownGracefully()
        idleBox.drain()
    }
}

/// Connections not in use. A broken one, or one left inside a transaction, is never put back.
private final class IdleConnections: Sendable {
    private let conns = Mutex<[UnsafeTransfer<PostgresConnection>]>([])

    func take() -> PostgresConnection? { conns.withLock { $0.popLast()?.value } }

    func put(_ conn: PostgresConnection) {
        guard conn.isReusable else { return }
        conns.withLock { $0.append(UnsafeTransfer(conn)) }
    }

    func drain() { conns.withLock { $0.removeAll() } }
}

/// A connection handed between pool threads: only one thread uses it at a time (taken from and
/// put back into `IdleConnections` under its lock).
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

private struct PostgresTx: LedgerTx {
    let conn: PostgresConnection
    let readOnly: Bool
    var kind: LedgerEngineKind { .postgresql }

    /// A transaction whose lock waits are bounded (a stuck lock is a ledger error, not a hang),
    /// and which the server ends if its process stops inside it (SIGSTOP, a debugger, a VM
    /// pause): idle in the transaction for `idleInTransactionMs`, shorter than the shortest lease,
    /// the server closes the session and frees the account's lock, so a paused process cannot hold
    /// every other process of the account (docs/ledger.md, "Paused processes"). Our transactions
    /// never wait on anything but the database, so a live one is never idle that long.
    func run<T>(_ body: (any LedgerTx) throws(KieError) -> T) throws(KieError) -> T {
        try conn.exec(PostgresTxSQL.begin + (readOnly ? "; SET TRANSACTION READ ONLY" : ""))
        do {
            let value = try body(self)
            try conn.exec("COMMIT")
            return value
        } catch {
            if !conn.isBroken { try? conn.exec("ROLLBACK") }
            throw error
        }
    }

    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow] { try conn.rows(sql, binds) }

    func clockMs() throws(KieError) -> Int64 {
        guard let ms = try first(PostgresTxSQL.now)?.first?.int else { throw .ledger(.postgresql, "clock_timestamp() gave no value") }
        return ms
    }

    func displayMs(decisionMs: Int64) -> Int64 { decisionMs }
}

enum PostgresTxSQL {
    /// Begins a ledger transaction with its bounds: the idle one below the shortest lease (5 s);
    /// the statement's bounds a query that is working, not idle.
    static let begin = "BEGIN; SET LOCAL lock_timeout = '10s'; SET LOCAL statement_timeout = '30s'; "
        + "SET LOCAL idle_in_transaction_session_timeout = '\(idleInTransactionMs)ms'"
    static let idleInTransactionMs = 3_000

    /// The database's clock at this instant (never `now()`, which is the transaction's start).
    static let now = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::int8"
}
