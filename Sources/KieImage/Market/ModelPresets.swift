/// The Market GPT image models the library validates before sending (docs/models.md; the facts
/// and their sources are in docs/kie-market-api.md §5a–§5c and §6). Any other model id goes
/// through with its `input` unchecked.
public enum ModelPresets {
    public static let all: [MarketPreset] = gptImage15 + gptImage2 + gptImage25

    public static func preset(for model: String) -> MarketPreset? { byModel[model] }

    static let byModel: [String: MarketPreset] = Dictionary(all.map { ($0.model, $0) }, uniquingKeysWith: { a, _ in a })

    /// One credit in US dollars (docs/kie-market-api.md §6).
    public static let usdPerCredit = 0.005

    // MARK: GPT Image 1.5 (docs/kie-market-api.md §5a)

    static let ratios15 = ["1:1", "2:3", "3:2"]
    static let gptImage15: [MarketPreset] = [
        gpt15(model: "gpt-image/1.5-text-to-image", kind: .textToImage, ratioDefault: "1:1"),
        gpt15(model: "gpt-image/1.5-image-to-image", kind: .imageToImage, ratioDefault: "3:2"),
    ]

    static func gpt15(model: String, kind: MarketPreset.Kind, ratioDefault: String) -> MarketPreset {
        var fields = [
            MarketField("prompt", .text(minLength: 1, maxLength: nil), required: true, note: "no maximum documented"),
            MarketField("aspect_ratio", .choice(ratios15), required: true, default: ratioDefault),
            MarketField("quality", .choice(["medium", "high"]), required: true, default: "medium",
                        note: "medium: balanced; high: slow, detailed"),
        ]
        if kind == .imageToImage {
            fields.append(MarketField("input_urls", .urls(maxItems: 16, extensions: ["jpg", "jpeg", "png", "webp"]),
                                      required: true, note: "jpeg, png or webp, at most 10 MB each"))
        }
        return MarketPreset(
            model: model, name: "GPT Image 1.5", kind: kind, fields: fields, ratioRules: [], fillsDefaults: true,
            priceField: "quality", prices: [("medium", 4), ("high", 22)], source: "docs/kie-market-api.md §5a")
    }

    // MARK: GPT Image 2 (docs/kie-market-api.md §5b)

    static let ratios2 = ["auto", "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16", "2:1", "1:2", "3:1", "1:3", "21:9", "9:21"]
    static let resolutions = ["1K", "2K", "4K"]
    static let resolutionPrices: [(value: String, credits: Double)] = [("1K", 6), ("2K", 10), ("4K", 16)]

    static let gptImage2: [MarketPreset] = [
        gpt2(model: "gpt-image-2-text-to-image", kind: .textToImage, rules: [
            RatioRule(ratios: ["1:1"], resolutions: ["1K", "2K"]),
            RatioRule(ratios: ["auto"], resolutions: ["1K"]),
            RatioRule(ratios: ["5:4", "4:5", "3:1", "1:3", "9:21"], resolutions: ["1K"]),
        ]),
        gpt2(model: "gpt-image-2-image-to-image", kind: .imageToImage, rules: [
            RatioRule(ratios: ["1:1"], resolutions: ["1K", "2K"]),
            RatioRule(ratios: ["auto"], resolutions: ["1K"]),
            RatioRule(ratios: ["5:4", "4:5"], resolutions: ["1K"]),
        ]),
    ]

    static func gpt2(model: String, kind: MarketPreset.Kind, rules: [RatioRule]) -> MarketPreset {
        var fields = [
            MarketField("prompt", .text(minLength: 1, maxLength: 20_000), required: true),
            MarketField("aspect_ratio", .choice(ratios2), default: "auto"),
            MarketField("resolution", .choice(resolutions), note: "default undocumented"),
        ]
        if kind == .imageToImage {
            fields.insert(MarketField("input_urls", .urls(maxItems: 16, extensions: nil), required: true), at: 1)
        }
        return MarketPreset(
            model: model, name: "GPT Image 2", kind: kind, fields: fields, ratioRules: rules, fillsDefaults: false,
            priceField: "resolution", prices: resolutionPrices, source: "docs/kie-market-api.md §5b")
    }

    // MARK: GPT Image 2.5 flare / sunburst (docs/kie-market-api.md §5c)

    static let ratios25 = ["auto", "1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9", "27:16", "16:27", "9:8", "8:9"]
    static let gptImage25: [MarketPreset] = ["flare", "sunburst"].flatMap { variant in
        [MarketPreset.Kind.textToImage, .imageToImage].map { kind in
            gpt25(variant: variant, kind: kind)
        }
    }

    static func gpt25(variant: String, kind: MarketPreset.Kind) -> MarketPreset {
        var fields = [
            MarketField("prompt", .text(minLength: 1, maxLength: 20_000), required: true),
            MarketField("aspect_ratio", .choice(ratios25), default: "auto", note: "27:16, 16:27, 9:8 and 8:9 at 1K only"),
            MarketField("resolution", .choice(resolutions), default: "1K"),
            MarketField("background", .choice(["transparent", "opaque", "auto"]), default: "auto"),
        ]
        if kind == .imageToImage {
            fields.insert(MarketField("input_urls", .urls(maxItems: 16, extensions: nil), required: true), at: 1)
        }
        let suffix = kind == .textToImage ? "text-to-image" : "image-to-image"
        return MarketPreset(
            model: "gpt-image-2-5-\(variant)-\(suffix)", name: "GPT Image 2.5 \(variant)", kind: kind, fields: fields,
            ratioRules: [RatioRule(ratios: ["27:16", "16:27", "9:8", "8:9"], resolutions: ["1K"])],
            fillsDefaults: false, priceField: "resolution", prices: resolutionPrices, source: "docs/kie-market-api.md §5c")
    }
}
