/// One fault-injection rule: which requests (`endpoint` + `match`) get which `action`.
///
/// ```json
/// {"endpoint": "generate", "match": {"nth": 2}, "action": {"reset": "after"}}
/// ```
public struct FaultRule: Codable, Sendable, Equatable {
    /// `generate`, `record-info`, `download-url`, `common-download-url`, `credit`, `jobs-createTask`,
    /// `jobs-recordInfo`, `upload-stream`, `upload-base64`, `upload-url`, `file`, or `*` for all of them.
    public var endpoint: String
    /// Which of the endpoint's requests fire; absent: every request.
    public var match: FaultMatch?
    public var action: FaultAction

    public init(endpoint: String, match: FaultMatch? = nil, action: FaultAction) {
        self.endpoint = endpoint
        self.match = match
        self.action = action
    }

    func problems() -> [String] {
        var out: [String] = []
        if endpoint != "*" && Endpoint(rawValue: endpoint) == nil {
            out.append("unknown endpoint \"\(endpoint)\"")
        }
        if let m = match { out.append(contentsOf: m.problems()) }
        out.append(contentsOf: action.problems())
        return out
    }
}

/// `{"nth": N}` (only the Nth request), `{"every": N}` (every Nth), `{"rate": 0.05, "seed": S}`
/// (each request with probability `rate`, reproducible with `seed`), `{"count": N}` (the first N).
/// Requests are counted per rule from the moment the rule is installed.
public struct FaultMatch: Codable, Sendable, Equatable {
    public var nth: Int?
    public var every: Int?
    public var rate: Double?
    public var seed: UInt64?
    public var count: Int?

    public init(nth: Int? = nil, every: Int? = nil, rate: Double? = nil, seed: UInt64? = nil, count: Int? = nil) {
        self.nth = nth
        self.every = every
        self.rate = rate
        self.seed = seed
        self.count = count
    }

    func problems() -> [String] {
        let set = [nth != nil, every != nil, rate != nil, count != nil].filter { $0 }.count
        if set > 1 { return ["match takes one of nth, every, rate, count"] }
        if let n = nth, n < 1 { return ["match.nth must be >= 1"] }
        if let n = every, n < 1 { return ["match.every must be >= 1"] }
        if let n = count, n < 0 { return ["match.count must be >= 0"] }
        if let r = rate, !(0...1).contains(r) { return ["match.rate must be within 0...1"] }
        return []
    }
}

/// What happens to a matching request. `latencyMs` may accompany any other action.
/// `process` says whether the request is carried out (task created and charged) before the fault
/// shapes the answer; its default depends on the action (see `processes`).
public struct FaultAction: Codable, Sendable, Equatable {
    /// Delay before the request is handled.
    public var latencyMs: Int?
    /// Answer HTTP 200 with `{"code": bodyCode, "msg": msg, "data": null}`.
    public var bodyCode: Int?
    public var msg: String?
    /// Answer with a real HTTP status (429, 500, 503, ...) and an envelope body carrying the same code.
    public var httpStatus: Int?
    /// Answer HTTP 200 with a body that is not JSON (a proxy's HTML page).
    public var malformed: Bool?
    /// Answer with the first half of the real body (correct Content-Length, so the JSON is cut).
    public var truncated: Bool?
    /// `before`: close the connection without answering, nothing done. `after`: carry the request
    /// out (a generate creates and charges the task), then close without answering.
    public var reset: String?
    /// Hold the answer this long (past a client's timeout), then send it.
    public var hangMs: Int?
    /// Send the head and the first half of the body (Content-Length of the whole), hold the rest
    /// this long, then send it: a transfer that stalls midway.
    public var stallMs: Int?
    /// Override whether the request is carried out.
    public var process: Bool?

    public init(latencyMs: Int? = nil, bodyCode: Int? = nil, msg: String? = nil, httpStatus: Int? = nil,
                malformed: Bool? = nil, truncated: Bool? = nil, reset: String? = nil, hangMs: Int? = nil,
                stallMs: Int? = nil, process: Bool? = nil) {
        self.latencyMs = latencyMs
        self.bodyCode = bodyCode
        self.msg = msg
        self.httpStatus = httpStatus
        self.malformed = malformed
        self.truncated = truncated
        self.reset = reset
        self.hangMs = hangMs
        self.stallMs = stallMs
        self.process = process
    }

    func problems() -> [String] {
        var out: [String] = []
        if let r = reset, r != "before" && r != "after" { out.append("action.reset must be before or after") }
        if let s = httpStatus, !(100...599).contains(s) { out.append("action.httpStatus must be 100...599") }
        if let l = latencyMs, !(0...86_400_000).contains(l) { out.append("action.latencyMs must be within 0...86400000") }
        if let h = hangMs, !(0...86_400_000).contains(h) { out.append("action.hangMs must be within 0...86400000") }
        if let h = stallMs, !(0...86_400_000).contains(h) { out.append("action.stallMs must be within 0...86400000") }
        let kinds = [bodyCode != nil, httpStatus != nil, malformed == true, truncated == true, reset != nil, hangMs != nil,
                     stallMs != nil]
        if kinds.filter({ $0 }).count > 1 {
            out.append("action takes one of bodyCode, httpStatus, malformed, truncated, reset, hangMs, stallMs (plus latencyMs)")
        }
        if !kinds.contains(true) && latencyMs == nil { out.append("action is empty") }
        return out
    }

    /// Whether the request is carried out: always for `reset: after`, never for `reset: before`;
    /// by default yes for `truncated`, `hangMs`, `stallMs` and plain latency, no for `bodyCode`, `httpStatus`
    /// and `malformed` (those answers come from in front of the service).
    public var processes: Bool {
        if reset == "after" { return true }
        if reset == "before" { return false }
        if let p = process { return p }
        if bodyCode != nil || httpStatus != nil || malformed == true { return false }
        return true
    }
}

/// The endpoints faults and statistics are kept for.
public enum Endpoint: String, Sendable, CaseIterable, Codable {
    case generate
    case recordInfo = "record-info"
    case downloadUrl = "download-url"
    case commonDownloadUrl = "common-download-url"
    case credit
    case uploadStream = "upload-stream"
    case uploadBase64 = "upload-base64"
    case uploadUrl = "upload-url"
    case file
    /// Market `POST /api/v1/jobs/createTask`.
    case createTask = "jobs-createTask"
    /// Market `GET /api/v1/jobs/recordInfo`.
    case marketRecordInfo = "jobs-recordInfo"
}

/// A deterministic generator (SplitMix64), so `rate` faults and failure draws repeat with a seed.
struct SplitMix64: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}

/// Decides, request by request, which rule fires. A pure value: the caller keeps it under its lock.
struct FaultEngine: Sendable {
    private(set) var rules: [FaultRule]
    private var counters: MatchCounters

    init(rules: [FaultRule]) {
        self.rules = rules
        counters = MatchCounters(rules.map(\.match))
    }

    /// Counts the request against every rule for its endpoint and returns the first that fires.
    mutating func decide(_ endpoint: Endpoint) -> FaultAction? {
        var fired: FaultAction?
        for i in rules.indices where rules[i].endpoint == "*" || rules[i].endpoint == endpoint.rawValue {
            if counters.count(i, rules[i].match) && fired == nil { fired = rules[i].action }
        }
        return fired
    }
}

/// Per-rule event counts and `rate` generators, for request and callback fault rules alike.
struct MatchCounters: Sendable {
    private var counts: [Int]
    private var generators: [SplitMix64]

    init(_ matches: [FaultMatch?]) {
        counts = Array(repeating: 0, count: matches.count)
        generators = matches.map { SplitMix64(seed: $0?.seed ?? 1) }
    }

    /// Counts one event against rule `i` and says whether its `match` fires (none: every event).
    mutating func count(_ i: Int, _ match: FaultMatch?) -> Bool {
        counts[i] += 1
        let n = counts[i]
        guard let m = match else { return true }
        if let nth = m.nth { return n == nth }
        if let every = m.every { return n % every == 0 }
        if let count = m.count { return n <= count }
        if let rate = m.rate { return generators[i].nextUnit() < rate }
        return true
    }
}
