import FoundationEssentials

extension SimulatorConfig {
    /// Problems that make a configuration unusable, in words; empty when it is fine.
    public func problems() -> [String] {
        var out: [String] = []
        func oneOf(_ name: String, _ value: String, _ allowed: [String]) {
            if !allowed.contains(value) {
                out.append("\(name) must be one of \(allowed.joined(separator: ", ")) (got \"\(value)\")")
            }
        }
        oneOf("resultUrlsKey", resultUrlsKey, ["resultUrls", "result_urls"])
        oneOf("errorCodeType", errorCodeType, ["int", "string"])
        oneOf("failureResponse", failureResponse, ["null", "emptyList"])
        oneOf("timeFormat", timeFormat, ["ms", "string"])
        oneOf("unknownTaskMode", unknownTaskMode, ["recorded", "404", "nullData"])
        oneOf("unauthorizedStyle", unauthorizedStyle, ["access", "gateway"])
        oneOf("nVariantsMode", nVariantsMode, ["validate", "ignore"])
        oneOf("rateLimitStyle", rateLimitStyle, ["body", "http"])
        oneOf("errorHttpStatus", errorHttpStatus, ["200", "mirror"])
        oneOf("callbackTaskIdStyle", callbackTaskIdStyle, ["data", "all"])
        for (name, port) in [("port", port), ("uploadPort", uploadPort), ("filePort", filePort)]
        where !(0...65535).contains(port) {
            out.append("\(name) must be 0...65535")
        }
        // Bounds keep every duration and sum far from integer overflow, whatever a file says.
        let day = 86_400_000
        if !(0...(365 * day)).contains(generationMs) { out.append("generationMs must be within 0...31536000000") }
        for (name, value) in [("callbackTimeoutMs", callbackTimeoutMs), ("callbackRetryDelayMs", callbackRetryDelayMs),
                              ("generateLimit.perMs", generateLimit.perMs)]
        where value > day {
            out.append("\(name) must be at most one day")
        }
        if callbackRetries > 100 || callbackDuplicates > 100 { out.append("callbackRetries and callbackDuplicates must be at most 100") }
        for (name, value) in [("resultRetentionMs", resultRetentionMs), ("downloadUrlTtlMs", downloadUrlTtlMs),
                              ("uploadRetentionMs", uploadRetentionMs)]
        where !(0...(36_500 * Int64(day))).contains(value) {
            out.append("\(name) must be within 0...100 years")
        }
        if let g = generation { out.append(contentsOf: g.problems()) }
        oneOf("marketRecordShape", marketRecordShape, ["2026-04", "2026-08", "2026-09"])
        if let m = marketGenerationMs, !(0...(365 * day)).contains(m) { out.append("marketGenerationMs must be within 0...31536000000") }
        if !(0...(365 * day)).contains(marketWaitingMs) { out.append("marketWaitingMs must be within 0...31536000000") }
        if !(0...1000).contains(marketTransientNotFound) { out.append("marketTransientNotFound must be within 0...1000") }
        if !(marketDefaultCredits.isFinite && (0...1_000_000).contains(marketDefaultCredits)) {
            out.append("marketDefaultCredits must be within 0...1000000")
        }
        if !(16...8192).contains(marketMaxImageSide) { out.append("marketMaxImageSide must be within 16...8192") }
        if generateLimit.requests < 0 || generateLimit.perMs < 0 { out.append("generateLimit must not be negative") }
        if recordInfoPerTaskPerSecond < 0 { out.append("recordInfoPerTaskPerSecond must be >= 0") }
        if callbackRetries < 0 || callbackTimeoutMs < 0 || callbackRetryDelayMs < 0 || callbackDuplicates < 0 {
            out.append("callback settings must not be negative")
        }
        if maxBodyBytes < 1024 { out.append("maxBodyBytes must be >= 1024") }
        for (i, rule) in callbackFaults.enumerated() {
            out.append(contentsOf: rule.problems().map { "callbackFaults[\(i)]: \($0)" })
        }
        for (i, rule) in faults.enumerated() {
            out.append(contentsOf: rule.problems().map { "faults[\(i)]: \($0)" })
        }
        return out
    }

    /// Decodes a configuration from JSON text; unknown keys are refused so that typos are seen.
    public static func decode(json bytes: [UInt8]) -> Result<SimulatorConfig, ConfigError> {
        merge(SimulatorConfig(), with: bytes)
    }

    /// `base` with the top-level keys of `bytes` replaced.
    public static func merge(_ base: SimulatorConfig, with bytes: [UInt8]) -> Result<SimulatorConfig, ConfigError> {
        let patch: SimJSON
        switch SimJSONParser.parse(bytes) {
        case .success(let v): patch = v
        case .failure(let e): return .failure(ConfigError(message: "config is not valid JSON: \(e.reason) at byte \(e.offset)"))
        }
        guard let members = patch.objectValue else { return .failure(ConfigError(message: "config must be a JSON object")) }
        let known = Set(keyNames)
        if let unknown = members.first(where: { !known.contains($0.0) }) {
            return .failure(ConfigError(message: "unknown config key \"\(unknown.0)\""))
        }
        do {
            func encodedMembers(_ config: SimulatorConfig) throws -> [(String, SimJSON)]? {
                guard case .success(.object(let m)) = SimJSONParser.parse(Array(try JSONEncoder().encode(config))) else { return nil }
                return m
            }
            guard var merged = try encodedMembers(base), let defaults = try encodedMembers(SimulatorConfig()) else {
                return .failure(ConfigError(message: "internal: config did not encode"))
            }
            // Every key is present when decoding; a null value puts the key back to its default
            // (absent for the optional ones).
            for (key, value) in members {
                merged.removeAll { $0.0 == key }
                if let v = value.isNull ? defaults.first(where: { $0.0 == key })?.1 : value { merged.append((key, v)) }
            }
            let config = try JSONDecoder().decode(SimulatorConfig.self, from: Data(SimJSON.object(merged).serialized.utf8))
            let problems = config.problems()
            if !problems.isEmpty { return .failure(ConfigError(message: problems.joined(separator: "; "))) }
            return .success(config)
        } catch {
            return .failure(ConfigError(message: "config has a wrong type: \(ConfigError.describe(error))"))
        }
    }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")) expected \(type)"
        case DecodingError.valueNotFound(let type, let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")) missing \(type)"
        case DecodingError.keyNotFound(let key, let ctx):
            return "\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is required"
        case DecodingError.dataCorrupted(let ctx):
            return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
