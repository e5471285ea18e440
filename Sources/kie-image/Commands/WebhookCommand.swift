import ArgumentParser
import KieImage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Webhook (callBackUrl) helpers.",
        discussion: """
            EXAMPLES:
              kie-image webhook verify --key "$KIE_WEBHOOK_KEY" --body callback.json \\
                --timestamp 1769670760 --signature 'KxDlpbbq0GDOKqm0+FuJpJWTzY8b...='
            """,
        subcommands: [WebhookVerifyCommand.self]
    )
}

struct WebhookVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a callback's X-Webhook-Signature and print the parsed event as JSON.",
        discussion: """
            The signature is base64(HMAC-SHA256(key, taskId + "." + timestamp)); the body itself is \
            not signed (docs/kie-api.md §3a), so treat the event as a hint and confirm with `kie-image status` \
            (or pass --confirm to do it here). Exits 0 when valid, 9 when the signature is missing, \
            wrong or outside the time window.

            EXAMPLES:
              kie-image webhook verify --key "$KIE_WEBHOOK_KEY" --body callback.json \\
                --timestamp 1769670760 --signature 'KxDlpbbq0GDOKqm0+FuJpJWTzY8b...='
              cat body.json | kie-image webhook verify --timestamp "$TS" --signature "$SIG"
              kie-image webhook verify --body callback.json --timestamp "$TS" \\
                --signature "$SIG" --confirm
            """
    )

    @Option(help: ArgumentHelp("The webhook HMAC key (default: $KIE_WEBHOOK_KEY). Never printed.", valueName: "KEY"))
    var key: String?

    @Option(help: ArgumentHelp("The X-Webhook-Timestamp header (Unix seconds).", valueName: "SECONDS"))
    var timestamp: String

    @Option(help: ArgumentHelp("The X-Webhook-Signature header.", valueName: "BASE64"))
    var signature: String

    @Option(help: ArgumentHelp("File holding the callback body; - or absent reads stdin.", valueName: "FILE"))
    var body: String?

    @Option(help: ArgumentHelp("Accepted clock skew in seconds.", valueName: "SECONDS"))
    var tolerance: Int64 = WebhookVerifier.defaultToleranceSeconds

    @Option(help: ArgumentHelp("Check against this time instead of now (Unix seconds), e.g. to replay a stored callback.", valueName: "SECONDS"))
    var now: Int64?

    @Flag(help: "Also fetch the task from record-info (the source of truth) and print it with the event.")
    var confirm = false

    @OptionGroup var client: ClientOptions

    /// The callback body: --body FILE, else stdin.
    func bodyBytes() throws -> [UInt8] {
        guard let body, body != "-" else { return RawFile.readStandardInput() }
        guard let bytes = RawFile.read(body) else { throw CLIFailure("IO", "cannot read \(body)", code: ExitCodes.other) }
        return bytes
    }

    func run() async throws {
        JSONErrors.enable(true)
        guard let key = key ?? ClientConfig.environment()["KIE_WEBHOOK_KEY"] else {
            throw CLIFailure.usage("no webhook key: pass --key or set KIE_WEBHOOK_KEY")
        }
        let event = try WebhookVerifier.verify(key: key, body: try bodyBytes(), timestamp: timestamp, signature: signature,
                                               now: now ?? Int64(time(nil)), tolerance: tolerance)
        guard confirm else {
            Console.out(JSON.serialize(["valid": true, "event": event.json]))
            return
        }
        let task = try await Session.with(client) { try await $0.client.confirm(event) }
        Console.out(JSON.serialize(["valid": true, "event": event.json, "task": task.json]))
    }
}
