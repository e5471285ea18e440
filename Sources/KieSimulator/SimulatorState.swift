import Synchronization

/// A file stored through the upload host (docs/kie-api.md §6).
struct StoredUpload: Sendable {
    var bytes: [UInt8]
    var mimeType: String
    var uploadedAtMs: Int64
    var fileName: String
}

/// One callback delivery (an original or a duplicate) and what happened to it.
public struct CallbackRecord: Sendable, Codable, Equatable {
    public var taskId: String
    public var url: String
    public var body: String
    /// 0 for the original delivery, 1... for configured duplicates.
    public var delivery: Int
    public var attempts: Int
    /// HTTP status per attempt; 0 where the attempt got no answer (refused, timeout).
    public var statuses: [Int]
    public var errors: [String]
    /// `pending`, `delivered`, `failed` (all attempts used), `skipped` (not a loopback URL),
    /// `lost` (a `lose` fault: never sent) or `held` (a `delayMs` or `reorder` fault, not yet sent).
    public var state: String
    public var timestamp: String?
    public var signature: String?
    /// For a forged copy (`callbackFaults` `forge`): `signature`, `timestamp`, `unknownTask` or
    /// `unsigned`; nil for the genuine article.
    public var forged: String?
}

/// Per-request record of the file host, to prove a client never sends its key there.
public struct FileRequestRecord: Sendable, Codable, Equatable {
    public var path: String
    public var hadAuthorization: Bool
    public var status: Int
}

/// Everything mutable, behind one lock. Handlers take it briefly and never await inside it.
struct StateData: Sendable {
    var config: SimulatorConfig
    /// Bumped on every configuration change; invalidates cached answers.
    var configVersion = 0
    var clock = SimClock()
    var apiBase = ""
    var uploadBase = ""
    var fileBase = ""
    var faults: FaultEngine
    var balances: [String: Double]
    var generateWindows: [String: GenerateWindow] = [:]
    var tasks: [String: SimTask] = [:]
    var taskOrder: [String] = []
    var pending: Set<String> = []
    /// Result file name -> (taskId, variant index).
    var resultIndex: [String: (String, Int)] = [:]
    /// Market tasks (createTask/recordInfo), kept apart from the 4o ones: each family's read
    /// endpoint does not know the other's ids (docs/kie-market-api.md §3c). `taskOrder` holds both.
    var marketTasks: [String: MarketTask] = [:]
    var marketPending: Set<String> = []
    /// Market result file name (`/m/<name>`) -> (taskId, index).
    var marketResultIndex: [String: (String, Int)] = [:]
    /// Upload `filePath` -> file.
    var uploads: [String: StoredUpload] = [:]
    var requestCounts: [String: Int] = [:]
    var generateAccepted = 0
    /// generate / createTask requests refused by the account's rate window (429).
    var generateRateLimited = 0
    /// Every admitted generate and createTask, and refusals per account (`/_sim/stats`).
    var generateLog = GenerateLog()
    var fileRequests = 0
    var fileRequestsWithAuthorization = 0
    var fileLog: [FileRequestRecord] = []
    var callbacks: [CallbackRecord] = []
    var callbackFaults: CallbackFaultEngine
    var heldCallbacks: [HeldCallbacks] = []
    var outcomeRng: SplitMix64
    var durationRng: SplitMix64

    init(config: SimulatorConfig) {
        self.config = config
        faults = FaultEngine(rules: config.faults)
        callbackFaults = CallbackFaultEngine(rules: config.callbackFaults)
        balances = config.apiKeys
        outcomeRng = SplitMix64(seed: config.failureRates.seed)
        durationRng = SplitMix64(seed: config.generation?.seed ?? 7)
    }

    mutating func count(_ name: String) {
        requestCounts[name, default: 0] += 1
    }

    /// Tasks whose outcome is due and not yet announced; marks them announced and settles refunds.
    mutating func finalizeDue(nowMs: Int64) -> [SimTask] {
        guard !pending.isEmpty else { return [] }
        var done: [SimTask] = []
        for id in pending {
            guard var task = tasks[id], task.completeAtMs <= nowMs else { continue }
            task.finalized = true
            tasks[id] = task
            done.append(task)
            if task.outcome != .success && config.refundOnFailure {
                balances[task.apiKey, default: 0] += task.cost
            }
        }
        for task in done { pending.remove(task.taskId) }
        return done.sorted { $0.completeAtMs < $1.completeAtMs }
    }
}

/// Small LRU of encoded result images, keyed by (size, seed, format).
final class ImageCache: Sendable {
    private let store = Mutex<[(key: String, bytes: [UInt8])]>([])
    private let capacity = 24

    func image(size: String, seed: UInt64, format: ImageFormat) -> [UInt8]? {
        let key = "\(size)|\(seed)|\(format.rawValue)"
        if let hit = store.withLock({ entries -> [UInt8]? in
            guard let i = entries.firstIndex(where: { $0.key == key }) else { return nil }
            let entry = entries.remove(at: i)
            entries.append(entry)
            return entry.bytes
        }) {
            return hit
        }
        guard let bytes = ResultImage.encoded(size: size, seed: seed, format: format) else { return nil }
        store.withLock { entries in
            entries.append((key, bytes))
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
        return bytes
    }
}

