import Synchronization

/// The shared ledger's admission of each attempt of one generate (docs/ledger.md, "Sending"):
/// the row moves to `sending` under this process's lease in the transaction that takes a token
/// of the account's limit, and the attempt leaves only while `Ledger.maySend` holds.
final class LedgerGate: SendGate {
    let ledger: Ledger
    /// The work; its id becomes the row's once admitted (an idempotency key may name an older row).
    private let work: Mutex<LedgerWork>
    /// The claim of the attempt in flight or last sent; nil before the first admission.
    private let claim = Mutex<LedgerClaim?>(nil)

    init(ledger: Ledger, work: LedgerWork) {
        self.ledger = ledger
        self.work = Mutex(work)
    }

    /// The row this generate owns (its own id, or the idempotency key's older row it took over).
    var rowId: String { work.withLock { $0.id } }
    var lastClaim: LedgerClaim? { claim.withLock { $0 } }

    func admit() async throws {
        while true {
            let current = work.withLock { $0 }
            switch try await ledger.admitAndClaim(current) {
            case .send(let c):
                work.withLock { $0.id = c.rowId; $0.held = true }
                guard ledger.maySend(c) else {
                    // Too late to use (a paused process, a slow database): give it back, ask again.
                    try await ledger.releaseUnusedToken(c)
                    continue
                }
                claim.withLock { $0 = c }
                CrashHook.at(.admitted)
                return
            case .wait(let ms, let rowId):
                work.withLock { $0.id = rowId; $0.held = true }
                CrashHook.at(.intent)
                try await Task.sleep(for: .milliseconds(max(1, min(ms, 2_000))))
            case .existing(let row):
                throw LedgerExisting(row: row)
            }
        }
    }

    func notSent() async {
        guard let c = takeClaim() else { return }
        _ = try? await ledger.releaseUnusedToken(c)
    }

    func willRetry(after failed: FailedAttempt) async throws {
        guard let c = takeClaim() else { return }
        // After a 429 every process of the account pauses as long as this one's limiter does.
        let cooldown = failed.verdict.status == .rateLimited
            ? failed.error.retryAfterMs ?? SlidingWindow(ledger.settings.rateLimit).heldMs : nil
        try await ledger.recordNotAccepted(c, cooldownMs: cooldown)
    }

    private func takeClaim() -> LedgerClaim? {
        claim.withLock { c in
            defer { c = nil }
            return c
        }
    }
}

/// The idempotency key's row belongs to another generate: its state is this one's answer.
struct LedgerExisting: Error {
    let row: LedgerRow
}
