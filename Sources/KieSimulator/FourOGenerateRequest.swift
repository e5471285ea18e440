// The generate request (docs/kie-api.md §1a) as the server checks it: a pure function from
// the parsed body to either a request or the 422 message naming the problem.

/// A generate request that passed validation.
public struct FourOGenerateRequest: Sendable, Equatable {
    public var prompt: String?
    public var filesUrl: [String]
    public var fileUrl: String?
    public var size: String
    public var nVariants: Int
    public var maskUrl: String?
    public var callBackUrl: String?
    public var isEnhance: Bool?
    public var uploadCn: Bool?
    public var enableFallback: Bool
    public var fallbackModel: String?
    /// The body's members as sent, used to build `paramJson`.
    public var sentMembers: [(String, SimJSON)]

    public static func == (lhs: FourOGenerateRequest, rhs: FourOGenerateRequest) -> Bool {
        lhs.prompt == rhs.prompt && lhs.filesUrl == rhs.filesUrl && lhs.fileUrl == rhs.fileUrl && lhs.size == rhs.size
            && lhs.nVariants == rhs.nVariants && lhs.maskUrl == rhs.maskUrl && lhs.callBackUrl == rhs.callBackUrl
            && lhs.isEnhance == rhs.isEnhance && lhs.uploadCn == rhs.uploadCn
            && lhs.enableFallback == rhs.enableFallback && lhs.fallbackModel == rhs.fallbackModel
    }

    public static let sizes = ["1:1", "3:2", "2:3"]
    public static let variantCounts = [1, 2, 4]
    public static let fallbackModels = ["GPT_IMAGE_1", "FLUX_MAX"]
    public static let maxFiles = 5
    public static let imageExtensions = ["jfif", "pjpeg", "jpeg", "pjp", "jpg", "png", "webp"]

    /// Validates a parsed body. `nVariantsMode` is `validate` or `ignore` (SimulatorConfig).
    public static func validate(_ body: SimJSON, nVariantsMode: String = "validate") -> Result<FourOGenerateRequest, GenerateRejection> {
        guard let members = body.objectValue else {
            return .failure(.init(code: 400, msg: "The parameter is not in a valid JSON format"))
        }
        do {
            return .success(try read(FieldReader(body: body), members: members, nVariantsMode: nVariantsMode))
        } catch {
            return .failure(error)
        }
    }

    /// The checks in the order the server makes them; the first problem is the answer.
    private static func read(
        _ f: FieldReader, members: [(String, SimJSON)], nVariantsMode: String
    ) throws(GenerateRejection) -> FourOGenerateRequest {
        guard let sizeValue = f.present("size") else { throw f.fail("size is required") }
        guard let size = sizeValue.stringValue else { throw f.fail("size must be a string") }
        guard sizes.contains(size) else { throw f.fail("size must be one of 1:1, 3:2, 2:3") }
        let prompt = try f.string("prompt")
        let filesUrl = try readFilesUrl(f)
        let fileUrl = try f.url("fileUrl")
        guard !(prompt ?? "").isEmpty || !filesUrl.isEmpty || fileUrl != nil else {
            throw f.fail("fileUrl or prompt must not be empty: provide prompt, filesUrl or fileUrl")
        }
        var nVariants = 1
        if let v = f.present("nVariants"), nVariantsMode == "validate" {
            guard let n = v.intValue else { throw f.fail("nVariants must be an integer") }
            guard variantCounts.contains(n) else { throw f.fail("nVariants must be one of 1, 2, 4") }
            nVariants = n
        }
        let maskUrl = try f.url("maskUrl")
        let callBackUrl = try f.url("callBackUrl")
        let isEnhance = try f.bool("isEnhance")
        let uploadCn = try f.bool("uploadCn")
        let enableFallback = try f.bool("enableFallback")
        let fallbackModel = try f.string("fallbackModel")
        if let model = fallbackModel, !fallbackModels.contains(model) {
            throw f.fail("fallbackModel must be one of GPT_IMAGE_1, FLUX_MAX")
        }
        return FourOGenerateRequest(
            prompt: prompt, filesUrl: filesUrl, fileUrl: fileUrl, size: size, nVariants: nVariants,
            maskUrl: maskUrl, callBackUrl: callBackUrl, isEnhance: isEnhance, uploadCn: uploadCn,
            enableFallback: enableFallback ?? false, fallbackModel: fallbackModel,
            sentMembers: members.filter { !$0.1.isNull })
    }

    private static func readFilesUrl(_ f: FieldReader) throws(GenerateRejection) -> [String] {
        guard let v = f.present("filesUrl") else { return [] }
        guard let items = v.arrayValue else { throw f.fail("filesUrl must be an array of URLs") }
        guard items.count <= maxFiles else { throw f.fail("filesUrl supports at most \(maxFiles) images") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue else { throw f.fail("filesUrl[\(i)] must be a string") }
            guard isHTTPURL(s) else { throw f.fail("filesUrl[\(i)] is not a valid http(s) URL") }
            if let ext = pathExtension(s), !imageExtensions.contains(ext) {
                throw f.fail("filesUrl[\(i)] has an unsupported format .\(ext); supported: .jfif, .pjpeg, .jpeg, .pjp, .jpg, .png, .webp")
            }
            out.append(s)
        }
        return out
    }

    /// The stored request as record-info shows it: the sent keys plus the server's own
    /// (`enableFallback` default false, `fileUrlOrPromptNotEmpty`, `nVariantsValid`), sorted by key
    /// like the real value (docs/kie-api.md §2a).
    public var paramJson: String {
        var merged: [String: SimJSON] = [:]
        for (k, v) in sentMembers { merged[k] = v }
        merged["enableFallback"] = .bool(enableFallback)
        merged["fileUrlOrPromptNotEmpty"] = .bool(true)
        merged["nVariantsValid"] = .bool(true)
        let ordered = merged.keys.sorted().map { ($0, merged[$0] ?? .null) }
        return SimJSON.object(ordered).serialized
    }

    static func isHTTPURL(_ s: String) -> Bool {
        guard let url = ParsedURL(s) else { return false }
        return !url.host.isEmpty
    }

    static func pathExtension(_ s: String) -> String? {
        guard let url = ParsedURL(s) else { return nil }
        let last = url.path.split(separator: "/").last.map(String.init) ?? ""
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return nil }
        let ext = last[last.index(after: dot)...].lowercased()
        return ext.isEmpty ? nil : ext
    }
}

/// Why a generate request was refused: body `code` (400 or 422) and `msg`.
/// Reads one body's optional fields; a present field of the wrong type is a 422 naming it.
private struct FieldReader {
    let body: SimJSON

    func fail(_ msg: String) -> GenerateRejection { GenerateRejection(code: 422, msg: msg) }

    /// The value of `key`, nil when absent or null.
    func present(_ key: String) -> SimJSON? {
        guard let v = body[key], !v.isNull else { return nil }
        return v
    }

    func string(_ key: String) throws(GenerateRejection) -> String? {
        guard let v = present(key) else { return nil }
        guard let s = v.stringValue else { throw fail("\(key) must be a string") }
        return s
    }

    func url(_ key: String) throws(GenerateRejection) -> String? {
        guard let s = try string(key) else { return nil }
        guard FourOGenerateRequest.isHTTPURL(s) else { throw fail("\(key) is not a valid http(s) URL") }
        return s
    }

    func bool(_ key: String) throws(GenerateRejection) -> Bool? {
        guard let v = present(key) else { return nil }
        guard let b = v.boolValue else { throw fail("\(key) must be a boolean") }
        return b
    }
}

public struct GenerateRejection: Error, Sendable, Equatable {
    public var code: Int
    public var msg: String
}

/// Just enough URL parsing for the simulator: scheme, host, port, path, query.
struct ParsedURL: Sendable, Equatable {
    var scheme: String
    var host: String
    var port: Int?
    var path: String
    var query: String?

    init?(_ s: String) {
        guard let schemeEnd = s.range(of: "://") else { return nil }
        let scheme = s[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        self.scheme = scheme
        let rest = s[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (0...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (0...65535).contains(p) else { return nil }
            port = p
        } else {
            host = authority
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " }) else { return nil }
        var tail = rest[authorityEnd...]
        if let hash = tail.firstIndex(of: "#") { tail = tail[..<hash] }
        if let q = tail.firstIndex(of: "?") {
            path = String(tail[..<q])
            query = String(tail[tail.index(after: q)...])
        } else {
            path = String(tail)
            query = nil
        }
        if path.isEmpty { path = "/" }
    }

    /// Loopback by name or address: the only hosts the simulator ever contacts.
    var isLoopback: Bool {
        let h = host.lowercased()
        return h == "localhost" || h.hasPrefix("127.") || h == "::1" || h == "0:0:0:0:0:0:0:1"
    }
}
