import Crypto
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Settings of a ledger (docs/ledger.md); the client's config fills them.
public struct LedgerSettings: Sendable, Equatable {
    /// kie's generate limit (the core's, RateLimiter.swift), shared by every process of the account.
    public var rateLimit = RateLimitSettings()
    /// How long an owner's lease lasts unrenewed (config `ledgerLeaseMs`, 5 000–300 000).
    public var leaseMs: Int64 = 30_000
    /// A claim not used to send within this is unused: the caller releases it and asks again.
    public var tokenUseMs: Int64 = 5_000
    /// The longest a generate attempt may be in flight (its deadline): how long a token of a
    /// process that died mid-send keeps counting, past its use time, before its window.
    public var flightMs: Int64 = 60_000
    /// Create or upgrade the schema on first use; false: refuse a database that is not migrated.
    public var autoMigrate = true
    /// The account's shared budget (config `maxCredits`, `budgetSince`); nil: none.
    public var budget: LedgerBudget?
    public init() {}

    /// The settings of a client's config: its rate limit, lease, attempt deadline and budget.
    init(config: ClientConfig) {
        rateLimit = config.rateLimit
        leaseMs = config.ledgerLeaseMs
        flightMs = config.connectTimeoutMs + config.requestTimeoutMs
        budget = config.maxCredits.map { LedgerBudget(limitMc: LedgerBudget.milli($0), sinceMs: config.budgetSinceMs) }
    }
}

/// A credit budget every process of the account shares, in credits x 1000.
public struct LedgerBudget: Sendable, Equatable {
    public var limitMc: Int64
    /// Spend counts from rows created at or after this wall-clock ms (config `budgetSince`).
    public var sinceMs: Int64?
    public init(limitMc: Int64, sinceMs: Int64?) {
        self.limitMc = limitMc
        self.sinceMs = sinceMs
    }

    /// Credits as the ledger counts them (x 1000, rounded; bounded so input cannot overflow).
    public static func milli(_ credits: Double) -> Int64 { Int64((min(max(credits, 0), 1e12) * 1000).rounded()) }
}

/// The shared ledger of one account (API.md §7.1 as docs/ledger.md tells it): the rate limit,
/// the work rows, the leases and the uploads map of every process naming the same database.
/// Every operation is one transaction that first locks the account's row and then reads the
/// database's clock. Failures are KIE_E_LEDGER naming the engine and the cause, never a password.
public final class Ledger: Sendable {
    public let url: LedgerURL
    public let settings: LedgerSettings
    /// The account: a one-way digest of the API key (`accountDigest`).
    public let account: String
    /// This process incarnation's owner id (random).
    public let owner: String
    let label: String
    let engine: any LedgerEngine
    private let migrated = Mutex(false)
    /// CLOCK_MONOTONIC ns until which this owner's lease is surely live (start of the last
    /// successful renewal + the lease). 0: never renewed.
    let leaseValidUntilNs = Atomic<UInt64>(0)

    public init(url: LedgerURL, apiKey: String, settings: LedgerSettings = LedgerSettings()) {
        self.url = url
        self.settings = settings
        account = Self.accountDigest(apiKey: apiKey)
        owner = Self.randomHex(bytes: 16)
        label = Self.hostLabel()
        engine = url.engine()
    }

    public func close() async { await engine.close() }

    /// HMAC-SHA-256 of the API key under a fixed domain string, in hex: the same key gives the
    /// same account everywhere, and the key cannot be read back from it.
    public static func accountDigest(apiKey: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(apiKey.utf8), using: SymmetricKey(data: Data("kieimage-ledger-account-v1".utf8)))
        return mac.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Creates or upgrades the schema now (`kie-image ledger migrate`); returns the versions applied.
    @discardableResult
    public func migrate() async throws(KieError) -> [Int64] {
        let done = try await engine.transaction { tx throws(KieError) in try LedgerSchema.migrate(tx) }
        migrated.withLock { $0 = true }
        return done
    }

    /// Runs `body` in one transaction holding the account's lock, with the decision clock read
    /// after the lock (never less than the account's last admission: time never runs backwards).
    func withAccount<T: Sendable>(_ body: @escaping @Sendable (any LedgerTx, Int64) throws(KieError) -> T) async throws(KieError) -> T {
        try await withLockedAccount { tx, locked throws(KieError) in try body(tx, locked.now) }
    }

    /// The account's row as its lock read it, with the decision clock.
    struct LockedAccount {
        let now: Int64
        let cooldownUntilMs: Int64
    }

    /// `withAccount`, with what the lock read of the account's row (the admission needs its
    /// cool-down: no second read).
    func withLockedAccount<T: Sendable>(_ body: @escaping @Sendable (any LedgerTx, LockedAccount) throws(KieError) -> T) async throws(KieError) -> T {
        try await ensureSchema()
        let account = account
        return try await engine.transaction { tx throws(KieError) in
            if tx.kind == .sqlite { try BootStamps.check(tx) }
            // Lock the account's row; made first on the account's first operation.
            var locked = try tx.first(AccountSQL.lock(tx.kind), [.text(account)])
            if locked == nil {
                try tx.run(AccountSQL.ensure, [.text(account)])
                locked = try tx.first(AccountSQL.lock(tx.kind), [.text(account)])
            }
            guard let row = locked else { throw .ledger(tx.kind, "the account row vanished") }
            let now = try max(tx.clockMs(), row[1].int ?? 0)
            return try body(tx, LockedAccount(now: now, cooldownUntilMs: row[0].int ?? 0))
        }
    }

    /// A read of the account's rows: no account lock, no write lock (a wait re-reading its row
    /// every 200 ms must not queue behind, or hold up, other processes' admissions).
    func reading<T: Sendable>(_ body: @escaping @Sendable (any LedgerTx) throws(KieError) -> T) async throws(KieError) -> T {
        try await ensureSchema()
        return try await engine.transaction(readOnly: true, body)
    }

    private func ensureSchema() async throws(KieError) {
        guard !migrated.withLock({ $0 }) else { return }
        if settings.autoMigrate {
            try await migrate()
            return
        }
        try await engine.transaction { tx throws(KieError) in
            do throws(KieError) {
                try LedgerSchema.check(tx, requireLatest: true)
            } catch {
                // A schema too new or too old says so itself; anything else: no schema at all.
                if error.message.contains("schema version") { throw error }
                throw .ledger(tx.kind, "the database is not migrated (\(error.message)): run `kie-image ledger migrate` or apply its --print-sql")
            }
        }
        migrated.withLock { $0 = true }
    }

    static func randomHex(bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(UInt8.random(in: 0...255, using: &g), radix: 16).leftPadded(to: 2) }.joined()
    }

    private static func hostLabel() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let ok = gethostname(&name, name.count - 1) == 0
        let host = ok ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return "\(host):\(getpid())"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Monotonic time of this host in ns, for the owner's local view of its lease.
enum LocalMonotonic {
    static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
