/// Recording what happened to a claimed send. Each update is guarded on the row's state, owner
/// and epoch: it returns false when it matched nothing (the claim is stale: another process
/// took the row over, or it was reaped), and then changes nothing (docs/ledger.md).
extension Ledger {
    /// kie answered with a task id: `submitted`. The owner keeps the row (and the epoch) to wait.
    @discardableResult
    public func recordSubmitted(_ claim: LedgerClaim, taskId: String) async throws(KieError) -> Bool {
        try await settle(claim, state: .submitted, taskId: taskId, detail: nil, bump: 0)
    }

    /// kie refused the request with a status: nothing was created or charged.
    @discardableResult
    public func recordRejected(_ claim: LedgerClaim, detail: String) async throws(KieError) -> Bool {
        try await settle(claim, state: .rejected, taskId: nil, detail: detail, bump: 1)
    }

    /// No usable answer: a task may exist. Never resent by the library.
    @discardableResult
    public func recordUnknown(_ claim: LedgerClaim, detail: String) async throws(KieError) -> Bool {
        try await settle(claim, state: .unknown, taskId: nil, detail: detail, bump: 1)
    }

    /// kie answered without creating a task and the attempt may be repeated (429, 455, 550):
    /// the row returns to `intent` under this owner (admit it again for the next attempt), the
    /// token counts from now, and `cooldownMs` (after a 429) pauses every process of the account.
    @discardableResult
    public func recordNotAccepted(_ claim: LedgerClaim, cooldownMs: Int64? = nil) async throws(KieError) -> Bool {
        if let cooldownMs { try await recordCooldown(ms: cooldownMs) }
        return try await settle(claim, state: .intent, taskId: nil, detail: nil, bump: 1)
    }

    /// The claim was not used to send (its use time passed, the lease was lost, the call was
    /// cancelled): its token no longer counts and the row returns to `intent`.
    @discardableResult
    public func releaseUnusedToken(_ claim: LedgerClaim) async throws(KieError) -> Bool {
        try await settle(claim, state: .intent, taskId: nil, detail: nil, bump: 1, tokenUsed: false)
    }

    /// After kie's 429: no process of the account is admitted for `ms` on the database's clock.
    public func recordCooldown(ms: Int64) async throws(KieError) {
        let account = account
        try await withAccount { tx, now throws(KieError) in
            try tx.run(AccountSQL.cooldown, [.text(account), .int(now + max(0, ms))])
        }
    }

    /// A submitted row's task ended (`succeeded`, `failed`) or its files were saved
    /// (`downloaded`), recorded by the row's owner (`row.owner`/`row.epoch` as it holds them).
    @discardableResult
    public func recordFinished(rowId: String, epoch: Int64, state: LedgerState, detail: String?) async throws(KieError) -> Bool {
        guard [.succeeded, .failed, .downloaded].contains(state) else {
            throw .invalidArgument("recordFinished takes succeeded, failed or downloaded")
        }
        let (account, owner) = (account, owner)
        return try await withAccount { tx, now throws(KieError) in
            let binds: [SQLValue] = [.text(account), .text(rowId), .text(owner), .int(epoch), .text(state.rawValue),
                                     SQLValue(detail), .int(tx.displayMs(decisionMs: now))]
            return try tx.first(WorkSQL.notifying(WorkSQL.finish, tx.kind), binds) != nil
        }
    }

    func settle(_ claim: LedgerClaim, state: LedgerState, taskId: String?, detail: String?, bump: Int64,
                        tokenUsed: Bool = true) async throws(KieError) -> Bool {
        let account = account
        let held = SlidingWindow(settings.rateLimit).heldMs
        return try await withAccount { tx, now throws(KieError) in
            let binds: [SQLValue] = [.text(account), .text(claim.rowId), .text(claim.owner), .int(claim.epoch), .text(state.rawValue),
                                     SQLValue(taskId), SQLValue(detail), .int(tx.displayMs(decisionMs: now)), .int(bump)]
            guard try tx.first(WorkSQL.notifying(WorkSQL.settle, tx.kind), binds) != nil else { return false }
            if tokenUsed {
                // The send was answered (or given up) now: it counts as SlidingWindow counts it.
                try tx.run(TokenSQL.answered, [.int(claim.tokenId), .text(account), .int(now + held)])
            } else {
                try tx.run(TokenSQL.release, [.int(claim.tokenId), .text(account)])
            }
            return true
        }
    }
}
