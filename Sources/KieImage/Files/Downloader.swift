/// One result saved to disk.
public struct DownloadedFile: Sendable {
    public var url: String
    public var path: String
    public var bytes: Int
    public var contentType: String?

    public var json: JSONValue {
        ["url": .string(url), "path": .string(path), "bytes": .int(Int64(bytes)), "contentType": .string(contentType)]
    }
}

extension KieClient {
    /// Saves every result URL of a successful task into `directory` (created if missing), in
    /// parallel, as `<taskId>_<index>.<ext>` with the extension from the content type. Each file is
    /// streamed to a temporary name and renamed into place when complete. Failed fetches are
    /// retried; when the direct link keeps failing, a fresh one is minted through download-url
    /// (docs/kie-api.md §4, §7). The API key is never sent to the file host.
    public func download(_ task: KieTask, to directory: String) async throws -> [DownloadedFile] {
        try Self.checkDirectory(directory)
        guard task.isSuccess else {
            throw KieError(.invalidArgument, "task \(task.taskId) is \(task.status.rawValue): nothing to download", taskId: task.taskId)
        }
        guard !task.resultUrls.isEmpty else { throw KieError(.protocol, "task \(task.taskId) succeeded without result URLs", taskId: task.taskId) }
        return try await save(taskId: task.taskId, family: task.family, urls: task.resultUrls, to: directory)
    }

    /// Saves the results of the task named by its id (kie_download, which reads only the id and
    /// family from the task JSON it is given): those of the task as this client last read it
    /// succeeded (`HeldResults`), else those of one read of it (asking `family` when given), as
    /// `download(_:to:)` saves them.
    public func download(taskId: String, family: TaskFamily? = nil, to directory: String) async throws -> [DownloadedFile] {
        try Self.checkTaskId(taskId)
        try Self.checkDirectory(directory)
        if let held = held.results(of: taskId) {
            return try await save(taskId: taskId, family: held.family, urls: held.urls, to: directory)
        }
        return try await download(task(taskId, family: family), to: directory)
    }

    private static func checkDirectory(_ directory: String) throws(KieError) {
        guard !directory.isEmpty, !directory.utf8.contains(0) else {
            throw KieError.invalidArgument("download directory must be a non-empty path", field: "dir")
        }
    }

    /// Fetches every URL in parallel, then journals the task as downloaded.
    private func save(taskId: String, family: TaskFamily, urls: [String], to directory: String) async throws -> [DownloadedFile] {
        try Directories.create(directory)
        return try await withThrowingTaskGroup(of: DownloadedFile.self) { group in
            for (index, url) in urls.enumerated() {
                group.addTask { try await self.downloadOne(taskId: taskId, family: family, url: url, index: index, directory: directory) }
            }
            var files: [DownloadedFile] = []
            for try await f in group {
                files.append(f)
            }
            files.sort { $0.path < $1.path }
            do {
                try journal?.settle(taskId: taskId, .downloaded, detail: ["files": .array(files.map { .string($0.path) })])
            } catch {
                // The files are saved; a resumed run would only download them again.
                logger.warning("journal: could not record the download", metadata: ["taskId": "\(taskId)", "reason": "\(KieError.wrap(error).message)"])
            }
            await recordEndInLedger(taskId, .downloaded, detail: ["files": .array(files.map { .string($0.path) })])
            return files
        }
    }

    func downloadOne(taskId: String, family: TaskFamily?, url: String, index: Int, directory: String) async throws -> DownloadedFile {
        let stem = "\(taskId)_\(index)"
        FileSink.removeStale(directory: directory, stem: stem)
        var link = url
        var reminted = false
        var attempt = 0
        while true {
            attempt += 1
            let failure: KieError
            let decision: RetryDecision
            do {
                return try await fetch(link, original: url, stem: stem, directory: directory)
            } catch let f as FailedAttempt {
                failure = f.error
                decision = config.retry.decide(f.verdict, attempt: attempt, policy: .fileDownload)
            }
            switch decision {
            case .retry(let delay) where attempt < 2 || reminted:
                logger.notice("retrying download", metadata: ["attempt": "\(attempt)", "delayMs": "\(delay)", "taskId": "\(taskId)"])
                try await Task.sleep(for: .milliseconds(delay))
            default:
                guard !reminted else { throw failure }
                // The direct link failed twice or for good: mint a fresh one (valid 20 minutes).
                logger.notice("minting a download link", metadata: ["taskId": "\(taskId)", "reason": "\(failure.message)"])
                do {
                    link = try await downloadURL(taskId: taskId, url: url, family: family)
                } catch let e as KieError {
                    // Report why the file could not be fetched, and that minting did not help.
                    var f = failure
                    f.message += "; minting a new link failed too: \(e.status.name): \(e.message)"
                    throw f
                }
                reminted = true
                attempt = 0
            }
        }
    }

    func fetch(_ link: String, original: String, stem: String, directory: String) async throws -> DownloadedFile {
        let sink = try FileSink(directory: directory, stem: stem)
        do {
            let (status, type) = try await transport.download(
                url: link, timeoutMs: config.requestTimeoutMs, accept: FileTypes.isFileContent
            ) { chunk in
                try sink.write(chunk)
            }
            guard status == 200 else {
                sink.discard()
                if status == 0 {
                    // An error page or envelope with status 200 (e.g. a proxy's): never saved as the image.
                    throw Self.fileFailure(.malformed, "file host answered \(type ?? "no content type") instead of a file", httpStatus: 200)
                }
                throw Self.fileFailure(.http(status), "file host answered HTTP \(status)", httpStatus: status)
            }
            let ext = FileTypes.fileExtension(contentType: type, url: original)
            guard FileTypes.isComplete(tail: sink.tail, fileExtension: ext) else {
                sink.discard()
                throw Self.fileFailure(.malformed, "file host sent an incomplete \(ext) (\(sink.bytes) bytes, no end marker)", httpStatus: 200)
            }
            let path = "\(directory)/\(stem).\(ext)"
            try sink.commit(to: path)
            return DownloadedFile(url: original, path: path, bytes: sink.bytes, contentType: type)
        } catch let t as TransportFailure {
            sink.discard()
            throw Self.fileFailure(.transport(t.kind), "download: \(t.message)")
        } catch {
            sink.discard()
            throw error
        }
    }

    /// A failed fetch as the file downloads' failure policy reports it.
    static func fileFailure(_ failure: AttemptFailure, _ message: String, httpStatus: Int? = nil) -> FailedAttempt {
        FailedAttempt(failure, policy: .fileDownload, message: message, httpStatus: httpStatus)
    }
}

enum FileTypes {
    static let byContentType = ["image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/webp": "webp", "image/gif": "gif"]
    static let known: Set<String> = ["png", "jpg", "jpeg", "webp", "gif"]

    /// Whether an image ends with its format's end marker: PNG's IEND chunk, JPEG's EOI. A body
    /// cut short by a proxy or a dropped connection with a complete-looking HTTP answer fails.
    static func isComplete(tail: [UInt8], fileExtension: String) -> Bool {
        switch fileExtension {
        case "png": return tail.count >= 12 && Array(tail.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        case "jpg", "jpeg": return tail.suffix(2).elementsEqual([0xFF, 0xD9])
        default: return true
        }
    }

    /// JSON, HTML or text is an error page, not a result.
    static func isFileContent(_ contentType: String?) -> Bool {
        guard let t = contentType?.lowercased() else { return true }
        return !(t.hasPrefix("application/json") || t.hasPrefix("text/") || t.hasPrefix("application/xml"))
    }

    static func fileExtension(contentType: String?, url: String) -> String {
        if let type = contentType?.split(separator: ";").first.map({ String($0.trimmed).lowercased() }),
           let ext = byContentType[type] { return ext }
        if let path = URLParts(url)?.path, let dot = path.lastIndex(of: ".") {
            let ext = path[path.index(after: dot)...].lowercased()
            if known.contains(ext) { return ext }
        }
        return "bin"
    }
}
