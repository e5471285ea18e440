import ArgumentParser
import KieImage
import KieSimulator

/// Options every command that talks to the API shares: where, with which key, or offline.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("api-key"), help: ArgumentHelp(
        "kie.ai API key (default: $KIE_API_KEY). Never printed.", valueName: "KEY"))
    var apiKey: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp(
        "API base URL (default: $KIE_BASE_URL, else \(Self.defaults.baseUrl)).", valueName: "URL"))
    var baseUrl: String?

    @Option(name: .customLong("upload-base-url"), help: ArgumentHelp(
        "File upload host (default: $KIE_UPLOAD_BASE_URL, else \(Self.defaults.uploadBaseUrl)).", valueName: "URL"))
    var uploadBaseUrl: String?

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp(
        "Generate submissions allowed per window: N per MS milliseconds (default \(RateLimitArgument.defaultSlash), kie's limit). Set it only to a higher limit kie granted your account.",
        valueName: "N/MS"), transform: RateLimitArgument.parse)
    var rateLimit: RateLimitSettings?

    @Option(help: ArgumentHelp(
        "HTTP proxy for every host the tool calls, http://[user:password@]host:port (default: $HTTPS_PROXY/$HTTP_PROXY, honouring $NO_PROXY).",
        valueName: "URL"))
    var proxy: String?

    @OptionGroup var ledgerOption: LedgerOption

    @Flag(help: ArgumentHelp(
        "Run against an in-process simulator: no key, no network. Its account starts with \(Int(Self.simulatedCredits)) credits, enough for 10 000 images at the dearest price.",
        discussion: ""))
    var simulate = false

    @Option(name: .customLong("sim-generation-ms"), help: ArgumentHelp(
        "With --simulate: how long each simulated task takes.", valueName: "MS", visibility: .hidden))
    var simGenerationMs: Int = 3000

    @Option(name: .customLong("sim-config"), help: ArgumentHelp(
        "With --simulate: simulator configuration JSON (same keys as kie-sim's config file).",
        valueName: "JSON", visibility: .hidden))
    var simConfig: String?

    /// The core's defaults, for help texts.
    static var defaults: ClientConfig { ClientConfig(apiKey: "") }

    /// Opens a client (and, with --simulate, the simulator it talks to).
    /// `config`: further core config keys (the budget's).
    func open(journalPath: String? = nil, config extra: JSONObject = [:]) async throws -> Session {
        var simulator: Simulator?
        var object = extra
        if simulate {
            let config = try simulatorConfig()
            let sim = try await Simulator.start(config)
            simulator = sim
            object["apiKey"] = .string(config.apiKeys.keys.sorted().first ?? "sim-key")
            object["baseUrl"] = .string(sim.baseURL)
            object["uploadBaseUrl"] = .string(sim.uploadBaseURL)
            // Simulated tasks take seconds: poll often so the demo ends as soon as they do.
            object["poll"] = ["initialMs": 300, "maxMs": 1000]
        } else {
            if let apiKey { object["apiKey"] = .string(apiKey) }
            if let baseUrl { object["baseUrl"] = .string(baseUrl) }
            if let uploadBaseUrl { object["uploadBaseUrl"] = .string(uploadBaseUrl) }
        }
        if let journalPath { object["journalPath"] = .string(journalPath) }
        if let proxy { object["proxy"] = .string(proxy) }
        if let ledger = ledgerOption.ledger { object["ledger"] = .string(ledger) }
        if let ms = ledgerOption.leaseMs { object["ledgerLeaseMs"] = .int(Int64(ms)) }
        if let rateLimit {
            object["rateLimit"] = ["requests": .int(Int64(rateLimit.requests)), "perMs": .int(rateLimit.perMs)]
        }
        do {
            let config = try ClientConfig.parse(json: JSON.serialize(.object(object)), env: ClientConfig.environment())
            return Session(client: try KieClient(config: config), simulator: simulator)
        } catch let e where e.field == "apiKey" {
            // The core decides whether the key is usable (it reads KIE_API_KEY); the tool names its
            // own ways to give one, and exits as for a wrong key (exit 3), before any network.
            await simulator?.shutdown()
            throw CLIFailure("AUTH", "\(e.message): pass --api-key, set KIE_API_KEY, or try --simulate", code: ExitCodes.auth)
        } catch {
            await simulator?.shutdown()
            throw error
        }
    }

    /// kie-sim's own default account is realistic (1000 credits); `--simulate` is for trying
    /// things out, so its account covers 10 000 images at 16 credits (a 4K GPT Image 2 image).
    static let simulatedCredits: Double = 160_000

    func simulatorConfig() throws -> SimulatorConfig {
        var config = SimulatorConfig()
        config.apiKeys = ["sim-key": Self.simulatedCredits]
        config.generationMs = max(0, simGenerationMs)
        if let simConfig {
            switch SimulatorConfig.merge(config, with: Array(simConfig.utf8)) {
            case .success(let c): config = c
            case .failure(let e): throw CLIFailure.usage("--sim-config: \(e.message)")
            }
        }
        config.port = 0
        config.uploadPort = 0
        config.filePort = 0
        return config
    }
}

/// `--ledger URL`: the core config's `ledger` (docs/ledger.md); without it the core reads KIE_LEDGER.
struct LedgerOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Shared ledger of every process (and host) using this API key: sqlite:PATH or postgresql://user@host/db (default: $KIE_LEDGER). One rate limit, one task ledger; not with --journal.",
        valueName: "URL"))
    var ledger: String?

    @Option(name: .customLong("ledger-lease-ms"), help: ArgumentHelp(
        "How long this process's lease on its ledger rows lasts unrenewed (the core's default and bounds apply).", valueName: "MS"))
    var leaseMs: Int?
}

/// `--max-credits`, `--budget-since`: the core config's `maxCredits`, `budgetSince`
/// (docs/inputs-proxies-budget.md, "Budget"); the core checks the values.
struct BudgetOptions: ParsableArguments {
    @Option(name: .customLong("max-credits"), help: ArgumentHelp(
        "Refuse (exit 12) any generate whose price would take the spend above N credits; nothing is sent for it.",
        valueName: "N"))
    var maxCredits: Double?

    @Option(name: .customLong("budget-since"), help: ArgumentHelp(
        "With --max-credits and a journal: count only the spend since this ISO 8601 date or time (2026-12-01).",
        valueName: "DATE"))
    var budgetSince: String?

    var config: JSONObject {
        var o: JSONObject = [:]
        if let maxCredits { o["maxCredits"] = .double(maxCredits) }
        if let budgetSince { o["budgetSince"] = .string(budgetSince) }
        return o
    }
}

/// `--rate-limit N/MS`: the core config's `rateLimit {requests: N, perMs: MS}`.
enum RateLimitArgument {
    /// The core's default limit as `N/MS`, for help texts.
    static var defaultSlash: String { "\(RateLimitSettings().requests)/\(RateLimitSettings().perMs)" }

    /// The core's default limit in words ("N per S s"), for help texts.
    static var defaultPerWindow: String {
        let d = RateLimitSettings()
        return d.perMs % 1000 == 0 ? "\(d.requests) per \(d.perMs / 1000) s" : "\(d.requests) per \(d.perMs) ms"
    }

    static func parse(_ text: String) throws -> RateLimitSettings {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
              let n = Int(parts[0]), let ms = Int64(parts[1]) else {
            throw ValidationError("--rate-limit must be N/MS (submissions per milliseconds), e.g. 200/1000; got '\(text)'")
        }
        guard (1...1_000_000).contains(n) else { throw ValidationError("--rate-limit: N must be within 1...1000000") }
        guard (1...86_400_000).contains(ms) else { throw ValidationError("--rate-limit: MS must be within 1...86400000 (one day)") }
        var settings = RateLimitSettings()
        settings.requests = n
        settings.perMs = ms
        return settings
    }
}

/// An open client, plus the in-process simulator behind it with --simulate.
struct Session: Sendable {
    let client: KieClient
    let simulator: Simulator?

    /// Closes the client. The in-process simulator is left to die with the process: stopping it
    /// while the client's pooled connections wind down only logs cancellation noise on stderr.
    func close() async {
        await client.shutdown()
    }

    /// Runs `body` with the session, closing it afterwards whatever happens.
    static func with<T: Sendable>(_ options: ClientOptions, config: JSONObject = [:],
                                  _ body: (Session) async throws -> T) async throws -> T {
        let session = try await options.open(config: config)
        do {
            let value = try await body(session)
            await session.close()
            return value
        } catch {
            await session.close()
            throw error
        }
    }
}
