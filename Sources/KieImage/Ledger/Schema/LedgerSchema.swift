/// One numbered step of the ledger's schema, shipped in the library. A breaking step makes older
/// libraries refuse the database (they would misread it).
struct LedgerMigration: Sendable {
    let version: Int64
    let breaking: Bool
    let name: String
    let statements: @Sendable (LedgerEngineKind) -> [String]
}

/// Applies the migrations under a lock on first use, refuses a database newer than this library
/// (a breaking version it does not know), and prints the SQL for a DBA (docs/ledger.md).
public enum LedgerSchema {
    static let migrations: [LedgerMigration] = [Migration0001.migration]

    /// The newest schema version this library knows.
    public static var latestVersion: Int64 { migrations.last?.version ?? 0 }

    static func bootstrap(_ kind: LedgerEngineKind) -> String {
        let stamp = kind == .postgresql ? "timestamptz NOT NULL DEFAULT clock_timestamp()" : "text NOT NULL DEFAULT CURRENT_TIMESTAMP"
        return """
            CREATE TABLE IF NOT EXISTS kie_schema_migrations (
              version    bigint PRIMARY KEY,
              breaking   boolean NOT NULL,
              applied_at \(stamp)
            )
            """
    }

    /// Serialises concurrent migrators. SQLite's BEGIN IMMEDIATE already holds the write lock.
    static let postgresLock = "SELECT pg_advisory_xact_lock(hashtext('kieimage-ledger'))"

    static let appliedSQL = "SELECT version, CASE WHEN breaking THEN 1 ELSE 0 END FROM kie_schema_migrations ORDER BY version"

    static func recordSQL(_ m: LedgerMigration) -> String {
        "INSERT INTO kie_schema_migrations (version, breaking) VALUES (\(m.version), \(m.breaking ? "true" : "false")) ON CONFLICT DO NOTHING"
    }

    /// The whole schema as one script, for `kie-image ledger migrate --print-sql`. Idempotent.
    public static func sql(for kind: LedgerEngineKind) -> String {
        var lines = [kind == .postgresql ? "BEGIN;" : "BEGIN IMMEDIATE;"]
        if kind == .postgresql { lines.append(postgresLock + ";") }
        lines.append(bootstrap(kind) + ";")
        for m in migrations {
            lines.append("-- \(String(m.version)): \(m.name)\(m.breaking ? " (breaking)" : "")")
            lines += m.statements(kind).map { $0 + ";" }
            lines.append(recordSQL(m) + ";")
        }
        lines.append("COMMIT;")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Brings the database to `latestVersion` in one transaction; returns the versions applied.
    static func migrate(_ tx: any LedgerTx) throws(KieError) -> [Int64] {
        if tx.kind == .postgresql { try tx.run(postgresLock) }
        try tx.run(bootstrap(tx.kind))
        let applied = try check(tx)
        var done: [Int64] = []
        for m in migrations where !applied.contains(m.version) {
            for statement in m.statements(tx.kind) { try tx.run(statement) }
            try tx.run(recordSQL(m))
            done.append(m.version)
        }
        return done
    }

    /// The versions the database holds; throws when it holds a breaking version newer than this
    /// library's, or (`requireLatest`) when it lacks one this library needs.
    @discardableResult
    static func check(_ tx: any LedgerTx, requireLatest: Bool = false) throws(KieError) -> Set<Int64> {
        let rows = try tx.rows(appliedSQL, [])
        let versions = Set(rows.compactMap { $0.first?.int })
        if let newer = rows.last(where: { ($0.first?.int ?? 0) > latestVersion && $0.last?.int == 1 })?.first?.int {
            throw .ledger(tx.kind, "the database holds ledger schema version \(newer) (breaking), newer than version \(latestVersion) this library knows: upgrade the library")
        }
        if requireLatest, let missing = migrations.first(where: { !versions.contains($0.version) }) {
            throw .ledger(tx.kind, "the database is not migrated (lacks schema version \(missing.version) of \(latestVersion)): run `kie-image ledger migrate` or apply its --print-sql")
        }
        return versions
    }
}
