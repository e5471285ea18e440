/// The preset table as JSON, for `kie_models` and the bindings: every model with its fields,
/// rules and prices (docs/models.md).
public enum ModelCatalog {
    /// `{"models":[{"model","name","family":"market","kind":"t2i"|"i2i","path","fields":[...],
    /// "rules":[...],"fillsDefaults","prices":{"by","credits":{...},"usdPerCredit"},"source"}]}`
    public static var json: JSONValue {
        .object(["models": .array(ModelPresets.all.map(describe))])
    }

    static func describe(_ p: MarketPreset) -> JSONValue {
        var credits = JSONObject()
        for (value, amount) in p.prices { credits[value] = .double(amount) }
        return .object([
            "model": .string(p.model),
            "name": .string(p.name),
            "family": .string(TaskFamily.market.rawValue),
            "kind": .string(p.kind.rawValue),
            "path": .string(TaskFamily.market.generatePath),
            "fields": .array(p.fields.map(describe)),
            "rules": .array(p.ratioRules.map { rule in
                .object([
                    "aspect_ratio": .array(rule.ratios.map { .string($0) }),
                    "resolution": .array(rule.resolutions.map { .string($0) }),
                ])
            }),
            "fillsDefaults": .bool(p.fillsDefaults),
            "prices": .object([
                "by": .string(p.priceField), "credits": .object(credits), "usdPerCredit": .double(ModelPresets.usdPerCredit),
            ]),
            "source": .string(p.source),
        ])
    }

    static func describe(_ f: MarketField) -> JSONValue {
        var o: JSONObject = ["name": .string(f.name)]
        switch f.kind {
        case .text(let minLength, let maxLength):
            o["type"] = "string"
            o["minLength"] = .int(minLength.map(Int64.init))
            o["maxLength"] = .int(maxLength.map(Int64.init))
        case .choice(let values):
            o["type"] = "string"
            o["enum"] = .array(values.map { .string($0) })
        case .urls(let maxItems, let extensions):
            o["type"] = "array"
            o["items"] = "url"
            o["minItems"] = .int(f.required ? 1 : 0)
            o["maxItems"] = .int(Int64(maxItems))
            o["extensions"] = extensions.map { .array($0.sorted().map { .string($0) }) } ?? .null
        }
        o["required"] = .bool(f.required)
        o["default"] = .string(f.defaultValue)
        o["note"] = .string(f.note)
        return .object(o)
    }
}
