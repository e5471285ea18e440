import FoundationEssentials

/// Everything the simulator can be told, by `kie-sim` flags, a JSON file (same keys, all optional)
/// or `POST /_sim/config`. Where `spec/kie-api.md` marks a point [INFERRED] or uncertain, there is a
/// key for each side, and the default is the side the spec leans to.
public struct SimulatorConfig: Codable, Sendable, Equatable {
    // MARK: listeners (loopback only)
    /// Interface to bind. Only loopback addresses are accepted; anything else falls back to 127.0.0.1.
    public var host: String = "127.0.0.1"
    /// API listener port; 0 picks a free port.
    public var port: Int = 0
    /// Upload host listener port (kie's `kieai.redpandaai.co`, §6); 0 picks a free port.
    public var uploadPort: Int = 0
    /// File host listener port (results and uploads, like `tempfile.aiquickdraw.com`); 0 picks a free port.
    public var filePort: Int = 0

    // MARK: accounts
    /// API key -> starting credits.
    public var apiKeys: [String: Double] = ["sim-key": 1000]
    /// Credits charged per variant on an accepted generate (4o per-image price is unknown, §5).
    public var creditsPerVariant: Double = 6
    /// Give the credits back when a task fails. [INFERRED]
    public var refundOnFailure: Bool = true
    /// Account number used in upload `filePath` (`kieai/<accountId>/...`, §6).
    public var accountId: Int = 136592

    // MARK: task lifecycle
    /// Fixed generation time when `generation` is not set (a real 1:1 text job took ~18 s, §2e).
    public var generationMs: Int = 18000
    /// Optional distribution of generation times; overrides `generationMs`.
    public var generation: GenerationDistribution? = nil
    /// `steady`: progress advances with time ("0.00"..."1.00"); `jump`: stays "0.00" then jumps to
    /// "1.00" as in the real run (§2a).
    public var progressMode: ProgressMode = .steady
    /// Key of the result list in record-info `response`: `resultUrls` (spec, real) or
    /// `result_urls` (quickstart), §2d.
    public var resultUrlsKey: String = "resultUrls"
    /// Probability per task of each failure kind, drawn at creation.
    public var failureRates: FailureRates = FailureRates()
    /// `successFlag` for CREATE_TASK_FAILED ([INFERRED] 2, §2b).
    public var createTaskFailedFlag: Int = 2
    /// `successFlag` for GENERATE_FAILED ([INFERRED] 3, §2b).
    public var generateFailedFlag: Int = 3
    /// Type of `errorCode` on failure: `int` (spec) or `string` (one SDK's typing), §2a.
    public var errorCodeType: String = "int"
    /// `response` of a failed task: `null` or `emptyList` (`{"resultUrls":[]}`, quickstart only), §2d.
    public var failureResponse: String = "null"
    /// `createTime`/`completeTime` as `ms` epochs (spec, real) or `string` "yyyy-MM-dd HH:mm:ss" (quickstart), §2d.
    public var timeFormat: String = "ms"
    /// Leave `status` out while generating, as the quickstart's example does (§2d).
    public var omitStatusWhileGenerating: Bool = false
    /// Round createTime/completeTime to whole seconds, as the real values are (§2c).
    public var roundTimesToSeconds: Bool = true
    /// Unknown taskId on 4o record-info: `recorded` (HTTP 200, body code 422 "The record does not
    /// exist", as recorded in 2026-06; docs/kie-api.md), `404` (body code 404 "record is null", the
    /// earlier simulator) or `nullData` (code 200, data null). 4o download-url answers 422 "record
    /// is null" for an unknown id in every mode (recorded 2026-08).
    public var unknownTaskMode: String = "recorded"
    /// The 401 answer (never a `data` key): `access` ("You do not have access permissions") or
    /// `gateway` (the newer gateway's "Unauthorized – Authentication failed. ..." text, recorded
    /// 2026-08; docs/kie-api.md).
    public var unauthorizedStyle: String = "access"
    /// nVariants: `validate` (enum 1/2/4, 2025-12 spec) or `ignore` (dropped from the 2026-04 spec: any
    /// value accepted, one image), §1a.
    public var nVariantsMode: String = "validate"
    /// Honour `[sim:...]` directives in prompts (see `--help`), for forcing outcomes offline.
    public var promptDirectives: Bool = true

    // MARK: Market API (docs/kie-market-api.md)
    /// recordInfo `data` shape: `2026-04` (no creditsConsumed), `2026-08` (+ creditsConsumed) or
    /// `2026-09` (+ operationType, successFlag, paramJson, and `response` on success).
    public var marketRecordShape: String = "2026-09"
    /// Fixed generation time of Market tasks; nil: the 4o settings (`generation`, `generationMs`).
    public var marketGenerationMs: Int? = nil
    /// How long a Market task shows `waiting` before `generating` (a task done sooner goes from
    /// `waiting` straight to its end, as some real ones did).
    public var marketWaitingMs: Int = 2000
    /// The first N recordInfo calls of each fresh Market task answer "recordInfo is null" (the
    /// transient not-found some clients report right after createTask).
    public var marketTransientNotFound: Int = 0
    /// Price of a Market model the simulator has no table row for.
    public var marketDefaultCredits: Double = 6
    /// Largest side of a rendered Market result: 4K results are drawn smaller, same aspect ratio.
    public var marketMaxImageSide: Int = 2560

    // MARK: rate limits
    /// Accepted generate requests per rolling window per key (§7); beyond: 429, dropped.
    public var generateLimit: RateLimit = RateLimit(requests: 20, perMs: 10000)
    /// record-info requests per task per second (§2); 0 disables.
    public var recordInfoPerTaskPerSecond: Int = 3
    /// How a rate limit answers: `body` (HTTP 200, body code 429) or `http` (a real HTTP 429), §1.
    public var rateLimitStyle: String = "body"
    /// HTTP status of error answers: `200` (real, §1) or `mirror` (HTTP status = body code).
    public var errorHttpStatus: String = "200"

    // MARK: callbacks (§3)
    /// HMAC key; when set every callback carries X-Webhook-Timestamp and X-Webhook-Signature (§3a).
    public var webhookKey: String? = nil
    public var callbackTimeoutMs: Int = 15000
    /// Retries after the first attempt ("stops after 3 consecutive failed retries").
    public var callbackRetries: Int = 3
    public var callbackRetryDelayMs: Int = 1000
    /// Extra deliveries of the same callback ("the same taskId may receive multiple callbacks").
    public var callbackDuplicates: Int = 0
    /// `msg` of a success callback (`success`; an older doc shows "Gpt4o-image generated successfully.").
    public var callbackSuccessMsg: String = "success"
    /// Where the callback body carries the taskId: `data` (`data.taskId`, 4o doc) or `all`
    /// (also `data.task_id` and top-level `taskId`, as the webhook guide's example), §3a.
    public var callbackTaskIdStyle: String = "data"
    /// Callbacks go to loopback URLs only unless this is true.
    public var allowNonLoopbackCallbacks: Bool = false

    // MARK: files and clock (§4, §6, §7)
    public var resultRetentionMs: Int64 = 14 * 86_400_000
    public var downloadUrlTtlMs: Int64 = 1_200_000
    public var uploadRetentionMs: Int64 = 86_400_000
    /// Largest request body accepted; beyond it, HTTP 413.
    public var maxBodyBytes: Int = 32 * 1024 * 1024

    // MARK: faults
    public var faults: [FaultRule] = []

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, uploadPort, filePort, apiKeys, creditsPerVariant, refundOnFailure, accountId
        case generationMs, generation, progressMode, resultUrlsKey, failureRates, createTaskFailedFlag
        case generateFailedFlag, errorCodeType, failureResponse, timeFormat, omitStatusWhileGenerating
        case roundTimesToSeconds, unknownTaskMode, unauthorizedStyle, nVariantsMode, promptDirectives, generateLimit
        case recordInfoPerTaskPerSecond, rateLimitStyle, errorHttpStatus, webhookKey, callbackTimeoutMs
        case callbackRetries, callbackRetryDelayMs, callbackDuplicates, callbackSuccessMsg
        case callbackTaskIdStyle, allowNonLoopbackCallbacks, resultRetentionMs, downloadUrlTtlMs
        case uploadRetentionMs, maxBodyBytes, faults
        case marketRecordShape, marketGenerationMs, marketWaitingMs, marketTransientNotFound, marketDefaultCredits
        case marketMaxImageSide
    }

    /// Names of every key, for rejecting unknown ones in files and admin calls.
    public static var keyNames: [String] { CodingKeys.allCases.map(\.stringValue) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SimulatorConfig()
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        host = try v(.host, d.host)
        port = try v(.port, d.port)
        uploadPort = try v(.uploadPort, d.uploadPort)
        filePort = try v(.filePort, d.filePort)
        apiKeys = try v(.apiKeys, d.apiKeys)
        creditsPerVariant = try v(.creditsPerVariant, d.creditsPerVariant)
        refundOnFailure = try v(.refundOnFailure, d.refundOnFailure)
        accountId = try v(.accountId, d.accountId)
        generationMs = try v(.generationMs, d.generationMs)
        generation = try c.decodeIfPresent(GenerationDistribution.self, forKey: .generation)
        progressMode = try v(.progressMode, d.progressMode)
        resultUrlsKey = try v(.resultUrlsKey, d.resultUrlsKey)
        failureRates = try v(.failureRates, d.failureRates)
        createTaskFailedFlag = try v(.createTaskFailedFlag, d.createTaskFailedFlag)
        generateFailedFlag = try v(.generateFailedFlag, d.generateFailedFlag)
        errorCodeType = try v(.errorCodeType, d.errorCodeType)
        failureResponse = try v(.failureResponse, d.failureResponse)
        timeFormat = try v(.timeFormat, d.timeFormat)
        omitStatusWhileGenerating = try v(.omitStatusWhileGenerating, d.omitStatusWhileGenerating)
        roundTimesToSeconds = try v(.roundTimesToSeconds, d.roundTimesToSeconds)
        unknownTaskMode = try v(.unknownTaskMode, d.unknownTaskMode)
        unauthorizedStyle = try v(.unauthorizedStyle, d.unauthorizedStyle)
        nVariantsMode = try v(.nVariantsMode, d.nVariantsMode)
        promptDirectives = try v(.promptDirectives, d.promptDirectives)
        generateLimit = try v(.generateLimit, d.generateLimit)
        recordInfoPerTaskPerSecond = try v(.recordInfoPerTaskPerSecond, d.recordInfoPerTaskPerSecond)
        rateLimitStyle = try v(.rateLimitStyle, d.rateLimitStyle)
        errorHttpStatus = try v(.errorHttpStatus, d.errorHttpStatus)
        webhookKey = try c.decodeIfPresent(String.self, forKey: .webhookKey)
        callbackTimeoutMs = try v(.callbackTimeoutMs, d.callbackTimeoutMs)
        callbackRetries = try v(.callbackRetries, d.callbackRetries)
        callbackRetryDelayMs = try v(.callbackRetryDelayMs, d.callbackRetryDelayMs)
        callbackDuplicates = try v(.callbackDuplicates, d.callbackDuplicates)
        callbackSuccessMsg = try v(.callbackSuccessMsg, d.callbackSuccessMsg)
        callbackTaskIdStyle = try v(.callbackTaskIdStyle, d.callbackTaskIdStyle)
        allowNonLoopbackCallbacks = try v(.allowNonLoopbackCallbacks, d.allowNonLoopbackCallbacks)
        resultRetentionMs = try v(.resultRetentionMs, d.resultRetentionMs)
        downloadUrlTtlMs = try v(.downloadUrlTtlMs, d.downloadUrlTtlMs)
        uploadRetentionMs = try v(.uploadRetentionMs, d.uploadRetentionMs)
        maxBodyBytes = try v(.maxBodyBytes, d.maxBodyBytes)
        faults = try v(.faults, d.faults)
        marketRecordShape = try v(.marketRecordShape, d.marketRecordShape)
        marketGenerationMs = try c.decodeIfPresent(Int.self, forKey: .marketGenerationMs)
        marketWaitingMs = try v(.marketWaitingMs, d.marketWaitingMs)
        marketTransientNotFound = try v(.marketTransientNotFound, d.marketTransientNotFound)
        marketDefaultCredits = try v(.marketDefaultCredits, d.marketDefaultCredits)
        marketMaxImageSide = try v(.marketMaxImageSide, d.marketMaxImageSide)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(port, forKey: .port)
        try c.encode(uploadPort, forKey: .uploadPort)
        try c.encode(filePort, forKey: .filePort)
        try c.encode(apiKeys, forKey: .apiKeys)
        try c.encode(creditsPerVariant, forKey: .creditsPerVariant)
        try c.encode(refundOnFailure, forKey: .refundOnFailure)
        try c.encode(accountId, forKey: .accountId)
        try c.encode(generationMs, forKey: .generationMs)
        try c.encodeIfPresent(generation, forKey: .generation)
        try c.encode(progressMode, forKey: .progressMode)
        try c.encode(resultUrlsKey, forKey: .resultUrlsKey)
        try c.encode(failureRates, forKey: .failureRates)
        try c.encode(createTaskFailedFlag, forKey: .createTaskFailedFlag)
        try c.encode(generateFailedFlag, forKey: .generateFailedFlag)
        try c.encode(errorCodeType, forKey: .errorCodeType)
        try c.encode(failureResponse, forKey: .failureResponse)
        try c.encode(timeFormat, forKey: .timeFormat)
        try c.encode(omitStatusWhileGenerating, forKey: .omitStatusWhileGenerating)
        try c.encode(roundTimesToSeconds, forKey: .roundTimesToSeconds)
        try c.encode(unknownTaskMode, forKey: .unknownTaskMode)
        try c.encode(unauthorizedStyle, forKey: .unauthorizedStyle)
        try c.encode(nVariantsMode, forKey: .nVariantsMode)
        try c.encode(promptDirectives, forKey: .promptDirectives)
        try c.encode(generateLimit, forKey: .generateLimit)
        try c.encode(recordInfoPerTaskPerSecond, forKey: .recordInfoPerTaskPerSecond)
        try c.encode(rateLimitStyle, forKey: .rateLimitStyle)
        try c.encode(errorHttpStatus, forKey: .errorHttpStatus)
        try c.encodeIfPresent(webhookKey, forKey: .webhookKey)
        try c.encode(callbackTimeoutMs, forKey: .callbackTimeoutMs)
        try c.encode(callbackRetries, forKey: .callbackRetries)
        try c.encode(callbackRetryDelayMs, forKey: .callbackRetryDelayMs)
        try c.encode(callbackDuplicates, forKey: .callbackDuplicates)
        try c.encode(callbackSuccessMsg, forKey: .callbackSuccessMsg)
        try c.encode(callbackTaskIdStyle, forKey: .callbackTaskIdStyle)
        try c.encode(allowNonLoopbackCallbacks, forKey: .allowNonLoopbackCallbacks)
        try c.encode(resultRetentionMs, forKey: .resultRetentionMs)
        try c.encode(downloadUrlTtlMs, forKey: .downloadUrlTtlMs)
        try c.encode(uploadRetentionMs, forKey: .uploadRetentionMs)
        try c.encode(maxBodyBytes, forKey: .maxBodyBytes)
        try c.encode(faults, forKey: .faults)
        try c.encode(marketRecordShape, forKey: .marketRecordShape)
        try c.encodeIfPresent(marketGenerationMs, forKey: .marketGenerationMs)
        try c.encode(marketWaitingMs, forKey: .marketWaitingMs)
        try c.encode(marketTransientNotFound, forKey: .marketTransientNotFound)
        try c.encode(marketDefaultCredits, forKey: .marketDefaultCredits)
        try c.encode(marketMaxImageSide, forKey: .marketMaxImageSide)
    }

    /// Problems that make a configuration unusable, in words; empty when it is fine.
    public func problems() -> [String] {
        var out: [String] = []
        func oneOf(_ name: String, _ value: String, _ allowed: [String]) {
            if !allowed.contains(value) {
                out.append("\(name) must be one of \(allowed.joined(separator: ", ")) (got \"\(value)\")")
            }
        }
        oneOf("resultUrlsKey", resultUrlsKey, ["resultUrls", "result_urls"])
        oneOf("errorCodeType", errorCodeType, ["int", "string"])
        oneOf("failureResponse", failureResponse, ["null", "emptyList"])
        oneOf("timeFormat", timeFormat, ["ms", "string"])
        oneOf("unknownTaskMode", unknownTaskMode, ["recorded", "404", "nullData"])
        oneOf("unauthorizedStyle", unauthorizedStyle, ["access", "gateway"])
        oneOf("nVariantsMode", nVariantsMode, ["validate", "ignore"])
        oneOf("rateLimitStyle", rateLimitStyle, ["body", "http"])
        oneOf("errorHttpStatus", errorHttpStatus, ["200", "mirror"])
        oneOf("callbackTaskIdStyle", callbackTaskIdStyle, ["data", "all"])
        for (name, port) in [("port", port), ("uploadPort", uploadPort), ("filePort", filePort)]
        where !(0...65535).contains(port) {
            out.append("\(name) must be 0...65535")
        }
        // Bounds keep every duration and sum far from integer overflow, whatever a file says.
        let day = 86_400_000
        if !(0...(365 * day)).contains(generationMs) { out.append("generationMs must be within 0...31536000000") }
        for (name, value) in [("callbackTimeoutMs", callbackTimeoutMs), ("callbackRetryDelayMs", callbackRetryDelayMs),
                              ("generateLimit.perMs", generateLimit.perMs)]
        where value > day {
            out.append("\(name) must be at most one day")
        }
        if callbackRetries > 100 || callbackDuplicates > 100 { out.append("callbackRetries and callbackDuplicates must be at most 100") }
        for (name, value) in [("resultRetentionMs", resultRetentionMs), ("downloadUrlTtlMs", downloadUrlTtlMs),
                              ("uploadRetentionMs", uploadRetentionMs)]
        where !(0...(36_500 * Int64(day))).contains(value) {
            out.append("\(name) must be within 0...100 years")
        }
        if let g = generation { out.append(contentsOf: g.problems()) }
        oneOf("marketRecordShape", marketRecordShape, ["2026-04", "2026-08", "2026-09"])
        if let m = marketGenerationMs, !(0...(365 * day)).contains(m) { out.append("marketGenerationMs must be within 0...31536000000") }
        if !(0...(365 * day)).contains(marketWaitingMs) { out.append("marketWaitingMs must be within 0...31536000000") }
        if !(0...1000).contains(marketTransientNotFound) { out.append("marketTransientNotFound must be within 0...1000") }
        if !(marketDefaultCredits.isFinite && (0...1_000_000).contains(marketDefaultCredits)) {
            out.append("marketDefaultCredits must be within 0...1000000")
        }
        if !(16...8192).contains(marketMaxImageSide) { out.append("marketMaxImageSide must be within 16...8192") }
        if generateLimit.requests < 0 || generateLimit.perMs < 0 { out.append("generateLimit must not be negative") }
        if recordInfoPerTaskPerSecond < 0 { out.append("recordInfoPerTaskPerSecond must be >= 0") }
        if callbackRetries < 0 || callbackTimeoutMs < 0 || callbackRetryDelayMs < 0 || callbackDuplicates < 0 {
            out.append("callback settings must not be negative")
        }
        if maxBodyBytes < 1024 { out.append("maxBodyBytes must be >= 1024") }
        for (i, rule) in faults.enumerated() {
            out.append(contentsOf: rule.problems().map { "faults[\(i)]: \($0)" })
        }
        return out
    }

    /// Decodes a configuration from JSON text; unknown keys are refused so that typos are seen.
    public static func decode(json bytes: [UInt8]) -> Result<SimulatorConfig, ConfigError> {
        merge(SimulatorConfig(), with: bytes)
    }

    /// `base` with the top-level keys of `bytes` replaced.
    public static func merge(_ base: SimulatorConfig, with bytes: [UInt8]) -> Result<SimulatorConfig, ConfigError> {
        let patch: JSONValue
        switch JSONParser.parse(bytes) {
        case .success(let v): patch = v
        case .failure(let e): return .failure(ConfigError(message: "config is not valid JSON: \(e.reason) at byte \(e.offset)"))
        }
        guard let members = patch.objectValue else { return .failure(ConfigError(message: "config must be a JSON object")) }
        let known = Set(keyNames)
        if let unknown = members.first(where: { !known.contains($0.0) }) {
            return .failure(ConfigError(message: "unknown config key \"\(unknown.0)\""))
        }
        do {
            let baseBytes = try JSONEncoder().encode(base)
            guard case .success(.object(var merged)) = JSONParser.parse(Array(baseBytes)) else {
                return .failure(ConfigError(message: "internal: config did not encode"))
            }
            // A null value puts the key back to its default.
            for (key, value) in members {
                merged.removeAll { $0.0 == key }
                if !value.isNull { merged.append((key, value)) }
            }
            let config = try JSONDecoder().decode(SimulatorConfig.self, from: Data(JSONValue.object(merged).serialized.utf8))
            let problems = config.problems()
            if !problems.isEmpty { return .failure(ConfigError(message: problems.joined(separator: "; "))) }
            return .success(config)
        } catch {
            return .failure(ConfigError(message: "config has a wrong type: \(ConfigError.describe(error))"))
        }
    }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")) expected \(type)"
        case DecodingError.valueNotFound(let type, let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")) missing \(type)"
        case DecodingError.keyNotFound(let key, let ctx):
            return "\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is required"
        case DecodingError.dataCorrupted(let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

public enum ProgressMode: String, Codable, Sendable {
    case steady, jump
}

public struct RateLimit: Codable, Sendable, Equatable {
    public var requests: Int
    public var perMs: Int
    public init(requests: Int, perMs: Int) {
        self.requests = requests
        self.perMs = perMs
    }
}

/// Per-task failure probabilities, drawn when the task is created (deterministic with `seed`).
public struct FailureRates: Codable, Sendable, Equatable {
    /// CREATE_TASK_FAILED (`successFlag` = createTaskFailedFlag).
    public var createTaskFailed: Double = 0
    /// GENERATE_FAILED with one of the documented errorCode/errorMessage pairs (§2a).
    public var generateFailed: Double = 0
    /// The observed variant: successFlag 3, errorMessage "Internal Error", errorCode null (§2b).
    public var internalError: Double = 0
    public var seed: UInt64 = 42

    public init(createTaskFailed: Double = 0, generateFailed: Double = 0, internalError: Double = 0, seed: UInt64 = 42) {
        self.createTaskFailed = createTaskFailed
        self.generateFailed = generateFailed
        self.internalError = internalError
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        createTaskFailed = try c.decodeIfPresent(Double.self, forKey: .createTaskFailed) ?? 0
        generateFailed = try c.decodeIfPresent(Double.self, forKey: .generateFailed) ?? 0
        internalError = try c.decodeIfPresent(Double.self, forKey: .internalError) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 42
    }
}

/// Generation time: `{"kind":"fixed","ms":..}`, `{"kind":"uniform","minMs":..,"maxMs":..}` or
/// `{"kind":"lognormal","medianMs":..,"p95Ms":..,"seed":..}`.
public struct GenerationDistribution: Codable, Sendable, Equatable {
    public var kind: String
    public var ms: Int?
    public var minMs: Int?
    public var maxMs: Int?
    public var medianMs: Int?
    public var p95Ms: Int?
    public var seed: UInt64?

    public init(kind: String, ms: Int? = nil, minMs: Int? = nil, maxMs: Int? = nil, medianMs: Int? = nil,
                p95Ms: Int? = nil, seed: UInt64? = nil) {
        self.kind = kind
        self.ms = ms
        self.minMs = minMs
        self.maxMs = maxMs
        self.medianMs = medianMs
        self.p95Ms = p95Ms
        self.seed = seed
    }

    static let maxMs = 365 * 86_400_000

    func problems() -> [String] {
        switch kind {
        case "fixed": return (0...Self.maxMs).contains(ms ?? -1) ? [] : ["generation.ms is required for kind fixed (0...1 year)"]
        case "uniform":
            guard let lo = minMs, let hi = maxMs, lo >= 0, hi >= lo, hi <= Self.maxMs else {
                return ["generation needs 0 <= minMs <= maxMs for kind uniform"]
            }
            return []
        case "lognormal":
            guard let m = medianMs, let p = p95Ms, m > 0, p >= m, p <= Self.maxMs else {
                return ["generation needs 0 < medianMs <= p95Ms for kind lognormal"]
            }
            return []
        default: return ["generation.kind must be fixed, uniform or lognormal"]
        }
    }
}
