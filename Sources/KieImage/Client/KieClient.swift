import FoundationEssentials
import Logging
import Synchronization

/// The kie.ai client for both request families (4o Image and Market). Thread-safe; share one
/// per process. Its API is spread over `KieClient+*.swift`: generate and run, tasks and waits,
/// account and links, journal and resume; files and webhooks live beside their layers.
public final class KieClient: Sendable {
    public let config: ClientConfig
    let transport: HTTPTransport
    let caller: APICaller
    let durations = DurationHistory()
    let pacer = TaskPacer()
    public let logger: Logger
    /// The durable journal when `journalPath` is set (docs/journal.md).
    let journal: TaskJournal?
    /// The shared ledger when config `ledger` is set (docs/ledger.md), and the keeper of this
    /// process's lease on it (started by the first generate or resume).
    public let ledger: Ledger?
    let leases: LeaseKeeper?
    /// PostgreSQL notifications that end this client's waits (started by the first wait).
    let wakeups: LedgerWakeups?
    /// Tasks this client created, with when: a wait treats their not-found answers as "not
    /// visible yet" for a grace period (docs/kie-market-api.md §3c).
    let created = Mutex<[String: ContinuousClock.Instant]>([:])
    /// The family of each task this client created or found (reads by id ask that family).
    let families = Mutex<[String: TaskFamily]>([:])
    /// The results of the tasks this client last read as succeeded (downloads by task id).
    let held = HeldResults()
    /// Generates and wait polls past these run their request in a child task (KieClient+ChildTask.swift).
    let generateSlots = InFlightLimit(limit: ConcurrencyLimits.generatesInProgress)
    let pollSlots = InFlightLimit(limit: ConcurrencyLimits.pollsInProgress)
    /// Spend against config `maxCredits` (KieClient+Budget.swift).
    let budget: CreditBudget
    /// Uploaded local inputs by content key, when there is no journal to hold them.
    let uploads = Mutex<[String: UploadRecord]>([:])
    /// Uploads of local inputs in flight, by content key (KieClient+LocalInputs.swift).
    let uploading = Mutex<[String: Task<String, any Error>]>([:])
    /// Delivered callbacks meet waits here; their confirming reads are coalesced (docs/webhooks.md).
    let mailbox: CallbackMailbox
    /// Idempotency keys being sent by this client, and (without a journal) their answers.
    let keysInFlight = Mutex<Set<String>>([])
    let keyAnswers = Mutex<[String: Result<Submitted, KieError>]>([:])
    let confirmFlights = ConfirmFlights()

    /// Creates a client. Throws only when `journalPath` is set and the journal cannot be opened.
    public init(config: ClientConfig, logger: Logger? = nil) throws(KieError) {
        self.config = config
        budget = CreditBudget(limit: config.maxCredits, sinceMs: config.budgetSinceMs)
        journal = try config.journalPath.map { path throws(KieError) in try TaskJournal(path: path) }
        var log = logger ?? Logger(label: "kieimage", factory: { _ in SwiftLogNoOpLogHandler() })
        log.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        self.logger = log
        ledger = config.ledger.map { Ledger(url: $0, apiKey: config.apiKey, settings: LedgerSettings(config: config)) }
        leases = ledger.map { LeaseKeeper(ledger: $0, logger: log) }
        let mailbox = CallbackMailbox()
        self.mailbox = mailbox
        wakeups = ledger.map { LedgerWakeups(ledger: $0, mailbox: mailbox, logger: log) }
        transport = HTTPTransport(config: config)
        caller = APICaller(transport: transport, config: config, limiter: RateLimiter(config.rateLimit), logger: log)
        for w in journal?.warnings ?? [] { log.warning("journal: \(w)") }
    }

    /// Opens a client from config JSON; absent keys come from the environment (docs/c-api.md).
    public convenience init(json: String, logger: Logger? = nil) throws(KieError) {
        try self.init(config: ClientConfig.parse(json: json, env: ClientConfig.environment()), logger: logger)
    }

    /// Closes connections. Call once when done; in-flight calls fail.
    public func shutdown() async {
        await leases?.stop()
        await wakeups?.stop()
        await ledger?.close()
        await transport.shutdown()
    }

    /// Shuts down at once, without waiting, when the client never made a request (it has no
    /// connections or threads to close); false when `shutdown()` is needed.
    public func shutdownIfUnused() -> Bool { ledger == nil && transport.shutdownIfNotStarted() }

    /// Counts the sends an earlier process journaled into the rate limiter (once, before the
    /// first generate), so a restart does not trip kie's window.
    func seedLimiterOnce() async {
        guard let journal else { return }
        let first = seeded.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first {
            await caller.limiter.seed(journal.sendTimes(), flightMs: config.connectTimeoutMs + config.requestTimeoutMs)
        }
    }
    private let seeded = Mutex(false)

    func noteCreated(_ taskId: String, family: TaskFamily) {
        created.withLock { map in
            let now = ContinuousClock.now
            if map.count > 10_000 { map = map.filter { now - $0.value < .seconds(600) } }
            map[taskId] = now
        }
        noteFamily(taskId, family)
    }

    func noteFamily(_ taskId: String, _ family: TaskFamily) {
        families.withLock { map in
            if map.count > 100_000 { map.removeAll() }
            map[taskId] = family
        }
    }

    /// The family the client knows for a task: it created or read it, or the journal holds it.
    public func knownFamily(of taskId: String) -> TaskFamily? {
        if let f = families.withLock({ $0[taskId] }) { return f }
        return journal?.entry(taskId: taskId).flatMap { TaskFamily(rawValue: $0.family) }
    }

    /// Time since this client created the task, or nil for a task it did not create.
    func sinceCreated(_ taskId: String) -> Duration? {
        created.withLock { $0[taskId] }.map { ContinuousClock.now - $0 }
    }

    /// `sinceCreated` in milliseconds.
    func msSinceCreated(_ taskId: String) -> Int64? {
        created.withLock { $0[taskId] }.map { -APICaller.msUntil($0) }
    }

    /// Task ids are checked before any work starts (kie's are 32 hex digits; others may differ).
    public static func checkTaskId(_ id: String) throws(KieError) {
        var id = id
        guard !id.isEmpty, id.utf8.count <= 128,
              id.withUTF8({ $0.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F } })
        else { throw .invalidArgument("taskId must be 1-128 letters, digits, '-' or '_'", field: "taskId") }
    }
}
