import ArgumentParser
import KieImage

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a local image to kie.ai's file host and print its URL (usable as --image).",
        discussion: """
            Uploads are free; the file is kept about a day (docs/kie-api.md §6: 24 h to 3 days).

            EXAMPLES:
              kie-image upload photo.png
              kie-image generate --prompt "Night" --size 3:2 \\
                --image "$(kie-image upload photo.png)"
              kie-image upload photo.png --upload-path my/inputs --json
            """
    )

    @Argument(help: "The file to upload.")
    var file: String

    @Option(name: .customLong("upload-path"), help: ArgumentHelp("Folder on the file host (no leading/trailing slash).", valueName: "PATH"))
    var uploadPath: String = "kieimage"

    @Flag(help: "Print the upload host's answer as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        JSONErrors.enable(json)
        try LocalFiles.checkReadable(file, option: "upload")
        let uploaded = try await Session.with(client) { try await Uploader.upload($0, path: file, uploadPath: uploadPath) }
        Console.out(json ? JSON.serialize(uploaded.json) : uploaded.downloadUrl)
    }
}
