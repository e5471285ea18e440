import ArgumentParser
import KieImage

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for a task to finish, with progress; optionally download its images.",
        discussion: """
            Exits 0 on SUCCESS, 6 when the task failed, 7 at the deadline. Prints the result URLs \
            (or, with --out, the downloaded paths) on stdout.

            EXAMPLES:
              kie-image wait 5fd1b68dbca66cddf73654e72e2094ea
              kie-image wait 5fd1b68dbca66cddf73654e72e2094ea --out renders/ --timeout 60
            """
    )

    @Argument(help: "The task id returned by generate.")
    var taskId: String

    @Option(help: ArgumentHelp("Download the images into this directory.", valueName: "DIR"))
    var out: String?

    @Option(help: ArgumentHelp("Give up after this many seconds (default \(PollSettings().deadlineMs / 1000), the library's).", valueName: "SECONDS"))
    var timeout: Int?

    @Flag(help: "Print the normalized task JSON on stdout, nothing else.")
    var json = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        JSONErrors.enable(json)
        try await Session.with(client) { session in
            let display = ProgressDisplay.automatic(quiet: quiet)
            display.submitted(taskId: taskId)
            let task = try await TaskFlow.wait(session.client, taskId: taskId, timeoutSeconds: timeout, display: display)
            var downloads: [DownloadedFile] = []
            if let out { downloads = try await session.client.download(task, to: TaskFlow.outputDirectory(out, taskId: taskId)) }
            if json {
                Console.out(task.jsonText(adding: out != nil ? [("downloads", .array(downloads.map(\.json)))] : []))
            } else if out != nil {
                for file in downloads { Console.out(file.path) }
            } else {
                for url in task.resultUrls { Console.out(url) }
            }
        }
    }
}
