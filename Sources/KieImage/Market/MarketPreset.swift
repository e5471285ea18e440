/// What the library knows of one Market model's `input` (docs/models.md): its fields, the
/// aspect-ratio × resolution rules, and its prices. Validation refuses only what kie documents as
/// invalid; an input key the preset does not list passes with a warning (docs/validation.md).
public struct MarketPreset: Sendable {
    public enum Kind: String, Sendable {
        case textToImage = "t2i"
        case imageToImage = "i2i"
    }

    /// The model id sent as `model`.
    public var model: String
    /// The model's product name ("GPT Image 2.5 flare").
    public var name: String
    public var kind: Kind
    public var fields: [MarketField]
    /// Aspect ratios that only some resolutions allow; checked when `resolution` is given.
    public var ratioRules: [RatioRule]
    /// True when the docs mark defaulted fields as required too: absent ones are then filled in
    /// with their default, so the body always carries them (docs/models.md, GPT Image 1.5).
    public var fillsDefaults: Bool
    /// The input field the price depends on, and the credits per image for each of its values.
    public var priceField: String
    public var prices: [(value: String, credits: Double)]
    /// Where the facts come from (a section of docs/kie-market-api.md).
    public var source: String

    public func field(_ name: String) -> MarketField? { fields.first { $0.name == name } }
}

/// One documented field of a Market `input`.
public struct MarketField: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A string; length limits count Unicode scalars.
        case text(minLength: Int?, maxLength: Int?)
        /// A string out of a fixed list.
        case choice([String])
        /// An array of absolute http(s) URLs; `extensions`, when set, are the accepted file
        /// types of a URL whose last path segment has one.
        case urls(maxItems: Int, extensions: Set<String>?)
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var defaultValue: String?
    public var note: String?

    public init(_ name: String, _ kind: Kind, required: Bool = false, default defaultValue: String? = nil, note: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.note = note
    }
}

/// "These aspect ratios exist only at these resolutions". `auto` also stands for an absent
/// `aspect_ratio` (the documented default).
public struct RatioRule: Sendable, Equatable {
    public var ratios: [String]
    public var resolutions: [String]
}
