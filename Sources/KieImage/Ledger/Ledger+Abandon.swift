/// Giving work up before it was sent, and ends recorded by task id (docs/ledger.md, "States").
extension Ledger {
    /// The claim was admitted but its request never left (cancelled, deadline passed): its token
    /// no longer counts and the row is `abandoned`, free for the same idempotency key anywhere.
    @discardableResult
    public func recordAbandoned(_ claim: LedgerClaim, detail: String) async throws(KieError) -> Bool {
        try await settle(claim, state: .abandoned, taskId: nil, detail: detail, bump: 1, tokenUsed: false)
    }

    /// Gives up this owner's own `intent` row (waiting for admission was cancelled, or the ledger
    /// refused a step): nothing was sent. False when the row is not this owner's `intent`.
    @discardableResult
    public func abandonIntent(rowId: String, detail: String) async throws(KieError) -> Bool {
        let (account, owner) = (account, owner)
        return try await withAccount { tx, now throws(KieError) in
            let binds: [SQLValue] = [.text(account), .text(rowId), .text(owner), .text(detail), .int(tx.displayMs(decisionMs: now))]
            guard try tx.first(WorkSQL.abandonIntent, binds) != nil else { return false }
            try Self.notify(tx, rowId)
            return true
        }
    }

    /// A task's end confirmed by a read of kie, recorded by any process of the account (a
    /// callback receiver, a waiter that does not own the row): the row of `taskId` moves from
    /// `submitted` (or `succeeded`, to `downloaded`) once. False when no row moved.
    @discardableResult
    public func recordEnd(taskId: String, state: LedgerState, detail: String?, credits: Double? = nil) async throws(KieError) -> Bool {
        guard [.succeeded, .failed, .downloaded].contains(state) else {
            throw .invalidArgument("recordEnd takes succeeded, failed or downloaded")
        }
        let account = account
        return try await withAccount { tx, now throws(KieError) in
            let binds: [SQLValue] = [.text(account), .text(taskId), .text(state.rawValue), SQLValue(detail), .int(tx.displayMs(decisionMs: now)),
                                     credits.map { .int(LedgerBudget.milli($0)) } ?? .null]
            let moved = try tx.rows(WorkSQL.endByTask, binds).compactMap { $0.first?.text }
            for id in moved { try Self.notify(tx, id) }
            return !moved.isEmpty
        }
    }

    /// The latest row holding `taskId`, or nil.
    public func row(taskId: String) async throws(KieError) -> LedgerRow? {
        let account = account
        return try await reading { tx throws(KieError) in
            guard let r = try tx.first(WorkSQL.byTask, [.text(account), .text(taskId)]) else { return nil }
            return try LedgerRow(r, kind: tx.kind)
        }
    }
}
