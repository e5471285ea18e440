import ArgumentParser
import KieImage

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Submit a generate request, wait with progress, download the images, print their paths.",
        discussion: """
            Local files given to --image/--mask are uploaded first; URLs are sent as they are. \
            Progress goes to stderr (a bar on a terminal, one line per change otherwise); the \
            downloaded file paths go to stdout, one per line.

            EXAMPLES:
              kie-image generate --simulate --prompt "A sunset" --size 1:1 --out out/
              kie-image generate --prompt "Make it night" --size 3:2 \\
                --image photo.png --mask mask.png
              kie-image generate --prompt "A red fox" --size 2:3 --variants 2 --json
              kie-image generate --prompt "A red fox" --size 1:1 --no-wait
            """
    )

    @Option(help: "What to draw. Required unless --image is given.")
    var prompt: String?

    @Option(help: ArgumentHelp("Aspect ratio: 1:1, 3:2 or 2:3.", valueName: "1:1|3:2|2:3"))
    var size: String

    @Option(name: .customLong("image"), help: ArgumentHelp(
        "Reference image: a URL or a local file (uploaded first). Repeat for up to 5.", valueName: "FILE|URL"))
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

    @Option(help: ArgumentHelp("Directory for the images (default: ./kie-out/<taskId>/).", valueName: "DIR"))
    var out: String?

    @Flag(name: .customLong("no-wait"), help: "Print the task id and return at once.")
    var noWait = false

    @Flag(help: "Print the normalized task JSON (with the downloads) on stdout, nothing else.")
    var json = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Option(help: ArgumentHelp("Give up waiting after this many seconds (default 900).", valueName: "SECONDS"))
    var timeout: Int?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// The request as the API names it; local files stand in as placeholder URLs until uploaded.
    func request(files: [String], mask maskURL: String?) -> JSONObject {
        var o: JSONObject = [:]
        if let prompt { o["prompt"] = .string(prompt) }
        if !files.isEmpty { o["filesUrl"] = .array(files.map { .string($0) }) }
        o["size"] = .string(size)
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
        for value in images + [mask].compactMap({ $0 }) where !LocalFiles.isURL(value) {
            try LocalFiles.checkReadable(value, option: images.contains(value) ? "--image" : "--mask")
        }
        // Validate before any upload or network call, with stand-ins for local files.
        let stand = { (v: String) in LocalFiles.isURL(v) ? v : LocalFiles.placeholderURL(for: v) }
        _ = try RequestValidator.validate(request(files: images.map(stand), mask: mask.map(stand)))

        try await Session.with(client) { session in
            var files: [String] = []
            for value in images { files.append(LocalFiles.isURL(value) ? value : try await Uploader.url(session, path: value)) }
            let maskURL = try await mask.asyncMap { LocalFiles.isURL($0) ? $0 : try await Uploader.url(session, path: $0) }
            let validated = try RequestValidator.validate(request(files: files, mask: maskURL))
            for warning in validated.warnings where !quiet { Console.err("kie-image: warning: \(warning)") }

            if noWait {
                let submitted = try await session.client.generate(validated)
                Console.out(json ? JSON.serialize(submitted.json) : submitted.taskId)
                return
            }
            let client = session.client
            let task = try await TaskFlow.follow(ProgressDisplay.automatic(quiet: quiet)) { onEvent in
                let options = TaskFlow.waitOptions(client, timeoutSeconds: timeout)
                guard case .completed(let task, _) = try await client.run(validated, options: options, onEvent: onEvent) else {
                    throw KieError(.internal, "run ended without a task")
                }
                return task
            }
            let dir = TaskFlow.outputDirectory(out, taskId: task.taskId)
            let downloaded = try await session.client.download(task, to: dir)
            if json {
                guard case .object(var o) = task.json else { return }
                o["downloads"] = .array(downloaded.map(\.json))
                Console.out(JSON.serialize(.object(o)))
            } else {
                for file in downloaded { Console.out(file.path) }
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async throws -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
