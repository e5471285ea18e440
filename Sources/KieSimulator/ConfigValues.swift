public enum ProgressMode: String, Codable, Sendable {
    case steady, jump
}

public struct RateLimit: Codable, Sendable, Equatable {
    public var requests: Int
    public var perMs: Int
    public init(requests: Int, perMs: Int) {
        self.requests = requests
        self.perMs = perMs
    }
}

/// Per-task failure probabilities, drawn when the task is created (deterministic with `seed`).
public struct FailureRates: Codable, Sendable, Equatable {
    /// CREATE_TASK_FAILED (`successFlag` = createTaskFailedFlag).
    public var createTaskFailed: Double = 0
    /// GENERATE_FAILED with one of the documented errorCode/errorMessage pairs (docs/kie-api.md §2a).
    public var generateFailed: Double = 0
    /// The observed variant: successFlag 3, errorMessage "Internal Error", errorCode null (docs/kie-api.md §2b).
    public var internalError: Double = 0
    public var seed: UInt64 = 42

    public init(createTaskFailed: Double = 0, generateFailed: Double = 0, internalError: Double = 0, seed: UInt64 = 42) {
        self.createTaskFailed = createTaskFailed
        self.generateFailed = generateFailed
        self.internalError = internalError
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        createTaskFailed = try c.decodeIfPresent(Double.self, forKey: .createTaskFailed) ?? 0
        generateFailed = try c.decodeIfPresent(Double.self, forKey: .generateFailed) ?? 0
        internalError = try c.decodeIfPresent(Double.self, forKey: .internalError) ?? 0
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 42
    }
}

/// Generation time: `{"kind":"fixed","ms":..}`, `{"kind":"uniform","minMs":..,"maxMs":..}` or
/// `{"kind":"lognormal","medianMs":..,"p95Ms":..,"seed":..}`.
public struct GenerationDistribution: Codable, Sendable, Equatable {
    public var kind: String
    public var ms: Int?
    public var minMs: Int?
    public var maxMs: Int?
    public var medianMs: Int?
    public var p95Ms: Int?
    public var seed: UInt64?

    public init(kind: String, ms: Int? = nil, minMs: Int? = nil, maxMs: Int? = nil, medianMs: Int? = nil,
                p95Ms: Int? = nil, seed: UInt64? = nil) {
        self.kind = kind
        self.ms = ms
        self.minMs = minMs
        self.maxMs = maxMs
        self.medianMs = medianMs
        self.p95Ms = p95Ms
        self.seed = seed
    }

    static let maxMs = 365 * 86_400_000

    func problems() -> [String] {
        switch kind {
        case "fixed": return (0...Self.maxMs).contains(ms ?? -1) ? [] : ["generation.ms is required for kind fixed (0...1 year)"]
        case "uniform":
            guard let lo = minMs, let hi = maxMs, lo >= 0, hi >= lo, hi <= Self.maxMs else {
                return ["generation needs 0 <= minMs <= maxMs for kind uniform"]
            }
            return []
        case "lognormal":
            guard let m = medianMs, let p = p95Ms, m > 0, p >= m, p <= Self.maxMs else {
                return ["generation needs 0 < medianMs <= p95Ms for kind lognormal"]
            }
            return []
        default: return ["generation.kind must be fixed, uniform or lognormal"]
        }
    }
}
