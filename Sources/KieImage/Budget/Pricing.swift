/// What a generate costs before it is sent, in credits (docs/inputs-proxies-budget.md, "Budget"): the Market
/// presets' price tables (docs/kie-market-api.md §6) and 4o's price per image (6 credits,
/// docs/kie-market-api.md §6, "4o Image"). Any other model has no price here: the budget takes
/// the credits the journal last saw kie charge for it, or refuses it (`CreditBudget`).
public enum Pricing {
    /// Credits per 4o image; a request for n variants costs n times this.
    public static let fourOPerImage = 6.0

    /// The price of a request body of the given family, or nil when the library knows none.
    public static func price(family: TaskFamily, body: JSONValue) -> Double? {
        switch family {
        case .fourO:
            let variants = body["nVariants"]?.int64Value ?? 1
            return fourOPerImage * Double(max(1, min(variants, 4)))
        case .market:
            guard let model = body["model"]?.stringValue, let preset = ModelPresets.preset(for: model) else { return nil }
            return price(preset: preset, input: body["input"]?.objectValue ?? JSONObject())
        }
    }

    /// A preset's price for an input: the price of its price field's value, else of that field's
    /// default; when the default is undocumented (GPT Image 2's `resolution`), the table's highest
    /// price, so a budget is never passed on a guess.
    static func price(preset: MarketPreset, input: JSONObject) -> Double? {
        let value = input[preset.priceField]?.stringValue ?? preset.field(preset.priceField)?.defaultValue
        if let value, let hit = preset.prices.first(where: { $0.value == value }) { return hit.credits }
        return preset.prices.map(\.credits).max()
    }

    /// The model a body names (Market), or nil (4o: GPT Image 1).
    static func model(family: TaskFamily, body: JSONValue) -> String? {
        family == .market ? body["model"]?.stringValue : nil
    }
}
