import Foundation
@testable import KieImage

/// A fresh ledger database per test: a temp SQLite file, or a new database on the test run's
/// one PostgreSQL cluster (PostgresHarness, removed at exit).
struct LedgerFixture {
    let url: LedgerURL
    let kind: LedgerEngineKind
    let database: String?

    static let apiKey = "kie-test-key-0123456789abcdef"

    static func make(_ kind: LedgerEngineKind) throws -> LedgerFixture {
        switch kind {
        case .sqlite:
            let path = NSTemporaryDirectory() + "kie-ledger-" + UUID().uuidString + ".db"
            SharedPostgres.removeAtExit(path)
            return LedgerFixture(url: try LedgerURL("sqlite:" + path), kind: kind, database: nil)
        case .postgresql:
            let pg = try SharedPostgres.harness()
            let db = try pg.createDatabase()
            return LedgerFixture(url: try LedgerURL(pg.url(database: db)), kind: kind, database: db)
        }
    }

    func ledger(key: String = LedgerFixture.apiKey, requests: Int = 20, perMs: Int64 = 10_000, leaseMs: Int64 = 30_000) -> Ledger {
        var s = LedgerSettings()
        s.rateLimit.requests = requests
        s.rateLimit.perMs = perMs
        s.leaseMs = leaseMs
        return Ledger(url: url, apiKey: key, settings: s)
    }

    /// The whole database as text: `sqlite3 .dump` or `pg_dump`.
    func dump() throws -> String {
        switch kind {
        case .sqlite: try PostgresHarness.run("/usr/bin/sqlite3", [String(url.display.dropFirst("sqlite:".count)), ".dump"])
        case .postgresql: try SharedPostgres.harness().dump(database: database ?? "postgres")
        }
    }
}

/// The one cluster of a test run, made on first use and removed when the process exits (with
/// the run's SQLite files).
enum SharedPostgres {
    nonisolated(unsafe) private static var made: Result<PostgresHarness, any Error>?
    nonisolated(unsafe) private static var files: [String] = []
    private static let lock = NSLock()

    /// A SQLite file (and its -wal, -shm) removed when the process exits.
    static func removeAtExit(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if files.isEmpty { atexit { SharedPostgres.removeFiles() } }
        files.append(path)
    }

    private static func removeFiles() {
        for f in files { for suffix in ["", "-wal", "-shm"] { unlink(f + suffix) } }
    }

    static func harness() throws -> PostgresHarness {
        lock.lock()
        defer { lock.unlock() }
        if made == nil {
            made = Result { try PostgresHarness() }
            atexit { SharedPostgres.destroy() }
        }
        guard let made else { throw PostgresHarness.Failure(description: "no cluster") }
        return try made.get()
    }

    private static func destroy() {
        if case .success(let h)? = made { h.destroy() }
    }
}

func work(_ n: Int, key: String? = nil) -> LedgerWork {
    LedgerWork(id: "w-\(n)-" + UUID().uuidString.prefix(8), family: "4o", request: #"{"prompt":"p\#(n)"}"#, tag: "t\(n)", idempotencyKey: key)
}

extension LedgerAdmission {
    var claim: LedgerClaim? { if case .send(let c) = self { c } else { nil } }
    var isWait: Bool { if case .wait = self { true } else { false } }
    var existing: LedgerRow? { if case .existing(let r) = self { r } else { nil } }
}

/// Polls `condition` until it holds or `seconds` pass (no timing assertion: only the outcome counts).
func eventually(seconds: Double = 20, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
