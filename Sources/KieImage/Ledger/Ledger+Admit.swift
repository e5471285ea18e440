/// Admission: insert-or-find the work row, take a slot of the account's limit, and move the row
/// to `sending` under this owner, all in one transaction (docs/ledger.md, "Sending").
extension Ledger {
    /// The outcome of the transaction, before the local send deadline is attached.
    private enum Decided: Sendable {
        case send(rowId: String, epoch: Int64, token: Int64, request: String)
        case wait(ms: Int64, rowId: String)
        case existing(LedgerRow)
    }

    /// Returns `.send` (the row is now `sending`: send `claim.request`, then record the outcome
    /// with the claim), `.wait` (the limit or a cool-down: call again with the same work after
    /// `ms`) or `.existing` (the idempotency key's row, sent by someone else: its state is the answer).
    public func admitAndClaim(_ work: LedgerWork) async throws(KieError) -> LedgerAdmission {
        let startNs = LocalMonotonic.nowNs()
        let (account, owner, label, s) = (account, owner, label, settings)
        let decided = try await withLockedAccount { tx, locked throws(KieError) -> Decided in
            let now = locked.now
            try tx.run(OwnerSQL.renew, [.text(owner), .text(account), .text(label), .int(now), .int(now + s.leaseMs)])
            let mine = try Self.ownRow(tx, now: now, account: account, owner: owner, work: work)
            guard case .mine(let row) = mine else {
                if case .other(let row) = mine { return .existing(row) }
                return .existing(try Self.row(tx, account: account, id: work.id))
            }
            if let budget = s.budget, let refusal = try Self.overBudget(tx, account: account, row: row.id, work: work, budget: budget) {
                throw refusal
            }
            if let wait = try Self.admissionWait(tx, locked, account: account, settings: s) {
                return .wait(ms: wait, rowId: row.id)
            }
            let token = try Self.takeToken(tx, now: now, account: account, rowId: row.id, settings: s)
            let display = tx.displayMs(decisionMs: now)
            guard let epoch = try tx.first(WorkSQL.notifying(WorkSQL.toSending, tx.kind), [.text(account), .text(row.id), .text(owner), .int(row.epoch), .int(display)])?.first?.int else {
                throw .ledger(tx.kind, "the row \(row.id) changed hands during its admission")
            }
            return .send(rowId: row.id, epoch: epoch, token: token, request: row.request)
        }
        switch decided {
        case .wait(let ms, let rowId): return .wait(ms: ms, rowId: rowId)
        case .existing(let row): return .existing(row)
        case .send(let rowId, let epoch, let token, let request):
            let leaseNs = UInt64(max(0, settings.leaseMs)) &* 1_000_000
            leaseValidUntilNs.store(startNs &+ leaseNs, ordering: .relaxed)
            let useNs = UInt64(max(0, min(settings.tokenUseMs, settings.leaseMs))) &* 1_000_000
            return .send(LedgerClaim(rowId: rowId, owner: owner, epoch: epoch, tokenId: token, request: request, sendByNs: startNs &+ useNs))
        }
    }

    /// Whether `claim` may still be used to send now: within its use time and this owner's lease
    /// as this host's monotonic clock sees it (a paused or cut-off process sends nothing).
    public func maySend(_ claim: LedgerClaim) -> Bool {
        let now = LocalMonotonic.nowNs()
        return now < claim.sendByNs && now < leaseValidUntilNs.load(ordering: .relaxed)
    }

    private enum Ownership { case mine(LedgerRow), other(LedgerRow), settledMine }

    /// The caller's row in `intent` under this owner: inserted, found, or taken over from an
    /// expired owner (`intent`, or `abandoned`: nothing was sent); or the key's row elsewhere.
    private static func ownRow(_ tx: any LedgerTx, now: Int64, account: String, owner: String, work: LedgerWork) throws(KieError) -> Ownership {
        let display = tx.displayMs(decisionMs: now)
        // New work (the usual case) in one statement; a taken id or key: the row that has it.
        if !work.held, let inserted = try tx.first(WorkSQL.insert, [.text(account), .text(work.id), .text(work.family), .text(work.request),
                                                                    SQLValue(work.tag), SQLValue(work.idempotencyKey), .text(owner), .int(display),
                                                                    work.chargeMc.map { SQLValue.int($0) } ?? .null]) {
            return .mine(try LedgerRow(inserted, kind: tx.kind))
        }
        var found = try tx.first(WorkSQL.byId, [.text(account), .text(work.id)])
        if found == nil, let key = work.idempotencyKey {
            found = try tx.first(WorkSQL.byKey, [.text(account), .text(key)])
        }
        guard let found else { throw .ledger(tx.kind, "the row \(work.id) could neither be made nor found") }
        let row = try LedgerRow(found, kind: tx.kind)
        // This owner's own `intent` row, found by id or by key (a retry in the same process): its.
        if row.state == .intent, row.owner == owner { return .mine(row) }
        if row.state == .abandoned, work.held, row.id == work.id, row.owner == owner {
            // Reaped while this call held it: another process may act on "nothing was sent".
            throw .ledger(tx.kind, "this process's lease ended while its generate waited (paused or stalled longer than ledgerLeaseMs): "
                + "its row \(row.id) was abandoned and nothing was sent; send it again if it is still wanted")
        }
        var free = row.state == .abandoned
        if !free, row.state == .intent, row.owner != owner { free = try ownerExpired(tx, row.owner, now: now) }
        guard free else { return row.id == work.id ? .settledMine : .other(row) }
        let binds: [SQLValue] = [.text(account), .text(row.id), .text(owner), .int(row.epoch), .text(work.family),
                                 .text(work.request), SQLValue(work.tag), .int(display), work.chargeMc.map { SQLValue.int($0) } ?? .null]
        guard try tx.first(WorkSQL.takeOver, binds) != nil else { return .other(row) }
        return .mine(try Self.row(tx, account: account, id: row.id))
    }

    static func row(_ tx: any LedgerTx, account: String, id: String) throws(KieError) -> LedgerRow {
        guard let r = try tx.first(WorkSQL.byId, [.text(account), .text(id)]) else { throw .ledger(tx.kind, "no row \(id)") }
        return try LedgerRow(r, kind: tx.kind)
    }

    private static func ownerExpired(_ tx: any LedgerTx, _ owner: String?, now: Int64) throws(KieError) -> Bool {
        guard let owner else { return true }
        let sql = "SELECT 1 FROM kie_owners WHERE owner = $1 AND lease_expires_ms > $2"
        return try tx.first(sql, [.text(owner), .int(now)]) == nil
    }

    /// Milliseconds until the account may admit another send, or nil for now. The limit: fewer
    /// than N tokens held (SlidingWindow's rule, RateLimiter.swift); and no cool-down running.
    private static func admissionWait(_ tx: any LedgerTx, _ locked: LockedAccount, account: String, settings: LedgerSettings) throws(KieError) -> Int64? {
        let now = locked.now
        if locked.cooldownUntilMs > now { return locked.cooldownUntilMs - now }
        let limit = settings.rateLimit.requests
        guard limit > 0 else { return nil }
        let holds = try tx.rows(TokenSQL.held, [.text(account), .int(now)]).compactMap { $0.first?.int }
        guard holds.count >= limit else { return nil }
        return max(1, holds[holds.count - limit] - now)
    }

    /// One token for one HTTP attempt. Unanswered, it counts for as long as its send may reach
    /// kie: its use time, then the attempt's flight, then the window and margin.
    private static func takeToken(_ tx: any LedgerTx, now: Int64, account: String, rowId: String, settings: LedgerSettings) throws(KieError) -> Int64 {
        let hold = now + settings.tokenUseMs + settings.flightMs + SlidingWindow(settings.rateLimit).heldMs
        let insert: String
        if tx.kind == .postgresql {
            insert = TokenSQL.insertCountingAdmission
        } else {
            try tx.run(AccountSQL.admitted, [.text(account), .int(now)])
            insert = TokenSQL.insert
        }
        guard let id = try tx.first(insert, [.text(account), .text(rowId), .int(now), .int(hold)])?.first?.int else {
            throw .ledger(tx.kind, "no token id returned")
        }
        // Housekeeping, every `dropEvery` tokens (expired ones count for nothing meanwhile).
        if id % TokenSQL.dropEvery == 0 { try tx.run(TokenSQL.dropExpired, [.text(account), .int(now)]) }
        return id
    }

    /// BUDGET when this generate's price on top of the account's spend since the budget's start
    /// passes its limit (docs/inputs-proxies-budget.md, "Budget": with a ledger, every process of
    /// the account shares one budget). Checked in the admission's transaction, so two processes
    /// cannot both pass the last credits.
    private static func overBudget(_ tx: any LedgerTx, account: String, row: String, work: LedgerWork, budget: LedgerBudget) throws(KieError) -> KieError? {
        guard let price = work.chargeMc else {
            return KieError(.budget, "no price is known for this model and a budget is set: nothing was sent")
        }
        let spent = try tx.first(WorkSQL.spend, [.text(account), .int(budget.sinceMs ?? Int64.min), .text(row)])?.first?.int ?? 0
        guard spent.addingReportingOverflow(price).partialValue > budget.limitMc else { return nil }
        return KieError(.budget, "this generate (\(Double(price) / 1000) credits) would take the account's spend of \(Double(spent) / 1000) credits past its budget of \(Double(budget.limitMc) / 1000): nothing was sent")
    }

    static func notify(_ tx: any LedgerTx, _ rowId: String) throws(KieError) {
        if tx.kind == .postgresql { try tx.run(WorkSQL.notify, [.text(rowId)]) }
    }
}
