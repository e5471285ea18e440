import FoundationEssentials
import NIOPosix

/// The engine a ledger URL names. Statements differ by dialect only where the engines do (locks,
/// clocks, NOTIFY); they live in `Ledger/SQL/` and `Ledger/Schema/`.
extension LedgerURL {
    /// Opens the engine the URL names. Nothing is connected yet: the first operation connects.
    func engine() -> any LedgerEngine {
        switch kind {
        case .sqlite: SQLiteEngine(path: target)
        case .postgresql: PostgresEngine(url: target, redactor: URLRedactor(url: target))
        }
    }
}

/// A value bound to or read from a statement: the ledger stores integers and text only.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)

    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }

    var int: Int64? {
        switch self {
        case .int(let v): v
        case .text(let t): Int64(t)
        case .null: nil
        }
    }

    var text: String? {
        switch self {
        case .text(let t): t
        case .int(let v): String(v)
        case .null: nil
        }
    }
}

typealias SQLRow = [SQLValue]

/// One open transaction. Used synchronously on the engine's own thread (never a Swift
/// concurrency thread: both engines' C libraries block).
protocol LedgerTx {
    var kind: LedgerEngineKind { get }
    /// Runs one statement with `$1`, `$2`... placeholders and returns its rows.
    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow]
    /// The decision clock, read now (after the caller took its lock): PostgreSQL
    /// `clock_timestamp()` in ms; SQLite the host's CLOCK_MONOTONIC in ms (docs/ledger.md, "Time").
    func clockMs() throws(KieError) -> Int64
    /// Wall-clock ms shown to people (journal times); never used for a decision.
    func displayMs(decisionMs: Int64) -> Int64
}

extension LedgerTx {
    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue] = []) throws(KieError) -> [SQLRow] { try rows(sql, binds) }

    func first(_ sql: String, _ binds: [SQLValue] = []) throws(KieError) -> SQLRow? { try rows(sql, binds).first }
}

/// A database behind the ledger. `transaction` runs `body` in one transaction that holds the
/// write lock for its whole length on SQLite (BEGIN IMMEDIATE) and is an ordinary transaction
/// on PostgreSQL (the body takes row locks); it commits when the body returns and rolls back
/// when it throws. The body runs on the engine's dedicated thread pool.
protocol LedgerEngine: Sendable {
    var kind: LedgerEngineKind { get }
    /// The URL with any password removed, for messages.
    var displayURL: String { get }
    /// One transaction; `readOnly` takes no write lock (SQLite `BEGIN` in WAL mode, PostgreSQL
    /// `READ ONLY`), for reads that other processes' writes need not wait for.
    func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any LedgerTx) throws(KieError) -> T) async throws(KieError) -> T
    func close() async
}

extension LedgerEngine {
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any LedgerTx) throws(KieError) -> T) async throws(KieError) -> T {
        try await transaction(readOnly: false, body)
    }
}

extension KieError {
    /// KIE_E_LEDGER naming the engine and the cause (never a password: callers pass redacted text).
    static func ledger(_ kind: LedgerEngineKind, _ cause: String) -> KieError {
        KieError(.ledger, "ledger (\(kind.rawValue)): \(cause)")
    }
}

extension NIOThreadPool {
    /// Runs a blocking ledger call on this pool (never on a Swift concurrency thread).
    func runLedger<T: Sendable>(_ kind: LedgerEngineKind, _ body: @escaping @Sendable () throws(KieError) -> T) async throws(KieError) -> T {
        let result: Result<T, KieError>
        do {
            result = try await runIfActive { () -> Result<T, KieError> in
                do throws(KieError) { return .success(try body()) } catch { return .failure(error) }
            }
        } catch {
            throw .ledger(kind, "the ledger is closed")
        }
        return try result.get()
    }
}
