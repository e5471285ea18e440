import ArgumentParser
import KieImage

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Submit a generate request, wait with progress, download the images, print their paths.",
        discussion: """
            Local files given to --image/--mask are uploaded first by the library (once per \
            content: the same bytes are not sent twice); URLs are sent as they are. \
            Progress goes to stderr (a bar on a terminal, one line per change otherwise); the \
            downloaded file paths go to stdout, one per line.

            Without --model the request goes to GPT Image 1 (kie's 4o Image API, --size). With \
            --model it goes to kie's Market API: GPT Image 1.5, 2 and 2.5 and every other model \
            (`kie-image models` lists the presets the library validates; any other id is sent \
            with its --input fields as given). --image files become the model's input_urls.

            EXAMPLES:
              kie-image generate --simulate --prompt "A sunset" --size 1:1 --out out/
              kie-image generate --simulate --model gpt-image-2-text-to-image \
                --prompt "A lighthouse at dusk" --aspect 16:9 --resolution 2K
              kie-image generate --model gpt-image-2-5-flare-image-to-image --image photo.png \
                --prompt "Restyle as a studio ad" --background transparent
              kie-image generate --model nano-banana-2 --prompt "A cat" --input output_format=png
              kie-image generate --prompt "Make it night" --size 3:2 \\
                --image photo.png --mask mask.png
              kie-image generate --prompt "A red fox" --size 2:3 --variants 2 --json
              kie-image generate --prompt "A red fox" --size 1:1 --no-wait
              kie-image generate --prompt "A red fox" --size 1:1 \\
                --ledger sqlite:/var/lib/app/kie-ledger.db --idempotency-key order-17
            """
    )

    @Option(help: "What to draw. Required unless --image is given.")
    var prompt: String?

    @Option(help: ArgumentHelp("GPT Image 1 (4o) aspect ratio: 1:1, 3:2 or 2:3. Required without --model.", valueName: "1:1|3:2|2:3"))
    var size: String?

    @Option(help: ArgumentHelp("Market model id, e.g. gpt-image-2-text-to-image (see `kie-image models`).", valueName: "ID"))
    var model: String?

    @Option(help: ArgumentHelp("Market: aspect_ratio, e.g. 16:9 or auto.", valueName: "RATIO"))
    var aspect: String?

    @Option(help: ArgumentHelp("Market: resolution tier.", valueName: "1K|2K|4K"))
    var resolution: String?

    @Option(help: ArgumentHelp("Market: quality (GPT Image 1.5: medium or high).", valueName: "Q"))
    var quality: String?

    @Option(help: ArgumentHelp("Market: background (GPT Image 2.5: transparent, opaque or auto).", valueName: "B"))
    var background: String?

    @Option(name: .customLong("input"), help: ArgumentHelp(
        "Market: any input field of the model; VALUE is read as JSON when it parses (2, true, [\"a\"]), else as text. Repeatable.",
        valueName: "KEY=VALUE"))
    var inputs: [String] = []

    @Option(name: .customLong("image"), help: ArgumentHelp(
        "Reference image: a URL, a file: URL or a local file (uploaded first). Repeat for up to \(RequestValidator.maxFiles).", valueName: "FILE|URL"))
    var images: [String] = []

    @Option(help: ArgumentHelp("Mask (black = edit, white = keep): a URL or a local file.", valueName: "FILE|URL"))
    var mask: String?

    @Option(help: ArgumentHelp("Number of images: 1, 2 or 4.", valueName: "1|2|4"))
    var variants: Int?

    @Flag(help: "Let the service enhance the prompt (isEnhance).")
    var enhance = false

    @Flag(name: .customLong("upload-cn"), help: "Route uploads through the China servers (uploadCn).")
    var uploadCn = false

    @Option(help: ArgumentHelp("Fall back to this model if 4o fails (enableFallback).", valueName: "GPT_IMAGE_1|FLUX_MAX"))
    var fallback: String?

    @Option(name: .customLong("callback-url"), help: ArgumentHelp("URL the service POSTs the result to.", valueName: "URL"))
    var callbackUrl: String?

    @Option(name: .customLong("idempotency-key"), help: ArgumentHelp(
        "Request idempotencyKey: with --ledger, a later generate with the same key, from any process or host, sends nothing and answers with the first one's task.",
        valueName: "KEY"))
    var idempotencyKey: String?

    @Option(help: ArgumentHelp("Directory for the images (default: ./kie-out/<taskId>/).", valueName: "DIR"))
    var out: String?

    @Flag(name: .customLong("no-wait"), help: "Print the task id and return at once.")
    var noWait = false

    @Flag(help: "Print the normalized task JSON (with the downloads) on stdout, nothing else.")
    var json = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp("Give up waiting after this many seconds (default \(PollSettings().deadlineMs / 1000), the library's).", valueName: "SECONDS"))
    var timeout: Int?

    @OptionGroup var budget: BudgetOptions

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        let family: TaskFamily = model == nil ? .fourO : .market
        // Which family takes which field is the core's (TaskFamily.requestFields); this only
        // knows which field each option sets.
        for option in familyOptions where option.isSet && !family.requestFields.contains(option.field) {
            throw ValidationError(family == .fourO ? "\(option.flag) goes with --model (Market models)"
                : "\(option.flag) is a GPT Image 1 (4o) option; Market models take --aspect, --resolution, --input")
        }
        if family == .market { _ = try marketInputs() }
        let request = request(files: images, mask: mask)
        for field in family.requiredFields where request[field] == nil {
            let flag = familyOptions.first { $0.field == field }?.flag ?? field
            throw ValidationError(family == .fourO ? "\(flag) is required for GPT Image 1 (or name a Market model with --model)"
                : "\(flag) is required with --model")
        }
    }

    /// The options that belong to one family, each with the top-level request field it sets
    /// (the Market ones all go into `input`).
    var familyOptions: [(flag: String, field: String, isSet: Bool)] {
        [("--size", "size", size != nil), ("--mask", "maskUrl", mask != nil), ("--variants", "nVariants", variants != nil),
         ("--enhance", "isEnhance", enhance), ("--upload-cn", "uploadCn", uploadCn), ("--fallback", "fallbackModel", fallback != nil),
         ("--aspect", "input", aspect != nil), ("--resolution", "input", resolution != nil), ("--quality", "input", quality != nil),
         ("--background", "input", background != nil), ("--input", "input", !inputs.isEmpty)]
    }

    /// `--input KEY=VALUE` pairs, VALUE as JSON when it parses.
    func marketInputs() throws -> [(String, JSONValue)] {
        try inputs.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--input must be KEY=VALUE; got '\(pair)'") }
            let text = String(parts[1])
            return (String(parts[0]), (try? JSON.parse(Array(text.utf8))) ?? .string(text))
        }
    }

    /// The request as the API names it; local files as absolute paths, which the core uploads.
    func request(files: [String], mask maskURL: String?) -> JSONObject {
        if let model {
            var input: JSONObject = [:]
            if let prompt { input["prompt"] = .string(prompt) }
            if !files.isEmpty { input["input_urls"] = .array(files.map { .string($0) }) }
            if let aspect { input["aspect_ratio"] = .string(aspect) }
            if let resolution { input["resolution"] = .string(resolution) }
            if let quality { input["quality"] = .string(quality) }
            if let background { input["background"] = .string(background) }
            for (key, value) in (try? marketInputs()) ?? [] { input[key] = value }
            var o: JSONObject = ["model": .string(model), "input": .object(input)]
            if let callbackUrl { o["callBackUrl"] = .string(callbackUrl) }
            return o
        }
        var o: JSONObject = [:]
        if let prompt { o["prompt"] = .string(prompt) }
        if !files.isEmpty { o["filesUrl"] = .array(files.map { .string($0) }) }
        if let size { o["size"] = .string(size) }
        if let variants { o["nVariants"] = .int(Int64(variants)) }
        if let maskURL { o["maskUrl"] = .string(maskURL) }
        if let callbackUrl { o["callBackUrl"] = .string(callbackUrl) }
        if enhance { o["isEnhance"] = true }
        if uploadCn { o["uploadCn"] = true }
        if let fallback {
            o["enableFallback"] = true
            o["fallbackModel"] = .string(fallback)
        }
        return o
    }

    func run() async throws {
        JSONErrors.enable(json)
        // Validated before any network call; the core checks and uploads local files when it sends.
        var body = request(files: images.map(LocalFiles.requestValue), mask: mask.map(LocalFiles.requestValue))
        if let idempotencyKey { body["idempotencyKey"] = .string(idempotencyKey) }
        let validated = try RequestValidator.validate(body)
        for warning in validated.warnings where !quiet { Console.err("kie-image: warning: \(warning)") }
        try await Session.with(client, config: budget.config) { session in
            if noWait {
                let submitted = try await session.client.generate(validated)
                Console.out(json ? JSON.serialize(submitted.json) : submitted.taskId)
                return
            }
            let task = try await follow(validated, session.client)
            if let credits = task.creditsConsumed, !quiet && !json { Console.err("kie-image: credits consumed: \(credits)") }
            let downloaded = try await session.client.download(task, to: TaskFlow.outputDirectory(out, taskId: task.taskId))
            if json {
                Console.out(task.jsonText(adding: [("downloads", .array(downloaded.map(\.json)))]))
            } else {
                for file in downloaded { Console.out(file.path) }
            }
        }
    }

    /// Submits and waits through the core's run, with the progress display.
    func follow(_ validated: ValidatedRequest, _ client: KieClient) async throws -> KieTask {
        try await TaskFlow.follow(ProgressDisplay.automatic(quiet: quiet)) { onEvent in
            let options = TaskFlow.waitOptions(client, timeoutSeconds: timeout)
            guard case .completed(let task, _) = try await client.run(validated, options: options, onEvent: onEvent) else {
                throw KieError(.internal, "run ended without a task")
            }
            return task
        }
    }
}
