// What the simulator knows per Market model (docs/kie-market-api.md §5 and §6), as data: the
// input fields createTask requires, the price in credits, and where the aspect ratio and the size
// tier are read from. A model missing here is still accepted, with any input object, at
// `marketDefaultCredits`.

/// One Market model's row.
struct MarketModel: Sendable {
    /// `input` fields whose absence (or null) answers 500 "This field is required".
    var required: [String]
    /// The input key holding the aspect ratio, and the ratio used when it is absent or `auto`.
    var ratioKey: String = "aspect_ratio"
    var defaultRatio: String = "1:1"
    /// The input key that sets the price (and usually the size tier), its default value, and the
    /// price for each value; a value not in the table is charged at the default's price.
    var priceKey: String?
    var defaultPriceValue: String = ""
    var prices: [String: Double] = [:]
    /// The price when `priceKey` is nil.
    var flatPrice: Double = 0
    /// The input key for the size tier (`1K`, `2K`, ...) and the tier for each of its values.
    var tierKey: String?
    var tiers: [String: String] = [:]
    var defaultTier: String = "1K"
    /// Whether the model reads `output_format`, and the format when it is absent or unknown.
    var takesOutputFormat = false
    var defaultFormat: ImageFormat = .png

    func credits(input: SimJSON) -> Double {
        guard let key = priceKey else { return flatPrice }
        let value = input[key]?.stringValue ?? defaultPriceValue
        return prices[value] ?? prices[defaultPriceValue] ?? flatPrice
    }

    /// The ratio a result is drawn at (`W:H`), from the model's own field; named sizes
    /// (`landscape_16_9`) map to their ratio.
    func ratio(input: SimJSON) -> String {
        guard let value = input[ratioKey]?.stringValue, value != "auto" else { return defaultRatio }
        return MarketModel.namedSizes[value] ?? value
    }

    /// `1K`, `2K`, `3K` or `4K`.
    func tier(input: SimJSON) -> String {
        guard let key = tierKey, let value = input[key]?.stringValue else { return defaultTier }
        return tiers[value] ?? defaultTier
    }

    /// The result format: `output_format` for the models that take it, PNG otherwise.
    func format(input: SimJSON) -> ImageFormat {
        guard takesOutputFormat else { return .png }
        return input["output_format"]?.stringValue.flatMap(ImageFormat.init(outputFormat:)) ?? defaultFormat
    }

    static let namedSizes: [String: String] = [
        "square": "1:1", "square_hd": "1:1", "portrait_4_3": "3:4", "portrait_16_9": "9:16",
        "landscape_4_3": "4:3", "landscape_16_9": "16:9",
    ]

    /// Resolution-priced models (`1K`/`2K`/`4K`, default 1K).
    static func byResolution(required: [String], _ k1: Double, _ k2: Double, _ k4: Double,
                             defaultRatio: String = "1:1") -> MarketModel {
        MarketModel(
            required: required, defaultRatio: defaultRatio, priceKey: "resolution", defaultPriceValue: "1K",
            prices: ["1K": k1, "2K": k2, "4K": k4], tierKey: "resolution",
            tiers: ["1K": "1K", "2K": "2K", "4K": "4K"])
    }

    /// The table (docs/kie-market-api.md §5a–§5d for fields, §6 for prices).
    static let table: [String: MarketModel] = {
        var t: [String: MarketModel] = [:]
        // GPT Image 1.5: priced by quality; the size does not change with it.
        let gpt15 = MarketModel(
            required: ["prompt", "aspect_ratio", "quality"], priceKey: "quality", defaultPriceValue: "medium",
            prices: ["medium": 4, "high": 22])
        t["gpt-image/1.5-text-to-image"] = gpt15
        var gpt15i2i = gpt15
        gpt15i2i.required.append("input_urls")
        gpt15i2i.defaultRatio = "3:2"
        t["gpt-image/1.5-image-to-image"] = gpt15i2i
        // GPT Image 2 and 2.5 (flare, sunburst): 1K 6, 2K 10, 4K 16.
        for id in ["gpt-image-2", "gpt-image-2-5-flare", "gpt-image-2-5-sunburst"] {
            t["\(id)-text-to-image"] = byResolution(required: ["prompt"], 6, 10, 16)
            t["\(id)-image-to-image"] = byResolution(required: ["prompt", "input_urls"], 6, 10, 16)
        }
        // `output_format` png/jpg: nano-banana-2 defaults to jpg (a recorded run returned a
        // `.jpeg` URL), nano-banana-pro to png.
        t["nano-banana-2"] = byResolution(required: ["prompt"], 8, 12, 18)
        t["nano-banana-2"]?.takesOutputFormat = true
        t["nano-banana-2"]?.defaultFormat = .jpeg
        t["nano-banana-pro"] = byResolution(required: ["prompt"], 18, 18, 24)
        t["nano-banana-pro"]?.takesOutputFormat = true
        // Seedream: flat price, size tier by `quality`.
        t["seedream/4.5-text-to-image"] = MarketModel(
            required: ["prompt", "aspect_ratio", "quality"], flatPrice: 6.5, tierKey: "quality",
            tiers: ["basic": "2K", "high": "4K"], defaultTier: "2K")
        t["seedream/5-lite-text-to-image"] = MarketModel(
            required: ["prompt", "aspect_ratio", "quality"], flatPrice: 5.5, tierKey: "quality",
            tiers: ["basic": "2K", "high": "3K", "ultra": "4K"], defaultTier: "2K", takesOutputFormat: true)
        var flux = MarketModel(
            required: ["prompt", "aspect_ratio", "resolution"], priceKey: "resolution", defaultPriceValue: "1K",
            prices: ["1K": 5, "2K": 7], tierKey: "resolution", tiers: ["1K": "1K", "2K": "2K"])
        t["flux-2/pro-text-to-image"] = flux
        flux.required.append("input_urls")
        t["flux-2/pro-image-to-image"] = flux
        t["qwen2/text-to-image"] = MarketModel(
            required: ["prompt"], ratioKey: "image_size", defaultRatio: "16:9", flatPrice: 5.6, takesOutputFormat: true)
        t["ideogram/v3-text-to-image"] = MarketModel(
            required: ["prompt"], ratioKey: "image_size", priceKey: "rendering_speed", defaultPriceValue: "BALANCED",
            prices: ["TURBO": 3.5, "BALANCED": 7, "QUALITY": 10])
        t["grok-imagine-image-2-0/text-to-image"] = MarketModel(required: ["prompt"], flatPrice: 4)
        return t
    }()

    /// A model the table does not know: any input, the configured default price, 1:1 at 1K in
    /// PNG unless its `aspect_ratio` / `resolution` / `output_format` say otherwise.
    static func unknown(credits: Double) -> MarketModel {
        MarketModel(
            required: [], flatPrice: credits, tierKey: "resolution", tiers: ["1K": "1K", "2K": "2K", "4K": "4K"],
            takesOutputFormat: true)
    }

    /// Pixel size of a result: the tier's long side (1K 1024, 2K 2048, 3K 3072, 4K 4096) scaled to
    /// at most `maxSide`, the short side from the ratio. An unparseable ratio draws square.
    static func pixelSize(ratio: String, tier: String, maxSide: Int) -> (width: Int, height: Int) {
        let long: Int
        switch tier {
        case "2K": long = 2048
        case "3K": long = 3072
        case "4K": long = 4096
        default: long = 1024
        }
        let side = max(16, min(long, maxSide))
        let parts = ratio.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (1...100).contains(parts[0]), (1...100).contains(parts[1]) else { return (side, side) }
        let (w, h) = (parts[0], parts[1])
        if w >= h {
            return (side, max(1, (side * h + w / 2) / w))
        }
        return (max(1, (side * w + h / 2) / h), side)
    }
}
