/// The two request families kie serves GPT image models through (docs/kie-market-api.md §0):
/// the 4o Image API (GPT Image 1 only) and the Market API (`createTask` + `recordInfo`, every
/// newer model). A task belongs to exactly one; its id is only known to its own family's reads.
public enum TaskFamily: String, Sendable, CaseIterable, Equatable {
    case fourO = "4o"
    case market = "market"

    /// The path a new task of this family is POSTed to.
    public var generatePath: String {
        switch self {
        case .fourO: "/api/v1/gpt4o-image/generate"
        case .market: "/api/v1/jobs/createTask"
        }
    }

    /// The path a task of this family is read from (`?taskId=` appended).
    public var recordInfoPath: String {
        switch self {
        case .fourO: "/api/v1/gpt4o-image/record-info"
        case .market: "/api/v1/jobs/recordInfo"
        }
    }
}
