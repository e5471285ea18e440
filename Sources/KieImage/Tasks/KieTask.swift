/// A task of either family normalized from its record (docs/c-api.md, "Task JSON"). The raw
/// answer is kept.
public struct KieTask: Sendable, Equatable {
    public enum Status: String, Sendable {
        case generating = "GENERATING"
        case success = "SUCCESS"
        case createTaskFailed = "CREATE_TASK_FAILED"
        case generateFailed = "GENERATE_FAILED"
    }

    public var taskId: String
    public var status: Status
    public var successFlag: Int?
    public var progress: Double
    public var resultUrls: [String]
    public var errorCode: JSONValue
    public var errorMessage: String?
    public var createTime: Int64?
    public var completeTime: Int64?
    public var request: JSONValue
    public var raw: JSONValue { didSet { rawText = RawText() } }
    public var family: TaskFamily = .fourO
    /// The Market model id; nil for 4o.
    public var model: String? = nil
    /// Market's own state word (`waiting`, `generating`, `success`, `fail`, ...); nil for 4o.
    public var state: String? = nil
    /// What kie charged for the task, when it says (Market `creditsConsumed`).
    public var creditsConsumed: Double? = nil
    /// Market's `failCode` as text; nil when there is none.
    public var failCode: String? = nil
    /// The caller's key for the work item (never sent to kie; set by the client or the journal).
    public var tag: String? = nil
    /// `raw` as the answer's own text (Envelope.dataText: compact, no repeated key), set when a
    /// record read parses (RecordInfoParser.parse(_:family:expectedTaskId:)); dropped when `raw` changes.
    var rawText = RawText()

    /// A cache of `raw`'s text: not part of a task's value, so equal whatever it holds.
    struct RawText: Sendable, Equatable {
        var bytes: ArraySlice<UInt8>? = nil
        static func == (_: RawText, _: RawText) -> Bool { true }
    }

    public var isTerminal: Bool { status != .generating }
    public var isSuccess: Bool { status == .success }

    /// The task JSON as a value, for a caller that puts a task inside other JSON: every v1 field,
    /// then the fields both families added, then `raw` (docs/c-api.md, "Task JSON"). Its text is
    /// written only by `write(into:adding:)` (`jsonText`, the events' `jsonText`); no task is
    /// ever read back from it (kie_download takes a task id: `TaskReference`).
    public var json: JSONValue {
        var pairs = fields
        pairs.append(("raw", raw))
        return .object(JSONObject(uniquePairs: pairs))
    }

    /// The task JSON as text: `JSON.serialize(json)`, except that `raw`, when the client kept the
    /// answer's text of the record (`rawText`), is that text: the record as kie.ai wrote it
    /// (compact; numbers and escapes keep their spelling, `6.0` stays `6.0`), copied, not rebuilt.
    public var jsonText: String { jsonText(adding: []) }

    /// `jsonText` with more keys after `raw` (`kie-image wait --json` adds `downloads`): the task
    /// object a caller extends, its `raw` still the answer's own text. Keys already in the task JSON
    /// are not added again.
    public func jsonText(adding extra: [(String, JSONValue)]) -> String {
        var w = JSONWriter(capacity: (rawText.bytes?.count ?? 0) + 512)
        write(into: &w, adding: extra)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The one writer of the task JSON's text: the fields, `raw` (the answer's own text when
    /// kept, else the value), then `extra`.
    func write(into w: inout JSONWriter, adding extra: [(String, JSONValue)] = []) {
        let fields = fields
        let extra = extra.isEmpty ? extra : extra.filter { key in key.0 != "raw" && !fields.contains { $0.0 == key.0 } }
        if let text = rawText.bytes {
            w.writeObject(fields, thenKey: "raw", text: text, then: extra)
        } else {
            w.write(.object(JSONObject(uniquePairs: fields + [("raw", raw)] + extra)))
        }
    }

    /// Every field but `raw`, in order (keys unique by construction).
    private var fields: [(String, JSONValue)] {
        [
            ("taskId", .string(taskId)),
            ("status", .string(status.rawValue)),
            ("successFlag", .int(successFlag.map(Int64.init))),
            ("progress", .double(progress)),
            ("resultUrls", .array(resultUrls.map { .string($0) })),
            ("errorCode", errorCode),
            ("errorMessage", .string(errorMessage)),
            ("createTime", .int(createTime)),
            ("completeTime", .int(completeTime)),
            ("family", .string(family.rawValue)),
            ("model", .string(model)),
            ("state", .string(state)),
            ("creditsConsumed", creditsConsumed.map { .double($0) } ?? .null),
            ("failCode", .string(failCode)),
            ("tag", .string(tag)),
            ("request", request),
        ]
    }

    /// The error a failed task ends a wait with; a Market failure carries failCode and failMsg.
    public var failure: KieError {
        var message = errorMessage.flatMap { $0.isEmpty ? nil : $0 } ?? "task ended \(status.rawValue)"
        if let failCode {
            message += " (failCode \(failCode))"
        } else if let code = errorCode.int64Value {
            message += " (errorCode \(code))"
        }
        let apiCode = errorCode.int64Value.flatMap { Int(exactly: $0) }
        return KieError(.taskFailed, message, apiCode: apiCode, taskId: taskId)
    }
}
