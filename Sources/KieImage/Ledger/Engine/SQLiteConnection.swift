import CSQLite
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// One SQLite connection (the system's libsqlite3). Not thread-safe by itself: the engine uses
/// it from its single pool thread only.
final class SQLiteConnection {
    private var db: OpaquePointer?
    let path: String

    /// Opens (creating) the file, in WAL mode with a busy timeout, so that every process on the
    /// host naming the same file shares it (docs/ledger.md).
    init(path: String, busyTimeoutMs: Int32) throws(KieError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        db = handle
        guard rc == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            db = nil
            throw .ledger(.sqlite, "cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, busyTimeoutMs)
        try walMode(busyTimeoutMs: busyTimeoutMs)
        try exec("PRAGMA synchronous=FULL")
    }

    /// Switches the file to WAL. Two processes opening a new file at once: the switch can answer
    /// SQLITE_BUSY at once, without the busy handler (it needs the file to itself for an instant),
    /// so it is tried again for as long as the busy timeout, on the engine's own thread.
    private func walMode(busyTimeoutMs: Int32) throws(KieError) {
        var waitedMs: Int32 = 0
        while true {
            let rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nil, nil, nil)
            if rc == SQLITE_OK { return }
            guard rc & 0xff == SQLITE_BUSY, waitedMs < busyTimeoutMs else { throw error(rc, "exec") }
            usleep(20_000)
            waitedMs += 20
        }
    }

    deinit { sqlite3_close_v2(db) }

    /// Runs SQL without parameters or results (may hold several statements).
    func exec(_ sql: String) throws(KieError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, "exec") }
    }

    /// Runs one statement. Placeholders are written `$1`, `$2`... as in PostgreSQL and read by
    /// SQLite as the numbered parameters `?1`, `?2`...
    func rows(_ sql: String, _ binds: [SQLValue]) throws(KieError) -> [SQLRow] {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, Self.numbered(sql), -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "prepare") }
        defer { sqlite3_finalize(stmt) }
        for (i, value) in binds.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: sqlite3_bind_null(stmt, index)
            case .int(let v): sqlite3_bind_int64(stmt, index, v)
            case .text(let t): sqlite3_bind_text(stmt, index, t, -1, Self.transient)
            }
        }
        var out: [SQLRow] = []
        while true {
            let step = sqlite3_step(stmt)
            if step == SQLITE_DONE { return out }
            guard step == SQLITE_ROW else { throw error(step, "step") }
            out.append(Self.row(stmt))
        }
    }

    private static func row(_ stmt: OpaquePointer) -> SQLRow {
        (0..<sqlite3_column_count(stmt)).map { c in
            switch sqlite3_column_type(stmt, c) {
            case SQLITE_NULL: .null
            case SQLITE_INTEGER: .int(sqlite3_column_int64(stmt, c))
            default: .text(sqlite3_column_text(stmt, c).map { String(cString: $0) } ?? "")
            }
        }
    }

    private func error(_ rc: Int32, _ what: String) -> KieError {
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection"
        return .ledger(.sqlite, "\(what) failed on \(path): \(message) (code \(rc))")
    }

    /// `$N` -> `?N`. The ledger's statements hold no `$` in literals.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previous: Character = " "
        for ch in sql {
            out.append(ch == "$" && previous != "$" ? "?" : ch)
            previous = ch
        }
        return out
    }

    /// SQLITE_TRANSIENT: SQLite copies the bound text before the call returns.
    private static let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
}

/// The host's monotonic clock, one clock for every process on the host, and the boot it belongs
/// to: SQLite's decision clock (docs/ledger.md, "Time").
enum HostMonotonicClock {
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// /proc/sys/kernel/random/boot_id: new at every boot, so stamps of another boot are known stale.
    static let bootId: String = {
        guard let bytes = try? LocalFile.read("/proc/sys/kernel/random/boot_id", limit: 128) else { return "unknown" }
        return String(String(decoding: bytes, as: UTF8.self).trimmed)
    }()
}
