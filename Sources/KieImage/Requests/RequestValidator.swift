/// Validation of generate requests of both families before any network call. Each rule, with
/// its source, is listed in docs/validation.md; every error names the offending field.
public enum RequestValidator {
    public static let maxFiles = 5
    /// GPT Image 1's prompt limit, counted in Unicode scalars (docs/validation.md, "prompt").
    public static let maxPromptLength = 32_000
    /// The longest `tag`, in UTF-8 bytes.
    public static let maxTagBytes = 256
    public static let supportedExtensions: Set<String> = ["jfif", "pjpeg", "jpeg", "pjp", "jpg", "png", "webp"]
    /// A list, not a Set: a request holds a handful of keys, and comparing each with these (lengths
    /// first) costs less than hashing it (P4 in BENCHMARKS.md: 1.5k of a 25k request build).
    static let knownFields: [String] = [
        "prompt", "filesUrl", "size", "nVariants", "maskUrl", "callBackUrl", "isEnhance", "uploadCn",
        "enableFallback", "fallbackModel", "fileUrl", "tag",
    ]

    static func isKnownField(_ key: String) -> Bool {
        let length = key.utf8.count
        return knownFields.contains { $0.utf8.count == length && $0 == key }
    }

    /// Validates request JSON text (the C ABI and bindings' input), of either family.
    public static func validate(json text: String) throws(KieError) -> ValidatedRequest {
        let object: JSONObject
        do { object = try JSON.parseObject(text, what: "request") } catch { throw .invalidArgument(error.description) }
        return try validate(object)
    }

    /// Validates a request object: a Market request when it has `model` or `input`, else 4o.
    public static func validate(_ o: JSONObject) throws(KieError) -> ValidatedRequest {
        if let key = o["idempotencyKey"] { return try withIdempotencyKey(o, key) }
        let tag = try validTag(o["tag"])
        if o["model"] != nil || o["input"] != nil { return try MarketValidator.validate(o, tag: tag) }
        return try validateFourO(o, tag: tag)
    }

    /// A request with a top-level `idempotencyKey` (docs/ledger.md, "Idempotency keys"): the key
    /// is taken out (never sent to kie) and the rest validated as any request.
    private static func withIdempotencyKey(_ o: JSONObject, _ key: JSONValue) throws(KieError) -> ValidatedRequest {
        var rest = o
        rest["idempotencyKey"] = nil
        var validated = try validate(rest)
        validated.idempotencyKey = try validKey(key, field: "idempotencyKey")
        return validated
    }

    /// The typed 4o entry point: the request's body goes through the same rules as JSON input.
    public static func validate(_ request: GenerateRequest, tag: String? = nil) throws(KieError) -> ValidatedRequest {
        var o = request.body.objectValue ?? JSONObject()
        if let tag { o["tag"] = .string(tag) }
        return try validateFourO(o, tag: validTag(o["tag"]))
    }

    /// The typed Market entry point.
    public static func validateMarket(
        model: String, input: JSONObject, callBackUrl: String? = nil, tag: String? = nil
    ) throws(KieError) -> ValidatedRequest {
        var o: JSONObject = ["model": .string(model), "input": .object(input)]
        if let callBackUrl { o["callBackUrl"] = .string(callBackUrl) }
        return try MarketValidator.validate(o, tag: validTag(tag.map { .string($0) }))
    }

    /// `tag`: absent/null, or a non-empty string of at most `maxTagBytes` UTF-8 bytes.
    static func validTag(_ v: JSONValue?) throws(KieError) -> String? {
        guard let v else { return nil }
        return try validKey(v, field: "tag")
    }

    /// `tag` and `idempotencyKey`: null, or a non-empty string of at most `maxTagBytes` UTF-8 bytes.
    static func validKey(_ v: JSONValue, field: String) throws(KieError) -> String? {
        guard !v.isNull else { return nil }
        guard let s = v.stringValue else { throw .validation("\(field) must be a string", field: field) }
        guard !s.isEmpty else { throw .validation("\(field) must not be empty (omit it instead)", field: field) }
        guard s.utf8.count <= maxTagBytes else {
            throw .validation("\(field) holds at most \(maxTagBytes) bytes of UTF-8, got \(s.utf8.count)", field: field)
        }
        return s
    }

    static func validateFourO(_ o: JSONObject, tag: String?) throws(KieError) -> ValidatedRequest {
        var warnings: [String] = []
        for (key, _) in o.pairs where !isKnownField(key) {
            throw .validation("unknown field '\(key)': kie ignores fields it does not know, so the task would run without it", field: key)
        }
        guard let sizeValue = o["size"], !sizeValue.isNull else {
            throw .validation("size is required (one of 1:1, 3:2, 2:3)", field: "size")
        }
        guard let sizeText = sizeValue.stringValue, let size = GenerateRequest.Size(rawValue: sizeText) else {
            throw .validation("size must be one of 1:1, 3:2, 2:3", field: "size")
        }
        var request = GenerateRequest(size: size)
        request.prompt = try optionalString(o, "prompt")
        if let prompt = request.prompt, prompt.hasMoreScalars(than: maxPromptLength) {
            throw .validation(
                "prompt holds at most \(maxPromptLength) characters (Unicode scalars), got \(prompt.unicodeScalars.count)",
                field: "prompt")
        }
        try readFiles(o, into: &request, warnings: &warnings)
        let hasPrompt = !(request.prompt?.isBlank ?? true)
        if !hasPrompt && request.filesUrl.isEmpty {
            throw .validation("either prompt or filesUrl must be given", field: "prompt")
        }
        if let n = o["nVariants"], !n.isNull {
            guard let v = n.int64Value, case .int = n, v == 1 || v == 2 || v == 4 else {
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
        try readFallback(o, into: &request, warnings: &warnings)
        return ValidatedRequest(family: .fourO, body: request.body, tag: tag, warnings: warnings)
    }

    /// `filesUrl`, and the deprecated `fileUrl` sent as one of them.
    private static func readFiles(_ o: JSONObject, into request: inout GenerateRequest, warnings: inout [String]) throws(KieError) {
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
    }

    /// `enableFallback` and `fallbackModel`.
    private static func readFallback(_ o: JSONObject, into request: inout GenerateRequest, warnings: inout [String]) throws(KieError) {
        request.enableFallback = try optionalBool(o, "enableFallback")
        if let model = try optionalString(o, "fallbackModel") {
            guard let m = GenerateRequest.FallbackModel(rawValue: model) else {
                throw .validation("fallbackModel must be GPT_IMAGE_1 or FLUX_MAX", field: "fallbackModel")
            }
            if request.enableFallback != true {
                warnings.append("fallbackModel takes effect only with enableFallback: true; sent as given")
            }
            request.fallbackModel = m
        }
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

    /// An image input: an absolute http(s) URL, or a local file (`file:` URL or absolute path)
    /// the client uploads first (docs/inputs-proxies-budget.md, "Local files as inputs").
    static func checkImageURL(_ url: String, field: String) throws(KieError) {
        guard let path = LocalInputs.path(of: url) ?? URLParts(url)?.path else {
            throw .validation("\(field) must be an absolute http(s) URL or a local file (file: URL or absolute path), got '\(url.prefix(200))'", field: field)
        }
        let last = path.split(separator: "/").last.map(String.init) ?? ""
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
