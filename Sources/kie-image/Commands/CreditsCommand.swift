import ArgumentParser
import KieImage

struct CreditsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credits",
        abstract: "Print the account's remaining credits.",
        discussion: """
            EXAMPLES:
              kie-image credits
              kie-image credits --simulate --json
            """
    )

    @Flag(help: "Print {\"credits\": N}.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        let credits = try await Session.with(client) { try await $0.client.credits() }
        let text = JSON.serialize(.double(credits))
        Console.out(json ? JSON.serialize(["credits": .double(credits)]) : text)
    }
}
