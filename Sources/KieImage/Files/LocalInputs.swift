#if canImport(Glibc)
import Glibc
#endif

/// Local files named where a request takes image URLs (docs/inputs-proxies-budget.md, "Local files as inputs"):
/// a `file:` URL or an absolute path in 4o `filesUrl`/`fileUrl`/`maskUrl`, in a Market preset's
/// URL inputs (`input_urls`), and in any Market input of another model whose key ends in `_url`
/// or `_urls` (or, under any key, a `file:` URL). The client uploads each before the generate
/// and sends the uploaded URL instead.
enum LocalInputs {
    /// One local file in a request: the field that names it, its path, and what kie accepts there.
    struct Ref: Equatable {
        var field: String
        var path: String
        var maxBytes: Int
        /// File types (extensions) the field takes; nil: any file.
        var types: Set<String>?
    }

    /// The upload host's own limit on what the library sends it (docs/kie-api.md §6: ≤100 MB).
    static let uploadLimit = 100 << 20
    /// 4o inputs: "Input images > 26 214 400 bytes are rejected" (docs/kie-api.md §1a).
    static let fourOLimit = 26_214_400
    /// GPT Image 1.5's `input_urls`: "jpeg/png/webp ≤10 MB each" (docs/kie-market-api.md §5a).
    static let gpt15Limit = 10 << 20
    /// How long an upload is reused: kie keeps uploads 24 hours (docs/kie-api.md §6, "Retention",
    /// the shorter of kie's two figures), less an hour for the task to fetch it.
    static let reuseMs: Int64 = 23 * 3_600_000

    /// The path a URL field's value names when it is a local file: `file:///p`,
    /// `file://localhost/p`, `file:/p` (percent-decoded), or an absolute path `/p`; else nil.
    static func path(of value: String) -> String? {
        if value.hasPrefix("/") { return value.hasPrefix("//") ? nil : value }
        guard value.lowercased().hasPrefix("file:") else { return nil }
        var rest = Substring(value.dropFirst(5))
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            if rest.lowercased().hasPrefix("localhost/") { rest = rest.dropFirst(9) }
            guard rest.hasPrefix("/") else { return nil }
        }
        guard rest.hasPrefix("/"), !rest.hasPrefix("//"), !rest.contains("?"), !rest.contains("#") else { return nil }
        let decoded = ProxySettings.percentDecoded(rest)
        return decoded.contains("\0") ? nil : decoded
    }

    /// Whether a value is a `file:` URL (local under any key of a model without a preset).
    static func isFileURL(_ value: String) -> Bool { value.lowercased().hasPrefix("file:") }

    /// The local files a validated request names, in body order.
    static func refs(in v: ValidatedRequest) -> [Ref] {
        var out: [Ref] = []
        _ = rewrite(v) { ref in out.append(ref); return nil }
        return out
    }

    /// The request with every local file replaced by `url(ref)` (nil keeps the value).
    static func rewrite(_ v: ValidatedRequest, _ url: (Ref) -> String?) -> ValidatedRequest {
        guard var body = v.body.objectValue else { return v }
        var out = v
        switch v.family {
        case .fourO:
            for key in ["filesUrl", "maskUrl"] {
                body[key] = body[key].map { mapStrings($0, field: key, maxBytes: fourOLimit, types: RequestValidator.supportedExtensions, url) }
            }
        case .market:
            guard var input = body["input"]?.objectValue else { return v }
            let preset = v.model.flatMap(ModelPresets.preset(for:))
            for (key, value) in input.pairs {
                let name = "input." + key
                if case .urls(_, let types)? = preset?.field(key)?.kind {
                    let limit = preset?.name == "GPT Image 1.5" ? gpt15Limit : uploadLimit
                    input[key] = mapStrings(value, field: name, maxBytes: limit, types: types, url)
                } else if preset == nil {
                    let urlKey = key.hasSuffix("_url") || key.hasSuffix("_urls")
                    input[key] = mapStrings(value, field: name, maxBytes: uploadLimit, types: nil, fileURLsOnly: !urlKey, url)
                }
            }
            body["input"] = .object(input)
        }
        out.body = .object(body)
        return out
    }

    private static func mapStrings(
        _ value: JSONValue, field: String, maxBytes: Int, types: Set<String>?, fileURLsOnly: Bool = false, _ url: (Ref) -> String?
    ) -> JSONValue {
        func one(_ s: String) -> String {
            guard !fileURLsOnly || isFileURL(s), let path = path(of: s) else { return s }
            return url(Ref(field: field, path: path, maxBytes: maxBytes, types: types)) ?? s
        }
        if let s = value.stringValue { return .string(one(s)) }
        if let items = value.arrayValue, items.contains(where: { $0.stringValue != nil }) {
            return .array(items.map { $0.stringValue.map { .string(one($0)) } ?? $0 })
        }
        return value
    }

    /// Reads a local input after checking it: missing, unreadable or a directory is IO naming the
    /// file; empty, over the field's limit, or of a type the field does not take is VALIDATION
    /// naming the field. Returns the bytes and the file type (extension) to upload it as.
    static func read(_ ref: Ref) throws(KieError) -> (bytes: [UInt8], type: String) {
        var st = stat()
        guard stat(ref.path, &st) == 0 else { throw KieError(.io, "\(ref.field): cannot read \(ref.path): \(Errno.text())", field: ref.field) }
        guard (st.st_mode & 0o170000) != 0o040000 else { throw KieError(.io, "\(ref.field): \(ref.path) is a directory, not a file", field: ref.field) }
        guard st.st_size > 0 else { throw KieError.validation("\(ref.field): \(ref.path) is empty (0 bytes): kie refuses an empty file", field: ref.field) }
        guard Int(st.st_size) <= ref.maxBytes else {
            throw KieError.validation("\(ref.field): \(ref.path) holds \(st.st_size) bytes, over kie's limit of \(ref.maxBytes) for this field", field: ref.field)
        }
        let bytes = try LocalFile.read(ref.path, limit: ref.maxBytes)
        guard !bytes.isEmpty else { throw KieError.validation("\(ref.field): \(ref.path) is empty (0 bytes)", field: ref.field) }
        let name = ref.path.split(separator: "/").last.map(String.init) ?? ""
        let ext = name.contains(".") ? (name.split(separator: ".").last.map { $0.lowercased() } ?? "") : ""
        let sniffed = imageType(bytes)
        guard let types = ref.types else { return (bytes, sniffed ?? (ext.isEmpty ? "bin" : ext)) }
        guard let sniffed, types.contains(sniffed) || (sniffed == "jpg" && types.contains("jpeg")) else {
            throw KieError.validation(
                "\(ref.field): \(ref.path) is not an image kie takes here (\(types.sorted().joined(separator: ", ")))", field: ref.field)
        }
        return (bytes, sniffed)
    }

    /// The image type of a file's first bytes: png, jpg, webp or gif; nil for anything else.
    static func imageType(_ b: [UInt8]) -> String? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return "webp" }
        if b.starts(with: Array("GIF8".utf8)) { return "gif" }
        return nil
    }
}
