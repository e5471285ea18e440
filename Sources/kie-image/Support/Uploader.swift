import KieImage

/// Uploads a local file through the client and returns the URL to put in a request.
enum Uploader {
    static func upload(_ session: Session, path: String, uploadPath: String = "kieimage") async throws -> UploadedFile {
        var options = UploadOptions()
        options.uploadPath = uploadPath
        // Re-using a name overwrites the earlier file (docs/kie-api.md §6): keep same-named inputs apart.
        let base = path.split(separator: "/").last.map(String.init) ?? "upload"
        options.fileName = String(UInt32.random(in: 0...UInt32.max), radix: 16) + "-" + base
        return try await session.client.upload(path: path, options: options)
    }

    static func url(_ session: Session, path: String) async throws -> String {
        try await upload(session, path: path).downloadUrl
    }
}
