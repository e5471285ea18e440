/// Validation of generate requests before any network call (spec/kie-api.md §1a and the seed spec).
/// Every error names the offending field.
public enum RequestValidator {
    public static let maxFiles = 5
    public static let supportedExtensions: Set<String> = ["jfif", "pjpeg", "jpeg", "pjp", "jpg", "png", "webp"]
    static let knownFields: Set<String> = [
        "prompt", "filesUrl", "size", "nVariants", "maskUrl", "callBackUrl", "isEnhance", "uploadCn",
        "enableFallback", "fallbackModel", "fileUrl",
    ]
    static let validVariants: Set<Int64> = [1, 2, 4]

    /// Validates request JSON text (the C ABI and bindings' input).
    public static func validate(json text: String) throws(KieError) -> ValidatedRequest {
        let object: JSONObject
        do { object = try JSON.parseObject(text, what: "request") } catch { throw .invalidArgument(error.description) }
        return try validate(object)
    }

    public static func validate(_ o: JSONObject) throws(KieError) -> ValidatedRequest {
        var warnings: [String] = []
        for key in o.keys where !knownFields.contains(key) {
            throw .validation("unknown field '\(key)'", field: key)
        }
        guard let sizeValue = o["size"], !sizeValue.isNull else {
            throw .validation("size is required (one of 1:1, 3:2, 2:3)", field: "size")
        }
        guard let sizeText = sizeValue.stringValue, let size = GenerateRequest.Size(rawValue: sizeText) else {
            throw .validation("size must be one of 1:1, 3:2, 2:3", field: "size")
        }
        var request = GenerateRequest(size: size)
        request.prompt = try optionalString(o, "prompt")
        if let files = o["filesUrl"], !files.isNull {
            guard let items = files.arrayValue else { throw .validation("filesUrl must be an array of URLs", field: "filesUrl") }
            for item in items {
                guard let url = item.stringValue else { throw .validation("filesUrl entries must be strings", field: "filesUrl") }
                try checkImageURL(url, field: "filesUrl")
                request.filesUrl.append(url)
            }
        }
        if let fileUrl = try optionalString(o, "fileUrl") {
            try checkImageURL(fileUrl, field: "fileUrl")
            warnings.append("fileUrl is deprecated; it was sent as filesUrl")
            if !request.filesUrl.contains(fileUrl) { request.filesUrl.append(fileUrl) }
        }
        if request.filesUrl.count > maxFiles {
            throw .validation("filesUrl holds at most \(maxFiles) URLs, got \(request.filesUrl.count)", field: "filesUrl")
        }
        let hasPrompt = !(request.prompt ?? "").trimmed.isEmpty
        if !hasPrompt && request.filesUrl.isEmpty {
            throw .validation("either prompt or filesUrl must be given", field: "prompt")
        }
        if let n = o["nVariants"], !n.isNull {
            guard let v = n.int64Value, case .int = n, validVariants.contains(v) else {
                throw .validation("nVariants must be 1, 2 or 4", field: "nVariants")
            }
            request.nVariants = Int(v)
        }
        if let mask = try optionalString(o, "maskUrl") {
            try checkImageURL(mask, field: "maskUrl")
            request.maskUrl = mask
            if request.filesUrl.count > 1 {
                warnings.append("maskUrl is ignored by the server when filesUrl holds more than one image")
            }
        }
        if let callback = try optionalString(o, "callBackUrl") {
            try checkHTTPURL(callback, field: "callBackUrl")
            request.callBackUrl = callback
        }
        request.isEnhance = try optionalBool(o, "isEnhance")
        request.uploadCn = try optionalBool(o, "uploadCn")
        request.enableFallback = try optionalBool(o, "enableFallback")
        if let model = try optionalString(o, "fallbackModel") {
            guard let m = GenerateRequest.FallbackModel(rawValue: model) else {
                throw .validation("fallbackModel must be GPT_IMAGE_1 or FLUX_MAX", field: "fallbackModel")
            }
            guard request.enableFallback == true else {
                throw .validation("fallbackModel takes effect only with enableFallback: true", field: "fallbackModel")
            }
            request.fallbackModel = m
        }
        return ValidatedRequest(request: request, warnings: warnings)
    }

    static func optionalString(_ o: JSONObject, _ key: String) throws(KieError) -> String? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw .validation("\(key) must be a string", field: key) }
        return s
    }

    static func optionalBool(_ o: JSONObject, _ key: String) throws(KieError) -> Bool? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let b = v.boolValue else { throw .validation("\(key) must be true or false", field: key) }
        return b
    }

    static func checkHTTPURL(_ url: String, field: String) throws(KieError) {
        guard URLParts(url) != nil else {
            throw .validation("\(field) must be an absolute http(s) URL, got '\(url.prefix(200))'", field: field)
        }
    }

    static func checkImageURL(_ url: String, field: String) throws(KieError) {
        guard let parts = URLParts(url) else {
            throw .validation("\(field) must be an absolute http(s) URL, got '\(url.prefix(200))'", field: field)
        }
        let last = parts.path.split(separator: "/").last.map(String.init) ?? ""
        if let dot = last.lastIndex(of: "."), dot != last.startIndex {
            let ext = last[last.index(after: dot)...].lowercased()
            guard supportedExtensions.contains(ext) else {
                throw .validation(
                    "\(field) has unsupported image type '.\(ext)' (supported: .jfif .pjpeg .jpeg .pjp .jpg .png .webp)",
                    field: field)
            }
        }
    }
}
