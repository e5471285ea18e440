import FoundationEssentials

/// Client configuration (docs/c-api.md, "Config JSON"). Every key is optional; unknown keys are
/// rejected by name so a typo never silently falls back to a default.
public struct ClientConfig: Sendable {
    public var apiKey: String
    public var baseUrl: String = "https://api.kie.ai"
    public var uploadBaseUrl: String = "https://kieai.redpandaai.co"
    public var requestTimeoutMs: Int64 = 30_000
    public var connectTimeoutMs: Int64 = 10_000
    public var retry = RetryPolicy()
    public var poll = PollSettings()
    public var rateLimit = RateLimitSettings()
    public var userAgent: String = "kieimage/\(KieImageVersion.string)"
    public var webhookKey: String?
    public var journalPath: String?
    public var delivery: String = "thread"
    public var logLevel: String = "info"
    /// Credit budget of the client's generates (docs/inputs-proxies-budget.md, "Budget"); nil: no limit.
    public var maxCredits: Double?
    /// Spend counts from this ISO date (`budgetSinceMs`, wall-clock ms); nil: everything counted.
    public var budgetSince: String?
    public var budgetSinceMs: Int64?
    /// The `proxy` key as given; `proxies` is what applies, with the environment's variables.
    public var proxy: String?
    public var proxies = ProxySettings()
    /// Waits expect a callback (a receiver calls `deliver`): polling is a safety net (docs/webhooks.md).
    public var callbacks = false
    /// The shared ledger (config `ledger` or env `KIE_LEDGER`; docs/ledger.md); nil: none.
    public var ledger: LedgerURL?
    /// How long this process's lease on its ledger rows lasts unrenewed.
    public var ledgerLeaseMs: Int64 = 30_000

    public init(apiKey: String) { self.apiKey = apiKey }

    static let topKeys: Set<String> = [
        "apiKey", "baseUrl", "uploadBaseUrl", "requestTimeoutMs", "connectTimeoutMs", "maxRetries", "retryBaseMs",
        "retryMaxMs", "poll", "rateLimit", "userAgent", "webhookKey", "journalPath", "delivery", "logLevel", "callbacks",
    ]
    static let pollKeys: Set<String> = ["initialMs", "maxMs", "multiplier", "deadlineMs"]
    static let rateKeys: Set<String> = ["requests", "perMs"]
    static let logLevels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical", "off"]

    /// Parses config JSON; `env` (see `environment()`) supplies `KIE_API_KEY`, `KIE_BASE_URL`,
    /// `KIE_UPLOAD_BASE_URL` and `KIE_WEBHOOK_KEY` when the keys are absent.
    public static func parse(json text: String, env: [String: String]) throws(KieError) -> ClientConfig {
        let o: JSONObject
        do { o = try JSON.parseObject(text.isEmpty ? "{}" : text, what: "config") } catch {
            throw .invalidArgument("config: \(error.description)")
        }
        for key in o.keys where !topKeys.contains(key) && !limitKeys.contains(key) && !ledgerKeys.contains(key) { throw .invalidArgument("config: unknown key '\(key)'", field: key) }
        let r = ConfigReader(o, prefix: "")
        guard let key = try r.string("apiKey") ?? env["KIE_API_KEY"], !key.isEmpty else {
            throw .invalidArgument("config: apiKey is missing (set apiKey or KIE_API_KEY)", field: "apiKey")
        }
        // The key goes into an HTTP header: no spaces, control characters or non-ASCII.
        guard key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidArgument("config: apiKey holds characters an HTTP header cannot carry", field: "apiKey")
        }
        var c = ClientConfig(apiKey: key)
        if let v = try r.string("baseUrl") ?? env["KIE_BASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) { c.baseUrl = v }
        if let v = try r.string("uploadBaseUrl") ?? env["KIE_UPLOAD_BASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) { c.uploadBaseUrl = v }
        for (name, url) in [("baseUrl", c.baseUrl), ("uploadBaseUrl", c.uploadBaseUrl)] where URLParts(url) == nil {
            throw .invalidArgument("config: \(name) must be an absolute http(s) URL", field: name)
        }
        c.baseUrl = trimSlash(c.baseUrl)
        c.uploadBaseUrl = trimSlash(c.uploadBaseUrl)
        if let v = try r.int("requestTimeoutMs", min: 1) { c.requestTimeoutMs = v }
        if let v = try r.int("connectTimeoutMs", min: 1) { c.connectTimeoutMs = v }
        if let v = try r.int("maxRetries", min: 0, max: 100) { c.retry.maxRetries = Int(v) }
        if let v = try r.int("retryBaseMs", min: 0) { c.retry.baseMs = v }
        if let v = try r.int("retryMaxMs", min: 0) { c.retry.capMs = v }
        if let p = try r.object("poll") {
            for key in p.keys where !pollKeys.contains(key) { throw .invalidArgument("config: unknown key 'poll.\(key)'", field: "poll.\(key)") }
            let pr = ConfigReader(p, prefix: "poll.")
            if let v = try pr.int("initialMs", min: 0) { c.poll.initialMs = v }
            if let v = try pr.int("maxMs", min: 1) { c.poll.maxMs = v }
            if let v = try pr.double("multiplier", min: 1) { c.poll.multiplier = v }
            if let v = try pr.int("deadlineMs", min: 1) { c.poll.deadlineMs = v }
        }
        if let p = try r.object("rateLimit") {
            for key in p.keys where !rateKeys.contains(key) { throw .invalidArgument("config: unknown key 'rateLimit.\(key)'", field: "rateLimit.\(key)") }
            let pr = ConfigReader(p, prefix: "rateLimit.")
            if let v = try pr.int("requests", min: 0, max: 1_000_000) { c.rateLimit.requests = Int(v) }
            if let v = try pr.int("perMs", min: 1) { c.rateLimit.perMs = v }
        }
        if let v = try r.string("userAgent") { c.userAgent = v }
        c.webhookKey = try r.string("webhookKey") ?? env["KIE_WEBHOOK_KEY"]
        c.journalPath = try r.string("journalPath")
        if let v = try r.string("delivery") {
            guard v == "thread" || v == "queue" else { throw .invalidArgument("config: delivery must be \"thread\" or \"queue\"", field: "delivery") }
            c.delivery = v
        }
        if let v = try r.string("logLevel") {
            guard logLevels.contains(v) else { throw .invalidArgument("config: unknown logLevel '\(v)'", field: "logLevel") }
            c.logLevel = v
        }
        try c.parseLimits(o, env: env)
        try c.parseLedger(o, env: env)
        if let v = o["callbacks"], !v.isNull {
            guard let b = v.boolValue else { throw .invalidArgument("config: callbacks must be true or false", field: "callbacks") }
            c.callbacks = b
        }
        return c
    }

    static func trimSlash(_ s: String) -> String {
        var s = s
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// Typed reads of config keys, each error naming the key.
struct ConfigReader {
    let o: JSONObject
    let prefix: String
    init(_ o: JSONObject, prefix: String) { self.o = o; self.prefix = prefix }

    func string(_ key: String) throws(KieError) -> String? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw .invalidArgument("config: \(prefix)\(key) must be a string", field: prefix + key) }
        return s
    }

    func int(_ key: String, min: Int64, max: Int64 = 86_400_000 * 365) throws(KieError) -> Int64? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let i = v.int64Value, v.stringValue == nil, i >= min, i <= max else {
            throw .invalidArgument("config: \(prefix)\(key) must be an integer between \(min) and \(max)", field: prefix + key)
        }
        return i
    }

    func double(_ key: String, min: Double) throws(KieError) -> Double? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let d = v.doubleValue, v.stringValue == nil, d.isFinite, d >= min, d <= 100 else {
            throw .invalidArgument("config: \(prefix)\(key) must be a number between \(min) and 100", field: prefix + key)
        }
        return d
    }

    func object(_ key: String) throws(KieError) -> JSONObject? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let obj = v.objectValue else { throw .invalidArgument("config: \(prefix)\(key) must be an object", field: prefix + key) }
        return obj
    }
}
