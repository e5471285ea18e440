/// Leases: each process incarnation renews its owner row while it lives; rows of owners whose
/// lease ended are reaped (`sending` -> `unknown`, `intent` -> `abandoned`) or, when
/// `submitted`, taken over by the next resume in any process, exactly once (docs/ledger.md).
extension Ledger {
    /// Renews this owner's lease (call every third of `leaseMs`). The owner's local view of its
    /// lease (`maySend`) counts from before the call, so it never outlives the database's.
    public func renewLease() async throws(KieError) {
        let startNs = LocalMonotonic.nowNs()
        let (account, owner, label, leaseMs) = (account, owner, label, settings.leaseMs)
        try await withAccount { tx, now throws(KieError) in
            try tx.run(OwnerSQL.renew, [.text(owner), .text(account), .text(label), .int(now), .int(now + leaseMs)])
            // Owners dead for a day are forgotten (their rows read as having no live owner).
            try tx.run(OwnerSQL.prune, [.text(account), .int(now - 86_400_000)])
        }
        leaseValidUntilNs.store(startNs &+ UInt64(max(0, leaseMs)) &* 1_000_000, ordering: .relaxed)
    }

    /// Ends this owner's lease now (the client shuts down): a `submitted` row it leaves is taken
    /// over by the next resume in any process at once, without waiting for the lease to run out.
    public func releaseLease() async throws(KieError) {
        leaseValidUntilNs.store(0, ordering: .relaxed)
        let (account, owner) = (account, owner)
        try await withAccount { tx, now throws(KieError) in
            try tx.run(OwnerSQL.release, [.text(owner), .text(account), .int(now)])
        }
    }

    /// Settles the rows of owners whose lease ended: returns the ids now `unknown` (a send may
    /// have reached kie: never resent) and `abandoned` (nothing was sent).
    public func reapExpired() async throws(KieError) -> (unknown: [String], abandoned: [String]) {
        let account = account
        return try await withAccount { tx, now throws(KieError) in
            let binds: [SQLValue] = [.text(account), .int(now), .text(#"{"message":"the owner's lease ended while sending"}"#),
                                     .text(#"{"message":"the owner's lease ended before sending: nothing was sent"}"#),
                                     .int(tx.displayMs(decisionMs: now))]
            let rows = try tx.rows(WorkSQL.reap, binds)
            for r in rows { if let id = r[0].text { try Self.notify(tx, id) } }
            let ids = { (s: LedgerState) in rows.filter { $0[1].text == s.rawValue }.compactMap { $0[0].text } }
            return (ids(.unknown), ids(.abandoned))
        }
    }

    /// Takes over up to `limit` `submitted` rows whose owner's lease ended (or that have no owner):
    /// they are this owner's now, with a new epoch, to wait for, download and record. Each row
    /// goes to exactly one caller in one process.
    /// `keyPrefix`: only rows whose idempotency key starts with it (a batch's lines).
    /// `succeeded`: also the `succeeded` rows of dead owners (one that died mid-download), for a
    /// caller that will download them.
    public func takeOverSubmitted(limit: Int = 100, keyPrefix: String = "", succeeded: Bool = false) async throws(KieError) -> [LedgerRow] {
        let startNs = LocalMonotonic.nowNs()
        let (account, owner, label, leaseMs) = (account, owner, label, settings.leaseMs)
        defer { leaseValidUntilNs.store(startNs &+ UInt64(max(0, leaseMs)) &* 1_000_000, ordering: .relaxed) }
        return try await withAccount { tx, now throws(KieError) in
            // The rows become this owner's: its lease must be live in the same transaction.
            try tx.run(OwnerSQL.renew, [.text(owner), .text(account), .text(label), .int(now), .int(now + leaseMs)])
            let binds: [SQLValue] = [.text(account), .int(now), .text(owner), .int(Int64(max(0, limit))), .int(tx.displayMs(decisionMs: now)),
                                     .text(keyPrefix), .text(succeeded ? LedgerState.succeeded.rawValue : LedgerState.submitted.rawValue)]
            var out: [LedgerRow] = []
            for r in try tx.rows(WorkSQL.takeOverSubmitted, binds) {
                let row = try LedgerRow(r, kind: tx.kind)
                try Self.notify(tx, row.id)
                out.append(row)
            }
            return out
        }
    }
}
