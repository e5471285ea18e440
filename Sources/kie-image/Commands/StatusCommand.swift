import ArgumentParser
import KieImage

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a task's status once (one record-info call).",
        discussion: """
            Prints status, progress and result URLs; exits 0 whatever the task's state, unless the \
            call itself fails. --json prints the normalized task JSON.

            EXAMPLES:
              kie-image status 5fd1b68dbca66cddf73654e72e2094ea
              kie-image status 5fd1b68dbca66cddf73654e72e2094ea --json | jq .status
            """
    )

    @Argument(help: "The task id returned by generate.")
    var taskId: String

    @Flag(help: "Print the normalized task JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        let task = try await Session.with(client) { try await $0.client.task(taskId) }
        if json {
            Console.out(task.jsonText)
        } else {
            TaskText.print(task)
        }
    }
}

/// The human-readable summary of a task, on stdout.
enum TaskText {
    static func print(_ task: KieTask) {
        Console.out("taskId:   \(task.taskId)")
        Console.out("status:   \(task.status.rawValue)")
        Console.out("progress: \(ProgressDisplay.percent(task.progress))")
        if let message = task.errorMessage, !message.isEmpty || !task.isSuccess, task.status != .generating {
            Console.out("error:    \(message)\(task.errorCode.int64Value.map { " (errorCode \($0))" } ?? "")")
        }
        for url in task.resultUrls { Console.out("result:   \(url)") }
    }
}
