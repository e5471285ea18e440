/// A generate request (docs/kie-api.md §1a): all 11 fields kie documented for it.
public struct GenerateRequest: Sendable, Equatable {
    public enum Size: String, Sendable, CaseIterable { case square = "1:1", landscape = "3:2", portrait = "2:3" }
    public enum FallbackModel: String, Sendable, CaseIterable { case gptImage1 = "GPT_IMAGE_1", fluxMax = "FLUX_MAX" }

    public var prompt: String?
    public var filesUrl: [String]
    public var size: Size
    public var nVariants: Int?
    public var maskUrl: String?
    public var callBackUrl: String?
    public var isEnhance: Bool?
    public var uploadCn: Bool?
    public var enableFallback: Bool?
    public var fallbackModel: FallbackModel?

    public init(
        prompt: String? = nil, filesUrl: [String] = [], size: Size, nVariants: Int? = nil, maskUrl: String? = nil,
        callBackUrl: String? = nil, isEnhance: Bool? = nil, uploadCn: Bool? = nil, enableFallback: Bool? = nil,
        fallbackModel: FallbackModel? = nil
    ) {
        self.prompt = prompt
        self.filesUrl = filesUrl
        self.size = size
        self.nVariants = nVariants
        self.maskUrl = maskUrl
        self.callBackUrl = callBackUrl
        self.isEnhance = isEnhance
        self.uploadCn = uploadCn
        self.enableFallback = enableFallback
        self.fallbackModel = fallbackModel
    }

    /// A field of the body sent to `POST /api/v1/gpt4o-image/generate`, declared in the body's
    /// field order (`bodyFieldOrder`).
    enum BodyField: String, Sendable, CaseIterable {
        case prompt, filesUrl, size, nVariants, maskUrl, callBackUrl, isEnhance, uploadCn, enableFallback, fallbackModel
    }

    /// The order `body` writes its fields in: kie's documentation order (docs/kie-api.md §1a). The
    /// one statement of that order: a binding that builds a request in it (Python's
    /// `build_request`) gets the body back byte for byte, and need not parse it (BENCHMARKS.md, P4).
    static let bodyFieldOrder = BodyField.allCases

    /// The exact JSON body sent to `POST /api/v1/gpt4o-image/generate`: only fields that are set,
    /// in `bodyFieldOrder`. The deprecated `fileUrl` is never sent: it was folded into `filesUrl`.
    public var body: JSONValue {
        var pairs: [(String, JSONValue)] = []
        pairs.reserveCapacity(Self.bodyFieldOrder.count)
        for field in Self.bodyFieldOrder {
            if let value = value(of: field) { pairs.append((field.rawValue, value)) }
        }
        return .object(JSONObject(uniquePairs: pairs))
    }

    /// A field's value in the body; nil when it is not sent.
    func value(of field: BodyField) -> JSONValue? {
        switch field {
        case .prompt: prompt.map { .string($0) }
        case .filesUrl: filesUrl.isEmpty ? nil : .array(filesUrl.map { .string($0) })
        case .size: .string(size.rawValue)
        case .nVariants: nVariants.map { .int(Int64($0)) }
        case .maskUrl: maskUrl.map { .string($0) }
        case .callBackUrl: callBackUrl.map { .string($0) }
        case .isEnhance: isEnhance.map { .bool($0) }
        case .uploadCn: uploadCn.map { .bool($0) }
        case .enableFallback: enableFallback.map { .bool($0) }
        case .fallbackModel: fallbackModel.map { .string($0.rawValue) }
        }
    }
}
