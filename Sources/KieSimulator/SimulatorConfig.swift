import FoundationEssentials

/// Everything the simulator can be told, by `kie-sim` flags, a JSON file (same keys, all optional)
/// or `POST /_sim/config`. Where `docs/kie-api.md` marks a point [INFERRED] or uncertain, there is a
/// key for each side, and the default is the side the spec leans to.
public struct SimulatorConfig: Codable, Sendable, Equatable {
    // MARK: listeners (loopback only)
    /// Interface to bind. Only loopback addresses are accepted; anything else falls back to 127.0.0.1.
    public var host: String = "127.0.0.1"
    /// API listener port; 0 picks a free port.
    public var port: Int = 0
    /// Upload host listener port (kie's `kieai.redpandaai.co`, docs/kie-api.md §6); 0 picks a free port.
    public var uploadPort: Int = 0
    /// File host listener port (results and uploads, like `tempfile.aiquickdraw.com`); 0 picks a free port.
    public var filePort: Int = 0

    // MARK: accounts
    /// API key -> starting credits.
    public var apiKeys: [String: Double] = ["sim-key": 1000]
    /// Credits charged per variant on an accepted generate (4o per-image price is unknown, docs/kie-api.md §5).
    public var creditsPerVariant: Double = 6
    /// Give the credits back when a task fails. [INFERRED]
    public var refundOnFailure: Bool = true
    /// Account number used in upload `filePath` (`kieai/<accountId>/...`, docs/kie-api.md §6).
    public var accountId: Int = 136592

    // MARK: task lifecycle
    /// Fixed generation time when `generation` is not set (a real 1:1 text job took ~18 s, docs/kie-api.md §2e).
    public var generationMs: Int = 18000
    /// Optional distribution of generation times; overrides `generationMs`.
    public var generation: GenerationDistribution? = nil
    /// `steady`: progress advances with time ("0.00"..."1.00"); `jump`: stays "0.00" then jumps to
    /// "1.00" as in the real run (docs/kie-api.md §2a).
    public var progressMode: ProgressMode = .steady
    /// Key of the result list in record-info `response`: `resultUrls` (docs/kie-api.md, real traffic) or
    /// `result_urls` (quickstart), docs/kie-api.md §2d.
    public var resultUrlsKey: String = "resultUrls"
    /// Probability per task of each failure kind, drawn at creation.
    public var failureRates: FailureRates = FailureRates()
    /// `successFlag` for CREATE_TASK_FAILED ([INFERRED] 2, docs/kie-api.md §2b).
    public var createTaskFailedFlag: Int = 2
    /// `successFlag` for GENERATE_FAILED ([INFERRED] 3, docs/kie-api.md §2b).
    public var generateFailedFlag: Int = 3
    /// Type of `errorCode` on failure: `int` (docs/kie-api.md) or `string` (one SDK's typing), docs/kie-api.md §2a.
    public var errorCodeType: String = "int"
    /// `response` of a failed task: `null` or `emptyList` (`{"resultUrls":[]}`, quickstart only), docs/kie-api.md §2d.
    public var failureResponse: String = "null"
    /// `createTime`/`completeTime` as `ms` epochs (docs/kie-api.md, real traffic) or `string` "yyyy-MM-dd HH:mm:ss" (quickstart), docs/kie-api.md §2d.
    public var timeFormat: String = "ms"
    /// Leave `status` out while generating, as the quickstart's example does (docs/kie-api.md §2d).
    public var omitStatusWhileGenerating: Bool = false
    /// Round createTime/completeTime to whole seconds, as the real values are (docs/kie-api.md §2c).
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
    /// value accepted, one image), docs/kie-api.md §1a.
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
    /// Accepted generate requests per rolling window per key (docs/kie-api.md §7); beyond: 429, dropped.
    public var generateLimit: RateLimit = RateLimit(requests: 20, perMs: 10000)
    /// record-info requests per task per second (docs/kie-api.md §2); 0 disables.
    public var recordInfoPerTaskPerSecond: Int = 3
    /// How a rate limit answers: `body` (HTTP 200, body code 429) or `http` (a real HTTP 429), docs/kie-api.md §1.
    public var rateLimitStyle: String = "body"
    /// HTTP status of error answers: `200` (real, docs/kie-api.md §1) or `mirror` (HTTP status = body code).
    public var errorHttpStatus: String = "200"

    // MARK: callbacks (docs/kie-api.md §3)
    /// HMAC key; when set every callback carries X-Webhook-Timestamp and X-Webhook-Signature (docs/kie-api.md §3a).
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
    /// (also `data.task_id` and top-level `taskId`, as the webhook guide's example), docs/kie-api.md §3a.
    public var callbackTaskIdStyle: String = "data"
    /// Callbacks go to loopback URLs only unless this is true.
    public var allowNonLoopbackCallbacks: Bool = false
    /// Lost, delayed, reordered, duplicated and forged callbacks (CallbackFaults.swift).
    public var callbackFaults: [CallbackFaultRule] = []

    // MARK: files and clock (docs/kie-api.md §4, §6, §7)
    public var resultRetentionMs: Int64 = 14 * 86_400_000
    public var downloadUrlTtlMs: Int64 = 1_200_000
    public var uploadRetentionMs: Int64 = 86_400_000
    /// Largest request body accepted; beyond it, HTTP 413.
    public var maxBodyBytes: Int = 32 * 1024 * 1024

    // MARK: faults
    public var faults: [FaultRule] = []

    public init() {}

    /// Names of every key, for rejecting unknown ones in files and admin calls.
    public static var keyNames: [String] { CodingKeys.allCases.map(\.stringValue) }

    /// Every key, in the order they are written. Encoding and decoding are synthesized:
    /// `merge` (SimulatorConfig+Checks.swift) hands the decoder every key, defaults filled in.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, uploadPort, filePort, apiKeys, creditsPerVariant, refundOnFailure, accountId
        case generationMs, generation, progressMode, resultUrlsKey, failureRates, createTaskFailedFlag
        case generateFailedFlag, errorCodeType, failureResponse, timeFormat, omitStatusWhileGenerating
        case roundTimesToSeconds, unknownTaskMode, unauthorizedStyle, nVariantsMode, promptDirectives, generateLimit
        case recordInfoPerTaskPerSecond, rateLimitStyle, errorHttpStatus, webhookKey, callbackTimeoutMs
        case callbackRetries, callbackRetryDelayMs, callbackDuplicates, callbackSuccessMsg
        case callbackTaskIdStyle, allowNonLoopbackCallbacks, resultRetentionMs, downloadUrlTtlMs
        case uploadRetentionMs, maxBodyBytes, faults
        case marketRecordShape, marketGenerationMs, marketWaitingMs, marketTransientNotFound, marketDefaultCredits
        case marketMaxImageSide, callbackFaults
    }
}
