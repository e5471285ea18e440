/// Which request fields each family takes, as its validator checks them (docs/validation.md):
/// front ends ask here instead of keeping their own lists.
extension TaskFamily {
    /// The top-level fields a request of this family may hold. A Market model's own fields
    /// (prompt, aspect_ratio, resolution, ...) go inside `input`.
    public var requestFields: [String] {
        switch self {
        case .fourO: RequestValidator.knownFields
        case .market: MarketValidator.topLevelFields.sorted()
        }
    }

    /// The top-level fields a request of this family cannot do without.
    public var requiredFields: [String] {
        switch self {
        case .fourO: ["size"]
        case .market: ["model", "input"]
        }
    }
}
