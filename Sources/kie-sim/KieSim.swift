import ArgumentParser
import Dispatch
import FoundationEssentials
import KieSimulator

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct KieSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kie-sim",
        abstract: "A faithful, fault-injecting local kie.ai 4o Image and Market API (loopback only).",
        discussion: """
            Serves three loopback listeners: the API host (api.kie.ai), the upload
            host (kieai.redpandaai.co) and a file host for results and uploads.
            The first stdout line is the API base URL (http://127.0.0.1:PORT),
            then "upload <url>" and "files <url>". Runs until SIGTERM or SIGINT.

            Settings: defaults, then --config FILE.json, then flags. Config keys
            (all optional; GET/POST /_sim/config use the same JSON):
              host, port, uploadPort, filePort   loopback only; 0 = free port
              apiKeys {"key": credits}           default {"sim-key": 1000}
              creditsPerVariant (6), refundOnFailure (true)
              accountId (136592)                 upload filePath kieai/<id>/..
              generationMs (18000)               or generation:
                {"kind":"fixed","ms":..}
                {"kind":"uniform","minMs":..,"maxMs":..}
                {"kind":"lognormal","medianMs":..,"p95Ms":..,"seed":..}
              progressMode steady|jump
              resultUrlsKey resultUrls|result_urls
              failureRates {"createTaskFailed":p,"generateFailed":p,
                            "internalError":p,"seed":n}
              createTaskFailedFlag (2), generateFailedFlag (3)
              errorCodeType int|string, failureResponse null|emptyList
              timeFormat ms|string, omitStatusWhileGenerating (false)
              roundTimesToSeconds (true)
              unknownTaskMode recorded|404|nullData  4o record-info of an unknown
                                 id: 422 "The record does not exist" (recorded,
                                 default), 404 "record is null", or code 200
                                 with data null (download-url: always 422
                                 "record is null")
              unauthorizedStyle access|gateway  401 text, never a data key:
                                 "You do not have access permissions" (default)
                                 or "Unauthorized – Authentication failed. ..."
              nVariantsMode validate|ignore
              promptDirectives (true): prompts may hold [sim:create_task_failed]
                [sim:generate_failed] [sim:generate_failed=451]
                [sim:internal_error] [sim:ms=1500]
              generateLimit {"requests":20,"perMs":10000}  per key; 429, dropped
              recordInfoPerTaskPerSecond (3)     0 disables
              rateLimitStyle body|http           HTTP 200 + code 429, or HTTP 429
              errorHttpStatus 200|mirror         HTTP status of error answers
              webhookKey                         signs callbacks (X-Webhook-*)
              callbackTimeoutMs (15000), callbackRetries (3),
              callbackRetryDelayMs (1000), callbackDuplicates (0),
              callbackSuccessMsg ("success"), callbackTaskIdStyle data|all,
              allowNonLoopbackCallbacks (false)
              callbackFaults [{"match":M,"action":C}, ...]  (also --callback-fault)
                M as for faults, counted per callback (one per finished task
                  with a callBackUrl); the first rule that matches acts
                C {"lose":true}             genuine deliveries never sent
                  {"delayMs":ms}            sent when the sim clock is ms past
                                            the task's end (moving it releases)
                  {"reorder":true}          held until the next callback went out
                  {"duplicates":n}          n more deliveries (+callbackDuplicates)
                  {"forge":"signature"|"timestamp"|"unknownTask"|"unsigned",
                   "ageMs":600000}          a forged copy first: wrong key, a
                                            correct signature over an old
                                            timestamp, an id never made, or no
                                            headers; with "lose" only the forgery
                The callBackUrl is POSTed as sent, query string included.
              resultRetentionMs (14 d), downloadUrlTtlMs (20 min),
              uploadRetentionMs (24 h), maxBodyBytes (32 MiB; larger: HTTP 413)
              Market API (POST /api/v1/jobs/createTask, GET /api/v1/jobs/recordInfo):
              marketRecordShape 2026-04|2026-08|2026-09  recordInfo fields:
                                 + creditsConsumed (08), + operationType,
                                 successFlag, paramJson, response (09, default)
              marketGenerationMs (unset: as generation/generationMs)
              marketWaitingMs (2000)             "waiting", then "generating"
              marketTransientNotFound (0)        first N recordInfo calls of a
                                 new task answer 422 "recordInfo is null"
              marketDefaultCredits (6)           price of a model not in the table
              marketMaxImageSide (2560)          4K results drawn this large
              (Market results follow input.output_format png|jpg|jpeg|webp for
              the models that take it: URL extension, Content-Type, bytes;
              nano-banana-2 defaults to .jpeg)
              faults [{"endpoint":E,"match":M,"action":A}, ...]
                E generate|record-info|download-url|common-download-url|credit|
                  jobs-createTask|jobs-recordInfo|
                  upload-stream|upload-base64|upload-url|file|*
                M {"nth":N}|{"every":N}|{"rate":0.05,"seed":S}|{"count":N}
                  (absent: every request)
                A {"latencyMs":ms}|{"bodyCode":500,"msg":".."}|{"bodyCode":433}|
                  {"httpStatus":503}|{"malformed":true}|{"truncated":true}|
                  {"reset":"before"|"after"}|{"hangMs":ms}|{"stallMs":ms}
                  (hangMs holds the whole answer; stallMs sends the head
                  and half the body, then holds the rest)
                  latencyMs may accompany any; "process":bool overrides
                  whether the request is carried out (default yes for
                  reset after, truncated, hangMs, stallMs, latency)

            Admin API on the API listener, no auth:
              POST /_sim/reset         GET|POST /_sim/config (POST merges;
              GET /_sim/tasks            ?replace=true replaces)
              GET /_sim/stats          GET|POST /_sim/clock
              GET /_sim/callbacks        {"advanceMs":n,"freeze":bool}
              GET /_sim/info

            GET /_sim/stats lists every admitted generate and createTask:
              "generates": [{"at": ms on the sim clock, "taskId", "family":
              "4o"|"market", "key": keyId}], "generatesTotal", "rejected429",
              "windowMs", "generateLimit", "maxInWindow" (most admitted in any
              (t - windowMs, t]), "byKey": {keyId: {"generates", "rejected429",
              "maxInWindow"}}, plus request, file and upload counters. keyId is
              "key-" + 16 hex digits of SHA-256(API key); the key never shows.
            """
    )

    @Option(help: "API listener port (0 picks a free port).")
    var port: Int?

    @Option(help: "Upload host port (0 picks a free port).")
    var uploadPort: Int?

    @Option(help: "File host port (0 picks a free port).")
    var filePort: Int?

    @Option(name: .customLong("api-key"), help: "An accepted API key (repeatable); replaces the configured keys.")
    var apiKeys: [String] = []

    @Option(help: "Credits for each --api-key (default 1000).")
    var credits: Double?

    @Option(help: "Fixed generation time in ms.")
    var generationMs: Int?

    @Option(help: "Config file (JSON, keys as above).")
    var config: String?

    @Option(help: "steady or jump.")
    var progressMode: String?

    @Option(help: "Webhook HMAC key; callbacks get X-Webhook-Timestamp and X-Webhook-Signature.")
    var webhookKey: String?

    @Option(help: "resultUrls or result_urls.")
    var resultUrlsKey: String?

    @Option(help: "record-info requests per task per second (0 disables).")
    var recordInfoPerTask: Int?

    @Option(help: "Generate requests per 10 s per key (0 disables).")
    var generateLimit: Int?

    @Option(help: "Fixed generation time of Market tasks in ms (default: as 4o).")
    var marketGenerationMs: Int?

    @Option(help: "Market recordInfo shape: 2026-04, 2026-08 or 2026-09.")
    var marketRecordShape: String?

    @Option(help: "Unknown 4o task on record-info: recorded, 404 or nullData.")
    var unknownTaskMode: String?

    @Option(name: .customLong("fault"), help: "A fault rule as JSON (repeatable), appended to the configured ones.")
    var faults: [String] = []

    @Option(name: .customLong("callback-fault"), help: "A callback fault rule as JSON (repeatable), appended to the configured ones.")
    var callbackFaults: [String] = []

    func run() async throws {
        try await serve(settings())
    }

    /// Defaults, then the config file, then the flags.
    func settings() throws -> SimulatorConfig {
        var settings = try fileSettings()
        if let port { settings.port = port }
        if let uploadPort { settings.uploadPort = uploadPort }
        if let filePort { settings.filePort = filePort }
        if !apiKeys.isEmpty {
            settings.apiKeys = Dictionary(apiKeys.map { ($0, credits ?? 1000) }, uniquingKeysWith: { a, _ in a })
        } else if let credits {
            settings.apiKeys = settings.apiKeys.mapValues { _ in credits }
        }
        if let generationMs {
            settings.generationMs = generationMs
            settings.generation = nil
        }
        if let progressMode {
            guard let mode = ProgressMode(rawValue: progressMode) else {
                throw ValidationError("--progress-mode must be steady or jump")
            }
            settings.progressMode = mode
        }
        if let webhookKey { settings.webhookKey = webhookKey }
        if let resultUrlsKey { settings.resultUrlsKey = resultUrlsKey }
        if let recordInfoPerTask { settings.recordInfoPerTaskPerSecond = recordInfoPerTask }
        if let marketGenerationMs { settings.marketGenerationMs = marketGenerationMs }
        if let marketRecordShape { settings.marketRecordShape = marketRecordShape }
        if let unknownTaskMode { settings.unknownTaskMode = unknownTaskMode }
        if let generateLimit { settings.generateLimit = RateLimit(requests: generateLimit, perMs: 10000) }
        for fault in faults {
            do {
                settings.faults.append(try JSONDecoder().decode(FaultRule.self, from: Data(fault.utf8)))
            } catch {
                throw ValidationError("--fault \(fault): not a fault rule (\(error))")
            }
        }
        for fault in callbackFaults {
            do {
                settings.callbackFaults.append(try JSONDecoder().decode(CallbackFaultRule.self, from: Data(fault.utf8)))
            } catch {
                throw ValidationError("--callback-fault \(fault): not a callback fault rule (\(error))")
            }
        }
        let problems = settings.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        return settings
    }

    /// The defaults with `--config FILE` applied.
    func fileSettings() throws -> SimulatorConfig {
        guard let path = config else { return SimulatorConfig() }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("cannot read config file \(path): \(error)")
        }
        switch SimulatorConfig.decode(json: bytes) {
        case .success(let c): return c
        case .failure(let e): throw ValidationError("config file \(path): \(e.message)")
        }
    }

    /// Runs the simulator until SIGTERM or SIGINT.
    func serve(_ settings: SimulatorConfig) async throws {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let (stops, stop) = AsyncStream<Int32>.makeStream()
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.yield(sig) }
            source.resume()
            return source
        }

        let simulator = try await Simulator.start(settings)
        // The first line is the API base URL, flushed at once: scripts read it to find the port.
        print(simulator.baseURL)
        fflush(nil)
        print("upload \(simulator.uploadBaseURL)")
        print("files \(simulator.fileBaseURL)")
        fflush(nil)

        var iterator = stops.makeAsyncIterator()
        _ = await iterator.next()
        await simulator.shutdown()
        for source in sources { source.cancel() }
    }
}
