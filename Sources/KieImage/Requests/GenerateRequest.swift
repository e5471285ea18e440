/// A generate request (spec/generate-4o-image.md): all 11 fields of the seed spec.
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

    /// The exact JSON body sent to `POST /api/v1/gpt4o-image/generate`: only fields that are set,
    /// in the seed spec's order. The deprecated `fileUrl` is never sent: it was folded into `filesUrl`.
    public var body: JSONValue {
        var o = JSONObject()
        if let prompt { o["prompt"] = .string(prompt) }
        if !filesUrl.isEmpty { o["filesUrl"] = .array(filesUrl.map { .string($0) }) }
        o["size"] = .string(size.rawValue)
        if let nVariants { o["nVariants"] = .int(Int64(nVariants)) }
        if let maskUrl { o["maskUrl"] = .string(maskUrl) }
        if let callBackUrl { o["callBackUrl"] = .string(callBackUrl) }
        if let isEnhance { o["isEnhance"] = .bool(isEnhance) }
        if let uploadCn { o["uploadCn"] = .bool(uploadCn) }
        if let enableFallback { o["enableFallback"] = .bool(enableFallback) }
        if let fallbackModel { o["fallbackModel"] = .string(fallbackModel.rawValue) }
        return .object(o)
    }
}
