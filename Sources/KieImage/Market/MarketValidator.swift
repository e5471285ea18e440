/// Validation of a Market `createTask` request `{"model", "input", "callBackUrl"?}` (with the
/// caller's `tag` already taken out). A preset model's `input` is checked against its table
/// (`ModelPresets`); any other model's `input` is sent verbatim. Rules: docs/validation.md.
public enum MarketValidator {
    static let topLevelFields: Set<String> = ["model", "input", "callBackUrl", "tag"]
    /// Longest model id accepted; real ids are under 50 bytes (docs/kie-market-api.md §5).
    public static let maxModelIdBytes = 128

    static func validate(_ o: JSONObject, tag: String?) throws(KieError) -> ValidatedRequest {
        guard let modelValue = o["model"], !modelValue.isNull else {
            throw .validation("model is required in a Market request (a model id such as gpt-image-2-text-to-image)", field: "model")
        }
        guard let model = modelValue.stringValue else { throw .validation("model must be a string", field: "model") }
        try checkModelId(model)
        guard let inputValue = o["input"], !inputValue.isNull else {
            throw .validation("input is required in a Market request (an object)", field: "input")
        }
        guard var input = inputValue.objectValue else { throw .validation("input must be a JSON object", field: "input") }
        for key in o.keys where !topLevelFields.contains(key) {
            throw .validation(
                "unknown field '\(key)' in a Market request (model, input, callBackUrl, tag): kie would ignore it",
                field: key)
        }
        var body: JSONObject = ["model": .string(model)]
        var warnings: [String] = []
        if let preset = ModelPresets.preset(for: model) {
            warnings = try check(&input, preset: preset)
        }
        body["input"] = .object(input)
        if let callback = try RequestValidator.optionalString(o, "callBackUrl") {
            try RequestValidator.checkHTTPURL(callback, field: "callBackUrl")
            body["callBackUrl"] = .string(callback)
        }
        return ValidatedRequest(family: .market, body: .object(body), model: model, tag: tag, warnings: warnings)
    }

    /// A model id: 1–128 bytes of ASCII letters, digits and `. _ / -`, starting with a letter or digit.
    static func checkModelId(_ model: String) throws(KieError) {
        let bytes = Array(model.utf8)
        guard let first = bytes.first else { throw .validation("model must not be empty", field: "model") }
        guard bytes.count <= maxModelIdBytes else {
            throw .validation("model id holds at most \(maxModelIdBytes) bytes, got \(bytes.count)", field: "model")
        }
        func alnum(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        guard alnum(first), bytes.allSatisfy({ alnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2F || $0 == 0x2D }) else {
            throw .validation(
                "model must be a model id of letters, digits and . _ / - (got '\(model.prefix(200))')", field: "model")
        }
    }

    /// Checks `input` against a preset, fills in the defaults the preset requires, and returns
    /// the warnings. Keys the preset does not list stay as given.
    static func check(_ input: inout JSONObject, preset: MarketPreset) throws(KieError) -> [String] {
        var warnings: [String] = []
        for key in input.keys.sorted() where preset.field(key) == nil {
            warnings.append("input.\(key) is not a documented field of \(preset.model); sent as given")
        }
        for field in preset.fields {
            let name = "input.\(field.name)"
            guard let value = input[field.name], !value.isNull else {
                if preset.fillsDefaults, let d = field.defaultValue {
                    input[field.name] = .string(d)
                } else if field.required {
                    throw .validation("\(name) is required by \(preset.model)", field: name)
                }
                continue
            }
            try check(value, field, name: name)
        }
        try checkRatioRules(input, preset: preset)
        return warnings
    }

    static func check(_ value: JSONValue, _ field: MarketField, name: String) throws(KieError) {
        switch field.kind {
        case .text(let minLength, let maxLength):
            guard let s = value.stringValue else { throw .validation("\(name) must be a string", field: name) }
            let count = s.unicodeScalars.count
            if let minLength, count < minLength {
                throw .validation("\(name) must not be empty", field: name)
            }
            if let maxLength, count > maxLength {
                throw .validation("\(name) holds at most \(maxLength) characters (Unicode scalars), got \(count)", field: name)
            }
        case .choice(let values):
            guard let s = value.stringValue, values.contains(s) else {
                throw .validation("\(name) must be one of \(values.joined(separator: ", "))", field: name)
            }
        case .urls(let maxItems, let extensions):
            guard let items = value.arrayValue else { throw .validation("\(name) must be an array of URLs", field: name) }
            if field.required && items.isEmpty { throw .validation("\(name) needs at least one URL", field: name) }
            guard items.count <= maxItems else {
                throw .validation("\(name) holds at most \(maxItems) URLs, got \(items.count)", field: name)
            }
            for item in items {
                guard let url = item.stringValue else { throw .validation("\(name) entries must be strings", field: name) }
                try checkURL(url, extensions: extensions, field: name)
            }
        }
    }

    /// An http(s) URL, or a local file the client uploads first (docs/inputs-proxies-budget.md, "Local files as inputs").
    static func checkURL(_ url: String, extensions: Set<String>?, field: String) throws(KieError) {
        guard let path = LocalInputs.path(of: url) ?? URLParts(url)?.path else {
            throw .validation("\(field) must hold absolute http(s) URLs or local files (file: URL or absolute path), got '\(url.prefix(200))'", field: field)
        }
        guard let extensions else { return }
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        if let dot = last.lastIndex(of: "."), dot != last.startIndex {
            let ext = last[last.index(after: dot)...].lowercased()
            guard extensions.contains(ext) else {
                throw .validation(
                    "\(field) has unsupported image type '.\(ext)' (supported: \(extensions.sorted().joined(separator: ", ")))",
                    field: field)
            }
        }
    }

    /// The aspect-ratio × resolution rules, checked when `resolution` is given (its default is
    /// either undocumented or allowed with every ratio).
    static func checkRatioRules(_ input: JSONObject, preset: MarketPreset) throws(KieError) {
        guard let resolution = input["resolution"]?.stringValue else { return }
        let given = input["aspect_ratio"]?.stringValue
        let ratio = given ?? "auto"
        for rule in preset.ratioRules where rule.ratios.contains(ratio) && !rule.resolutions.contains(resolution) {
            let allowed = rule.resolutions.joined(separator: ", ")
            if given == nil {
                throw .validation(
                    "\(preset.model) without an aspect_ratio (auto) is available at resolution \(allowed) only, not \(resolution)",
                    field: "input.resolution")
            }
            throw .validation(
                "\(preset.model) offers aspect_ratio \(ratio) at resolution \(allowed) only, not \(resolution)",
                field: "input.aspect_ratio")
        }
    }
}
