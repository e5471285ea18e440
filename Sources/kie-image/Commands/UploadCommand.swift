import ArgumentParser
import KieImage

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload an image (a local file, or an http(s) URL the host fetches) to kie.ai's file host and print its URL (usable as --image).",
        discussion: """
            Uploads are free; the file is kept about a day (24 h to 3 days, docs/kie-api.md).
            An argument starting with http:// or https:// is fetched by kie.ai's upload host
            (/api/file-url-upload); anything else is a local file, sent through the library.
            generate's --image and --mask take local files themselves (the library uploads them).

            EXAMPLES:
              kie-image upload photo.png
              kie-image upload https://example.com/photo.png
              kie-image generate --prompt "Night" --size 3:2 \\
                --image "$(kie-image upload photo.png)"
              kie-image upload photo.png --upload-path my/inputs --json
            """
    )

    @Argument(help: ArgumentHelp("The file to upload, or an http(s) URL for the host to fetch.", valueName: "FILE|URL"))
    var file: String

    @Option(name: .customLong("upload-path"), help: ArgumentHelp("Folder on the file host (no leading/trailing slash).", valueName: "PATH"))
    var uploadPath: String = "kieimage"

    @Flag(help: "Print the upload host's answer as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        let byURL = LocalFiles.isURL(file)
        if !byURL { try LocalFiles.checkReadable(file, option: "upload") }
        let uploaded = try await Session.with(client) { session in
            var options = UploadOptions()
            options.uploadPath = uploadPath
            // Re-using a name overwrites the earlier file (docs/kie-api.md §6): a random prefix
            // keeps same-named inputs apart.
            let path = byURL ? (file.split(separator: "?").first.map(String.init) ?? file) : file
            let base = path.split(separator: "/").last.map(String.init) ?? "upload"
            options.fileName = String(UInt32.random(in: 0...UInt32.max), radix: 16) + "-" + base
            if byURL { return try await session.client.upload(url: file, options: options) }
            return try await session.client.upload(path: file, options: options)
        }
        Console.out(json ? JSON.serialize(uploaded.json) : uploaded.downloadUrl)
    }
}
