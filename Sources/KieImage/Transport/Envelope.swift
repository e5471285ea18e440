/// The answer of every API endpoint: `{code, msg, data}` (docs/kie-api.md §1). The body `code` decides;
/// the HTTP status matters only when the body is not an envelope.
public struct Envelope: Sendable {
    public var code: Int
    public var msg: String
    public var data: JSONValue
    /// `data` as the answer wrote it, when that text is compact and repeats no key
    /// (JSON.parse(_:capturing:)): a record's text becomes the task JSON's `raw` as it is, not
    /// serialized again (KieTask.jsonText).
    var dataText: ArraySlice<UInt8>? = nil
}

/// One HTTP answer as the transport saw it.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var retryAfterMs: Int64?

    public init(status: Int, body: [UInt8], retryAfterMs: Int64? = nil) {
        self.status = status
        self.body = body
        self.retryAfterMs = retryAfterMs
    }
}
