import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// Options of an upload (docs/kie-api.md §6). `uploadPath` has no leading or trailing slash; reusing a
/// `fileName` overwrites the earlier file.
public struct UploadOptions: Sendable {
    public enum Mode: String, Sendable { case auto, stream, base64 }
    public var uploadPath = "kieimage"
    public var fileName: String?
    public var mode = Mode.auto
    /// In auto mode, files up to this size go as base64 JSON, larger ones as multipart.
    public var base64Limit = 1 << 20
    public init() {}

    static let keys: Set<String> = ["uploadPath", "fileName", "mode"]

    public static func parse(json text: String?) throws(KieError) -> UploadOptions {
        var o = UploadOptions()
        guard let text, !text.isEmpty else { return o }
        let obj: JSONObject
        do { obj = try JSON.parseObject(text, what: "upload options") } catch { throw .invalidArgument(error.description) }
        for key in obj.keys where !keys.contains(key) { throw .invalidArgument("upload options: unknown key '\(key)'", field: key) }
        let r = ConfigReader(obj, prefix: "")
        if let p = try r.string("uploadPath") {
            let trimmed = p.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
            guard !trimmed.isEmpty else { throw .invalidArgument("uploadPath is empty", field: "uploadPath") }
            o.uploadPath = trimmed
        }
        o.fileName = try r.string("fileName")
        if let m = try r.string("mode") {
            guard let mode = Mode(rawValue: m) else { throw .invalidArgument("mode must be auto, stream or base64", field: "mode") }
            o.mode = mode
        }
        return o
    }
}

/// The upload host's answer (real shape, docs/kie-api.md §6): use `downloadUrl` in filesUrl / maskUrl.
public struct UploadedFile: Sendable {
    public var downloadUrl: String
    public var raw: JSONValue
    public var json: JSONValue {
        var o = raw.objectValue ?? JSONObject()
        o["downloadUrl"] = .string(downloadUrl)
        return .object(o)
    }
}

extension KieClient {
    /// Uploads a local file to the upload host: base64 JSON for small files, multipart for
    /// larger ones (docs/kie-api.md §6: base64 adds a third). Uploads are free and re-runnable, so they are
    /// retried like reads.
    public func upload(path: String, options: UploadOptions = UploadOptions()) async throws -> UploadedFile {
        let bytes = try LocalFile.read(path, limit: 100 << 20)
        return try await upload(bytes: bytes, name: options.fileName ?? String(path.split(separator: "/").last ?? "upload"), options: options)
    }

    /// Uploads bytes under a file name (its extension sets the content type).
    public func upload(bytes: [UInt8], name: String, options: UploadOptions = UploadOptions()) async throws -> UploadedFile {
        let useBase64 = options.mode == .base64 || (options.mode == .auto && bytes.count <= options.base64Limit)
        let env: Envelope
        if useBase64 {
            let body: JSONValue = [
                "base64Data": .string("data:\(MimeTypes.forName(name));base64," + Data(bytes).base64EncodedString()),
                "uploadPath": .string(options.uploadPath), "fileName": .string(name),
            ]
            env = try await caller.call(
                .init(name: "upload-base64", method: .POST, url: config.uploadBaseUrl + "/api/file-base64-upload", policy: .read),
                body: body)
        } else {
            let form = Multipart(fields: [("uploadPath", options.uploadPath), ("fileName", name)], file: ("file", name, MimeTypes.forName(name), bytes))
            env = try await caller.call(
                .init(name: "upload-stream", method: .POST, url: config.uploadBaseUrl + "/api/file-stream-upload", policy: .read),
                extraHeaders: [("Content-Type", form.contentType)], rawBody: form.body)
        }
        return try uploaded(env)
    }

    /// Asks the upload host to fetch a public URL (`/api/file-url-upload`).
    public func upload(url: String, options: UploadOptions = UploadOptions()) async throws -> UploadedFile {
        guard URLParts(url) != nil else { throw KieError.invalidArgument("fileUrl must be an absolute http(s) URL", field: "fileUrl") }
        var body: JSONObject = ["fileUrl": .string(url), "uploadPath": .string(options.uploadPath)]
        if let name = options.fileName { body["fileName"] = .string(name) }
        let env = try await caller.call(
            .init(name: "upload-url", method: .POST, url: config.uploadBaseUrl + "/api/file-url-upload", policy: .read),
            body: .object(body))
        return try uploaded(env)
    }

    func uploaded(_ env: Envelope) throws(KieError) -> UploadedFile {
        // `fileUrl` appears only in the quickstart's (wrong) sample; accept it as a fallback.
        guard let link = env.data["downloadUrl"]?.stringValue ?? env.data["fileUrl"]?.stringValue else {
            throw KieError(.protocol, "upload answered without downloadUrl")
        }
        return UploadedFile(downloadUrl: link, raw: env.data)
    }
}
