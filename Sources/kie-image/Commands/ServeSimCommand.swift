import ArgumentParser
import FoundationEssentials
import KieSimulator

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ServeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-sim",
        abstract: "Run the kie.ai simulator in the foreground (loopback only) until Ctrl-C.",
        discussion: """
            The first line on stdout is the API base URL (http://127.0.0.1:PORT), then \
            "upload <url>" and "files <url>", as kie-sim prints them. Point any client at it with \
            --base-url/--upload-base-url (or KIE_BASE_URL) and the key "sim-key". The admin API \
            (/_sim/config, /_sim/tasks, /_sim/stats, ...) and the config keys are described in \
            `kie-sim --help`.

            EXAMPLES:
              kie-image serve-sim --port 8080
              kie-image serve-sim --port 0 --generation-ms 2000 \\
                --fault '{"endpoint":"generate","match":{"nth":3},"action":{"bodyCode":500}}'
              KIE_BASE_URL=http://127.0.0.1:8080 KIE_API_KEY=sim-key kie-image credits
            """
    )

    @Option(help: "API listener port (0 picks a free port).")
    var port: Int = 0

    @Option(name: .customLong("upload-port"), help: "Upload host port (0 picks a free port).")
    var uploadPort: Int = 0

    @Option(name: .customLong("file-port"), help: "File host port (0 picks a free port).")
    var filePort: Int = 0

    @Option(name: .customLong("api-key"), help: "An accepted API key (repeatable); replaces the default \"sim-key\".")
    var apiKeys: [String] = []

    @Option(name: .customLong("generation-ms"), help: ArgumentHelp("How long each task takes (default \(SimulatorConfig().generationMs), like the real service)."))
    var generationMs: Int?

    @Option(help: ArgumentHelp("Simulator config file (JSON; keys as in kie-sim --help).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("fault"), help: ArgumentHelp("A fault rule as JSON (repeatable).", valueName: "JSON"))
    var faults: [String] = []

    /// The simulator's configuration: --config, then the options over it.
    func simulatorSettings() throws -> SimulatorConfig {
        var settings = SimulatorConfig()
        if let config {
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: config))) } catch {
                throw CLIFailure("IO", "cannot read \(config)", code: ExitCodes.other)
            }
            switch SimulatorConfig.decode(json: bytes) {
            case .success(let c): settings = c
            case .failure(let e): throw CLIFailure.usage("\(config): \(e.message)")
            }
        }
        settings.port = port
        settings.uploadPort = uploadPort
        settings.filePort = filePort
        if !apiKeys.isEmpty { settings.apiKeys = Dictionary(apiKeys.map { ($0, 1000) }, uniquingKeysWith: { a, _ in a }) }
        if let generationMs { settings.generationMs = max(0, generationMs) }
        for fault in faults {
            guard let rule = try? JSONDecoder().decode(FaultRule.self, from: Data(fault.utf8)) else {
                throw CLIFailure.usage("--fault \(fault): not a fault rule")
            }
            settings.faults.append(rule)
        }
        return settings
    }

    func run() async throws {
        let settings = try simulatorSettings()
        let signals = Signals([SIGINT, SIGTERM])
        let sim = try await Simulator.start(settings)
        Console.out(sim.baseURL)
        Console.out("upload \(sim.uploadBaseURL)")
        Console.out("files \(sim.fileBaseURL)")
        for await _ in signals.stream { break }
        await sim.shutdown()
    }
}
