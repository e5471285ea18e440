/// The request family (docs/c-api.md, "Two request families"). Interim: 4o only until the
/// Market requests land.
public enum TaskFamily: String, Sendable, CaseIterable {
    case fourO = "4o"
    case market = "market"
}

extension ValidatedRequest {
    public var family: TaskFamily { .fourO }
    public var path: String { "/api/v1/gpt4o-image/generate" }
    public var body: JSONValue { request.body }
    public var tag: String? { nil }
}
