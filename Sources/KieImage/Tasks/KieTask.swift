/// A task normalized from record-info (API.md §1 "Task JSON"). The raw answer is kept.
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
    public var raw: JSONValue

    public var isTerminal: Bool { status != .generating }
    public var isSuccess: Bool { status == .success }

    public var json: JSONValue {
        .object([
            "taskId": .string(taskId),
            "status": .string(status.rawValue),
            "successFlag": .int(successFlag.map(Int64.init)),
            "progress": .double(progress),
            "resultUrls": .array(resultUrls.map { .string($0) }),
            "errorCode": errorCode,
            "errorMessage": .string(errorMessage),
            "createTime": .int(createTime),
            "completeTime": .int(completeTime),
            "request": request,
            "raw": raw,
        ])
    }

    /// The error a failed task ends a wait with.
    public var failure: KieError {
        var message = errorMessage.flatMap { $0.isEmpty ? nil : $0 } ?? "task ended \(status.rawValue)"
        if let code = errorCode.int64Value { message += " (errorCode \(code))" }
        return KieError(.taskFailed, message, apiCode: errorCode.int64Value.map { Int($0) }, taskId: taskId)
    }
}
