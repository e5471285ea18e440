/// The task a caller names by task JSON (kie_download's `task_json`): its `taskId`, and its
/// `family` when given. Nothing else is read: a whole task JSON as kie_task_get returns it and
/// `{"taskId": "..."}` name the same task, whose results come from the client
/// (`KieClient.download(taskId:family:to:)`), never from the caller (docs/c-api.md, "Files").
public struct TaskReference: Sendable, Equatable {
    public var taskId: String
    public var family: TaskFamily?

    public init(taskId: String, family: TaskFamily? = nil) {
        self.taskId = taskId
        self.family = family
    }

    public static func parse(_ text: String) throws(KieError) -> TaskReference {
        let o: JSONObject
        do { o = try JSON.parseObject(text, what: "task_json") } catch { throw .invalidArgument(error.description) }
        guard let id = o["taskId"]?.stringValue, !id.isEmpty else {
            throw .invalidArgument("task_json needs a taskId", field: "task_json")
        }
        let familyText = o["family"]?.stringValue
        let family = familyText.flatMap(TaskFamily.init(rawValue:))
        if familyText != nil && family == nil {
            throw .invalidArgument("task_json family must be \"4o\" or \"market\"", field: "task_json")
        }
        return TaskReference(taskId: id, family: family)
    }
}
