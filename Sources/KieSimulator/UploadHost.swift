import AsyncHTTPClient
import FoundationEssentials
import Hummingbird

/// The upload host (`kieai.redpandaai.co`, docs/kie-api.md §6): stream, base64 and URL uploads with the real reply
/// shape; errors as HTTP 200 with `{"success":false,"code":..,"msg":..}`.
extension Simulator {
    static let uploadRoutes: [String: Endpoint] = [
        "/api/file-stream-upload": .uploadStream,
        "/api/file-base64-upload": .uploadBase64,
        "/api/file-url-upload": .uploadUrl,
    ]

    func uploadHost(_ request: Request, _ context: SimContext) async throws -> Response {
        let path = request.uri.path
        guard let endpoint = Simulator.uploadRoutes[path] else {
            state.withLock { $0.count("unknown") }
            return uploadError(404, "Not Found", status: .notFound).response
        }
        guard request.method == .post else {
            state.withLock { $0.count("wrong-method") }
            var reply = uploadError(405, "Method Not Allowed", status: .methodNotAllowed)
            reply.headers[.allow] = "POST"
            return reply.response
        }
        var response = try await withFaults(endpoint, context: context, fallback: { _ in
            Reply(json: "{\"success\":true,\"code\":200,\"msg\":\"File uploaded successfully\",\"data\":null}")
        }) {
            await self.handleUpload(endpoint, request)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    func uploadError(_ code: Int, _ msg: String, status: HTTPResponse.Status? = nil) -> Reply {
        var out = "{\"success\":false,\"code\":\(code),\"msg\":"
        SimJSON.writeString(msg, into: &out)
        out += "}"
        let mirror = state.withLock { $0.config.errorHttpStatus == "mirror" }
        return Reply(status: status ?? (mirror ? .init(code: code) : .ok), json: out)
    }

    private func handleUpload(_ endpoint: Endpoint, _ request: Request) async -> Reply {
        guard let key = Simulator.bearerKey(request), state.withLock({ $0.balances[key] != nil }) else {
            return uploadError(401, "Authentication failed: Invalid API Key")
        }
        guard let body = await collect(request) else {
            return uploadError(413, "File too large", status: .contentTooLarge)
        }
        switch endpoint {
        case .uploadStream: return streamUpload(request, body: body)
        case .uploadBase64: return base64Upload(body)
        default: return await urlUpload(body)
        }
    }

    private func streamUpload(_ request: Request, body: [UInt8]) -> Reply {
        guard let contentType = request.headers[.contentType], let boundary = MultipartForm.boundary(fromContentType: contentType),
            let parts = MultipartForm.parse(body, boundary: boundary)
        else {
            return uploadError(400, "Missing required parameter: file (file to upload)")
        }
        guard let file = parts.first(where: { $0.name == "file" }) else {
            return uploadError(400, "Missing required parameter: file (file to upload)")
        }
        let text = { (name: String) -> String? in
            parts.first(where: { $0.name == name }).map { String(decoding: $0.body, as: UTF8.self) }
        }
        guard let uploadPath = text("uploadPath").map(Simulator.cleanUploadPath), !uploadPath.isEmpty else {
            return uploadError(400, "Missing required parameter: uploadPath (upload path)")
        }
        let fileName = text("fileName").flatMap { $0.isEmpty ? nil : $0 } ?? file.filename
        return store(bytes: file.body, uploadPath: uploadPath, fileName: fileName, mimeType: file.contentType)
    }

    private func base64Upload(_ body: [UInt8]) -> Reply {
        guard case .success(let json) = SimJSONParser.parse(body), json.objectValue != nil else {
            return uploadError(400, "Invalid JSON body")
        }
        guard let base64 = json["base64Data"]?.stringValue, !base64.isEmpty else {
            return uploadError(400, "Missing required parameter: base64Data (Base64 encoded file data)")
        }
        guard let uploadPath = json["uploadPath"]?.stringValue.map(Simulator.cleanUploadPath), !uploadPath.isEmpty else {
            return uploadError(400, "Missing required parameter: uploadPath (upload path)")
        }
        var payload = Substring(base64)
        var mimeType: String?
        // Data URL: data:image/png;base64,....
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") {
            let meta = payload[payload.index(payload.startIndex, offsetBy: 5)..<comma]
            mimeType = meta.split(separator: ";").first.map(String.init)
            payload = payload[payload.index(after: comma)...]
        }
        guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters), !data.isEmpty else {
            return uploadError(400, "Invalid base64 data")
        }
        let fileName = json["fileName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return store(bytes: Array(data), uploadPath: uploadPath, fileName: fileName, mimeType: mimeType)
    }

    private func urlUpload(_ body: [UInt8]) async -> Reply {
        guard case .success(let json) = SimJSONParser.parse(body), json.objectValue != nil else {
            return uploadError(400, "Invalid JSON body")
        }
        guard let fileUrl = json["fileUrl"]?.stringValue, !fileUrl.isEmpty else {
            return uploadError(400, "Missing required parameter: fileUrl (file download URL)")
        }
        guard let uploadPath = json["uploadPath"]?.stringValue.map(Simulator.cleanUploadPath), !uploadPath.isEmpty else {
            return uploadError(400, "Missing required parameter: uploadPath (upload path)")
        }
        guard let url = ParsedURL(fileUrl) else { return uploadError(400, "Invalid fileUrl: only http and https URLs are supported") }
        // The simulator only ever contacts loopback addresses.
        guard url.isLoopback else {
            return uploadError(500, "File download failed: the simulator only fetches loopback URLs")
        }
        let limit = state.withLock { $0.config.maxBodyBytes }
        var downloaded: [UInt8]
        var contentType: String?
        do {
            var request = HTTPClientRequest(url: fileUrl)
            request.method = .GET
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            guard (200..<300).contains(response.status.code) else {
                return uploadError(500, "File download failed: HTTP \(response.status.code)")
            }
            contentType = response.headers.first(name: "content-type")
            var buffer = try await response.body.collect(upTo: limit)
            downloaded = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return uploadError(500, "File download failed: \(error)")
        }
        let fileName = json["fileName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? url.path.split(separator: "/").last.map(String.init)
        return store(bytes: downloaded, uploadPath: uploadPath, fileName: fileName,
                     mimeType: contentType?.split(separator: ";").first.map { String($0).trimmedSpaces })
    }

    /// "images/test-uploads" from "/images/test-uploads/": the docs ask for no leading or trailing
    /// slash; the simulator trims them.
    static func cleanUploadPath(_ path: String) -> String {
        path.split(separator: "/").filter { !$0.isEmpty && $0 != "." && $0 != ".." }.joined(separator: "/")
    }

    /// Saves the file (same name overwrites, docs/kie-api.md §6) and answers with the real shape.
    private func store(bytes: [UInt8], uploadPath: String, fileName: String?, mimeType: String?) -> Reply {
        let cleanName = fileName.map { Simulator.cleanUploadPath($0).replacingSlashes } ?? ""
        let mime = mimeType.flatMap { $0.isEmpty || $0 == "application/octet-stream" ? nil : $0 }
            ?? Simulator.mimeType(fileName: cleanName, bytes: bytes)
        let name: String
        if cleanName.isEmpty {
            var rng = SystemRandomNumberGenerator()
            name = String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 16).leftPadded(16) + "."
                + Simulator.fileExtension(mimeType: mime)
        } else {
            name = cleanName
        }
        let (filePath, downloadUrl, uploadedAt) = state.withLock { s -> (String, String, Int64) in
            let now = s.clock.nowMs()
            let filePath = "kieai/\(s.config.accountId)/\(uploadPath)/\(name)"
            s.uploads[filePath] = StoredUpload(bytes: bytes, mimeType: mime, uploadedAtMs: now, fileName: name)
            return (filePath, "\(s.fileBase)/\(filePath)", now)
        }
        let data = SimJSON.object([
            ("success", .bool(true)), ("fileName", .string(name)), ("filePath", .string(filePath)),
            ("downloadUrl", .string(downloadUrl)), ("fileSize", .number(Double(bytes.count))),
            ("mimeType", .string(mime)), ("uploadedAt", .string(TimeFormat.iso8601(ms: uploadedAt))),
        ])
        return Reply(json: "{\"success\":true,\"code\":200,\"msg\":\"File uploaded successfully\",\"data\":\(data.serialized)}")
    }

    static func mimeType(fileName: String, bytes: [UInt8]) -> String {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        let ext = fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "png": return "image/png"
        case "jpg", "jpeg", "jfif", "pjpeg", "pjp": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        case "txt": return "text/plain"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }

    static func fileExtension(mimeType: String) -> String {
        switch mimeType {
        case "image/png": return "png"
        case "image/jpeg": return "jpg"
        case "image/webp": return "webp"
        case "image/gif": return "gif"
        case "text/plain": return "txt"
        default: return "bin"
        }
    }
}

extension String {
    fileprivate var replacingSlashes: String { split(separator: "/").joined(separator: "_") }
}
