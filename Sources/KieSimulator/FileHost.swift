import Crypto
import FoundationEssentials
import Hummingbird

/// The file host (`tempfile.aiquickdraw.com` for results, `tempfile.redpandaai.co` for uploads, and
/// the R2 presigned links of download-url under `/r2/`). No auth; each request is logged with
/// whether it carried an Authorization header, so a client can prove it never sends its key here.
extension Simulator {
    func fileHost(_ request: Request, _ context: SimContext) async throws -> Response {
        let path = request.uri.path
        let hadAuthorization = request.headers[.authorization] != nil
        do {
            let response = try await withFaults(.file, context: context, fallback: { _ in Simulator.notFoundXML() }) {
                await self.serveFile(request, path: path)
            }
            state.withLock { $0.logFile(path: path, hadAuthorization: hadAuthorization, status: Int(response.status.code)) }
            return response
        } catch {
            state.withLock { $0.logFile(path: path, hadAuthorization: hadAuthorization, status: 0) }
            throw error
        }
    }

    private func serveFile(_ request: Request, path: String) async -> Reply {
        guard request.method == .get || request.method == .head else {
            var reply = Reply(status: .methodNotAllowed, contentType: "application/xml", bytes: Array(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message></Error>".utf8))
            reply.headers[.allow] = "GET, HEAD"
            return reply
        }
        var filePath = path
        if path.hasPrefix("/r2/") {
            filePath = String(path.dropFirst(3))
            if let problem = checkPresigned(path: filePath, query: request.uri.query ?? "") {
                return Reply(status: .forbidden, contentType: "application/xml", bytes: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>\(problem)</Message></Error>".utf8))
            }
        }
        let found = state.withLock { $0.findFile(filePath) }
        switch found {
        case .result(let size, let seed, let format):
            guard let image = images.image(size: size, seed: seed, format: format) else {
                return Reply(status: .internalServerError, contentType: "application/xml", bytes: Array(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>".utf8))
            }
            return Reply(status: .ok, contentType: format.mimeType, bytes: request.method == .head ? [] : image)
        case .upload(let file):
            return Reply(status: .ok, contentType: file.mimeType, bytes: request.method == .head ? [] : file.bytes)
        case nil:
            return Simulator.notFoundXML()
        }
    }

    static func notFoundXML() -> Reply {
        Reply(status: .notFound, contentType: "application/xml", bytes: Array(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".utf8))
    }

    /// A link to `path` on the file host shaped like an R2 presigned URL (`X-Amz-Expires=1200`),
    /// valid `downloadUrlTtlMs` by the simulator clock (docs/kie-api.md §4).
    func presign(path: String) -> String {
        let (base, now, ttl) = state.withLock { ($0.fileBase, $0.clock.nowMs(), $0.config.downloadUrlTtlMs) }
        let amzDate = TimeFormat.amzDate(ms: now)
        let expires = min(max(1, ttl / 1000), 604_800)
        let signature = presignSignature(path: path, amzDate: amzDate, expires: expires)
        let day = String(amzDate.prefix(8))
        return "\(base)/r2\(path)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"
            + "&X-Amz-Credential=kiesim%2F\(day)%2Fauto%2Fs3%2Faws4_request&X-Amz-Date=\(amzDate)"
            + "&X-Amz-Expires=\(expires)&X-Amz-Signature=\(signature)&X-Amz-SignedHeaders=host&x-id=GetObject"
    }

    private func presignSignature(path: String, amzDate: String, expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(path)\n\(amzDate)\n\(expires)".utf8), using: SymmetricKey(data: presignSecret))
        return mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// nil when the presigned query is genuine and unexpired, else S3's words for the problem.
    private func checkPresigned(path: String, query: String) -> String? {
        var params: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { params[kv[0]] = kv[1] }
        }
        guard let amzDate = params["X-Amz-Date"], let expiresText = params["X-Amz-Expires"],
            let expires = Int64(expiresText), (1...604_800).contains(expires), let signature = params["X-Amz-Signature"],
            let signedAt = TimeFormat.parseAmzDate(amzDate)
        else { return "Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters" }
        guard presignSignature(path: path, amzDate: amzDate, expires: expires) == signature else {
            return "The request signature we calculated does not match the signature you provided."
        }
        let now = state.withLock { $0.clock.nowMs() }
        // The signature covers whole seconds; the link is good until signedAt + expires.
        if now >= signedAt + expires * 1000 + 1000 { return "Request has expired" }
        return nil
    }
}

/// What a file host path names.
enum FoundFile {
    /// `size` is a 4o size (`3:2`) or pixels (`1024x576`).
    case result(size: String, seed: UInt64, format: ImageFormat)
    case upload(StoredUpload)
}

extension StateData {
    /// The result or upload at `filePath` if it exists now (counting a hit on its task).
    mutating func findFile(_ filePath: String) -> FoundFile? {
        let now = clock.nowMs()
        if filePath.hasPrefix("/s/") {
            let name = String(filePath.dropFirst(3))
            guard let (taskId, index) = resultIndex[name], var task = tasks[taskId] else { return nil }
            task.hits[.file, default: 0] += 1
            tasks[taskId] = task
            // Results exist once the task succeeded, and for 14 days after (docs/kie-api.md §7).
            guard task.outcome == .success, now >= task.completeAtMs,
                now - task.completeAtMs < config.resultRetentionMs
            else { return nil }
            return .result(size: task.request.size,
                           seed: ResultImage.seed(task.request.prompt ?? "", task.taskId, String(index)), format: .png)
        }
        if filePath.hasPrefix("/m/") {
            let name = String(filePath.dropFirst(3))
            guard let (taskId, index) = marketResultIndex[name], var task = marketTasks[taskId] else { return nil }
            task.hits[.file, default: 0] += 1
            marketTasks[taskId] = task
            guard task.outcome == .success, now >= task.completeAtMs,
                now - task.completeAtMs < config.resultRetentionMs
            else { return nil }
            return .result(size: "\(task.width)x\(task.height)",
                           seed: ResultImage.seed(task.request.prompt ?? "", task.taskId, String(index)), format: task.format)
        }
        if filePath.hasPrefix("/kieai/") {
            let key = String(filePath.dropFirst())
            guard let file = uploads[key], now - file.uploadedAtMs < config.uploadRetentionMs else { return nil }
            return .upload(file)
        }
        return nil
    }

    mutating func logFile(path: String, hadAuthorization: Bool, status: Int) {
        fileRequests += 1
        if hadAuthorization { fileRequestsWithAuthorization += 1 }
        fileLog.append(FileRequestRecord(path: path, hadAuthorization: hadAuthorization, status: status))
        if fileLog.count > 2000 { fileLog.removeFirst(fileLog.count - 2000) }
    }
}
