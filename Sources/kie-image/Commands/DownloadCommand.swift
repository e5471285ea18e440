import ArgumentParser
import KieImage

struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download the images of a finished task and print their paths.",
        discussion: """
            Fetches each result URL (minting a fresh link through download-url when the direct one \
            fails). The task must have succeeded; use `wait` first for a running one.

            EXAMPLES:
              kie-image download 5fd1b68dbca66cddf73654e72e2094ea --out renders/
              kie-image download 5fd1b68dbca66cddf73654e72e2094ea --out renders/ --json
            """
    )

    @Argument(help: "The task id returned by generate.")
    var taskId: String

    @Option(help: ArgumentHelp("Directory for the images (default: ./kie-out/<taskId>/).", valueName: "DIR"))
    var out: String?

    @Flag(help: "Print the downloads as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        let files = try await Session.with(client) { session in
            let task = try await session.client.task(taskId)
            guard task.isSuccess else {
                if task.isTerminal { throw task.failure }
                throw CLIFailure(
                    "NOT_READY", "task \(taskId) is \(task.status.rawValue) (\(ProgressDisplay.percent(task.progress))); run `kie-image wait \(taskId) --out DIR`",
                    code: ExitCodes.other)
            }
            return try await session.client.download(task, to: TaskFlow.outputDirectory(out, taskId: taskId))
        }
        if json {
            Console.out(JSON.serialize(["taskId": .string(taskId), "downloads": .array(files.map(\.json))]))
        } else {
            for file in files { Console.out(file.path) }
        }
    }
}
