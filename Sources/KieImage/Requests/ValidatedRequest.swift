/// A request of either family that passed validation: what to POST where, and what the caller
/// attached to it. Built only by `RequestValidator`.
public struct ValidatedRequest: Sendable, Equatable {
    /// Which API the request goes to: a JSON object with `model` or `input` is a Market request,
    /// anything else a 4o request (docs/validation.md).
    public var family: TaskFamily
    /// The exact body to POST to `path` (never holds `tag`).
    public var body: JSONValue
    /// The model id: the Market `model`, nil for 4o (GPT Image 1, whose body names no model).
    public var model: String?
    /// The caller's own key for this work item (at most 256 bytes), never sent to kie.
    public var tag: String?
    /// The request's `idempotencyKey` (at most 256 bytes), never sent to kie: a second generate
    /// with it, in any process of the account's ledger, returns the first one's answer.
    public var idempotencyKey: String?
    /// With an idempotency key whose row another process is sending or waiting to send: wait for
    /// its answer (true, the contract's behaviour) or throw `ClaimedElsewhere` at once (a batch
    /// worker that moves on to the next line, docs/ledger.md "Batches on several hosts").
    public var waitsForClaimedWork = true
    /// What the request does that the caller may not expect (a field with no effect, an input
    /// key the model's preset does not document); the request is sent as given.
    public var warnings: [String]

    public init(family: TaskFamily, body: JSONValue, model: String? = nil, tag: String? = nil, warnings: [String] = []) {
        self.family = family
        self.body = body
        self.model = model
        self.tag = tag
        self.warnings = warnings
    }

    /// The API path `body` is POSTed to.
    public var path: String { family.generatePath }
}
