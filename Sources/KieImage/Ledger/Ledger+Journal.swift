/// The journal surface on the account's ledger (§6.4 acting on every process's rows), the
/// uploads map of issue #27, and `status` (docs/ledger.md).
extension Ledger {
    /// Every row of the account, oldest first.
    public func list() async throws(KieError) -> [LedgerRow] {
        let account = account
        return try await reading { tx throws(KieError) in
            try tx.rows(WorkSQL.list, [.text(account)]).map { r throws(KieError) in try LedgerRow(r, kind: tx.kind) }
        }
    }

    /// One row, or nil.
    public func row(id: String) async throws(KieError) -> LedgerRow? {
        let account = account
        return try await reading { tx throws(KieError) in
            guard let r = try tx.first(WorkSQL.byId, [.text(account), .text(id)]) else { return nil }
            return try LedgerRow(r, kind: tx.kind)
        }
    }

    /// Settles an `unknown` row: a task id found in kie's logs makes it `submitted` (the next
    /// resume takes it), nil makes it `abandoned`. False when the row is not `unknown`.
    @discardableResult
    public func resolve(id: String, taskId: String?) async throws(KieError) -> Bool {
        let account = account
        return try await withAccount { tx, now throws(KieError) in
            let state: LedgerState = taskId == nil ? .abandoned : .submitted
            let binds: [SQLValue] = [.text(account), .text(id), .text(state.rawValue), SQLValue(taskId), .int(tx.displayMs(decisionMs: now))]
            guard try tx.first(WorkSQL.resolve, binds) != nil else { return false }
            try Self.notify(tx, id)
            return true
        }
    }

    /// The URL kie gave for a file with this SHA-256 (hex), while kie keeps it.
    public func upload(digest: String) async throws(KieError) -> String? {
        let account = account
        return try await withAccount { tx, now throws(KieError) in
            try tx.first(UploadSQL.get, [.text(account), .text(digest), .int(now)])?.first?.text
        }
    }

    /// Remembers an upload for `keepMs` on the database's clock.
    public func putUpload(digest: String, url: String, keepMs: Int64) async throws(KieError) {
        let account = account
        try await withAccount { tx, now throws(KieError) in
            try tx.run(UploadSQL.dropExpired, [.text(account), .int(now)])
            try tx.run(UploadSQL.put, [.text(account), .text(digest), .text(url), .int(now + max(0, keepMs))])
        }
    }

    /// Rows per state, the limiter and the live leases of the account (`kie-image ledger status`).
    public func status() async throws(KieError) -> LedgerStatus {
        let (account, limit) = (account, settings.rateLimit.requests)
        return try await withAccount { tx, now throws(KieError) in
            var rows: [LedgerState: Int64] = [:]
            for r in try tx.rows(WorkSQL.counts, [.text(account)]) {
                if let s = r[0].text.flatMap(LedgerState.init(rawValue:)) { rows[s] = r[1].int ?? 0 }
            }
            let acct = try tx.first(AccountSQL.read, [.text(account)]) ?? []
            let owners = try tx.rows(OwnerSQL.live, [.text(account), .int(now)]).map {
                (owner: $0[0].text ?? "", label: $0[1].text ?? "", leaseRemainingMs: ($0[2].int ?? now) - now)
            }
            let version = try tx.first("SELECT max(version) FROM kie_schema_migrations")?.first?.int ?? 0
            return LedgerStatus(
                rows: rows, heldTokens: try tx.first(TokenSQL.count, [.text(account), .int(now)])?.first?.int ?? 0, limit: limit,
                cooldownRemainingMs: max(0, (acct.first?.int ?? 0) - now), admittedTotal: acct.count > 2 ? acct[2].int ?? 0 : 0,
                liveOwners: owners, schemaVersion: version)
        }
    }
}
