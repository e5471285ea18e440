import ArgumentParser
import KieImage
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct KieImageCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kie-image",
        abstract: "Generate images with kie.ai (GPT Image 1 through the 4o API; GPT Image 1.5, 2, 2.5 and other models through the Market API), or offline against a built-in simulator.",
        discussion: """
            The API key comes from --api-key or KIE_API_KEY and never appears in any output. \
            --simulate on any command runs an in-process simulator: no key and no network needed.

            EXAMPLES:
              kie-image generate --simulate --prompt "A sunset" --size 1:1 --out out/
              KIE_API_KEY=... kie-image generate --prompt "A lighthouse at dawn" --size 3:2
              kie-image batch prompts.jsonl --out renders/ --concurrency 8

            \(ExitCodes.helpText)
            """,
        version: KieImageVersion.string,
        subcommands: [
            GenerateCommand.self, StatusCommand.self, WaitCommand.self, DownloadCommand.self,
            CreditsCommand.self, UploadCommand.self, BatchCommand.self, ModelsCommand.self, WebhookCommand.self,
            ServeSimCommand.self,
            ServeCallbacksCommand.self, LedgerCommand.self,
        ]
    )

    static func main() async {
        let code = await run(arguments: Array(CommandLine.arguments.dropFirst()))
        Glibc.exit(code)
    }

    /// Parses and runs one command line; every outcome becomes an exit code (see ExitCodes).
    static func run(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitCodes.ok
        } catch let e as KieError {
            if JSONErrors.enabled { Console.out(JSON.serialize(["error": e.json])) }
            ErrorReport.print(e)
            return ExitCodes.code(for: e.status)
        } catch let f as CLIFailure {
            if JSONErrors.enabled {
                Console.out(JSON.serialize(["error": ["name": .string(f.status), "message": .string(f.message)]]))
            }
            ErrorReport.print(f)
            return f.code
        } catch let e as ExitCode {
            return e.rawValue
        } catch is CancellationError {
            Console.err("kie-image: interrupted")
            return ExitCodes.interrupted
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Console.out(message) }
                return ExitCodes.ok
            }
            if !message.isEmpty { Console.err(message) }
            return code == .validationFailure ? ExitCodes.usage : code.rawValue
        }
    }
}

/// Set by commands run with --json: errors are then also printed as JSON on stdout.
enum JSONErrors {
    private static let flag = Atomic<Bool>(false)
    static var enabled: Bool { flag.load(ordering: .relaxed) }
    static func enable(_ on: Bool) { if on { flag.store(true, ordering: .relaxed) } }
}
