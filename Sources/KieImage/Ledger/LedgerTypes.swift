import FoundationEssentials

/// States of a ledger work row: the §6.4 journal states plus `sending` (docs/ledger.md). `intent`
/// is certainly not sent; `sending` may have been; only the owner with the row's epoch moves it on.
public enum LedgerState: String, Sendable, CaseIterable {
    case intent, sending, submitted, rejected, unknown, abandoned, succeeded, failed, downloaded

    /// What the file journal calls it (`sending` reads `intent` there: an unsettled send).
    public var journalState: JournalState { JournalState(rawValue: rawValue) ?? .intent }
}

/// The work a generate asks the ledger to admit: the caller picks `id` (random) once per call,
/// so repeating `admitAndClaim` after a wait finds the same row.
public struct LedgerWork: Sendable, Equatable {
    public var id: String
    public var family: String
    /// The JSON body to send to kie.
    public var request: String
    public var tag: String?
    public var idempotencyKey: String?
    /// The generate's price in credits x 1000, for the shared budget (nil: unknown).
    public var chargeMc: Int64?
    /// Set once an admission made the row this call's (it waited, or sent and will retry): the
    /// row found abandoned under this owner then means this process lost its lease meanwhile
    /// (paused, stalled): the call ends without sending (docs/ledger.md, "Paused processes").
    public var held = false

    public init(id: String, family: String, request: String, tag: String? = nil, idempotencyKey: String? = nil, chargeMc: Int64? = nil) {
        self.chargeMc = chargeMc
        self.id = id
        self.family = family
        self.request = request
        self.tag = tag
        self.idempotencyKey = idempotencyKey
    }
}

/// One work row as the journal surface shows it.
public struct LedgerRow: Sendable, Equatable {
    public var id: String
    public var state: LedgerState
    public var family: String
    public var request: String
    public var tag: String?
    public var idempotencyKey: String?
    public var taskId: String?
    public var owner: String?
    public var epoch: Int64
    /// JSON text, or nil.
    public var detail: String?
    /// Wall-clock Unix ms of the row's latest change (for people).
    public var updatedAtMs: Int64
}

/// The right to send one HTTP attempt of one row: the row is `sending` under this owner and
/// epoch, and one admission token is held for it. Every record call names it; a stale one
/// (another process took the row over) matches nothing.
public struct LedgerClaim: Sendable, Equatable {
    public let rowId: String
    public let owner: String
    public let epoch: Int64
    public let tokenId: Int64
    /// The body to send (the row's, which is the caller's unless it took over another's row).
    public let request: String
    /// CLOCK_MONOTONIC ns of this host after which the claim may no longer be used to send
    /// (the token is "unused" then: release it and ask again). See `Ledger.maySend`.
    public let sendByNs: UInt64
}

/// What `admitAndClaim` decided.
public enum LedgerAdmission: Sendable, Equatable {
    /// Send now, with this claim.
    case send(LedgerClaim)
    /// The account's limit or cool-down: ask again after `ms` (the database's clock). The row
    /// stays `intent` under this owner.
    case wait(ms: Int64, rowId: String)
    /// The idempotency key belongs to another row: its state is the answer (a row still
    /// `intent`/`sending` is in flight elsewhere: wait for it, `Ledger.row(id:)`).
    case existing(LedgerRow)
}

/// `Ledger.status`: rows per state, the limiter and the leases of one account.
public struct LedgerStatus: Sendable, Equatable {
    public var rows: [LedgerState: Int64]
    /// Tokens counting against the limit now.
    public var heldTokens: Int64
    public var limit: Int
    public var cooldownRemainingMs: Int64
    public var admittedTotal: Int64
    public var liveOwners: [(owner: String, label: String, leaseRemainingMs: Int64)]
    public var schemaVersion: Int64

    public static func == (a: LedgerStatus, b: LedgerStatus) -> Bool {
        a.rows == b.rows && a.heldTokens == b.heldTokens && a.cooldownRemainingMs == b.cooldownRemainingMs
            && a.admittedTotal == b.admittedTotal && a.liveOwners.map(\.owner) == b.liveOwners.map(\.owner)
    }
}
