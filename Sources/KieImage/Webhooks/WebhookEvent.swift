/// A callback body of either family: 4o `{"code","msg","data":{"taskId","info":{"result_urls"}|null}}`
/// (docs/kie-api.md §3) or Market `{"code","msg","data":{"taskId","state","resultJson",...}}`
/// (docs/kie-market-api.md §4). The body is not signed: confirm it with a read of the task.
public struct WebhookEvent: Sendable {
    public var taskId: String
    public var code: Int?
    public var msg: String?
    public var resultUrls: [String]
    public var raw: JSONValue

    public var isSuccess: Bool { code == 200 }

    public var json: JSONValue {
        [
            "taskId": .string(taskId), "code": .int(code.map(Int64.init)), "msg": .string(msg),
            "success": .bool(isSuccess), "resultUrls": .array(resultUrls.map { .string($0) }), "raw": raw,
        ]
    }

    /// Parses a callback body. The task id is the first non-empty of `data.taskId`,
    /// `data.task_id`, `taskId`, `task_id` (docs/kie-api.md §3a: which one kie signs is unverified).
    public static func parse(_ body: [UInt8]) throws(KieError) -> WebhookEvent {
        let value: JSONValue
        do { value = try JSON.parse(body) } catch { throw .invalidArgument("webhook body: \(error.description)", field: "body") }
        guard let o = value.objectValue else { throw .invalidArgument("webhook body is not a JSON object", field: "body") }
        let data = o["data"]?.objectValue
        let candidates = [data?["taskId"], data?["task_id"], o["taskId"], o["task_id"]]
        guard let taskId = candidates.lazy.compactMap({ $0?.stringValue }).first(where: { !$0.isEmpty }) else {
            throw .invalidArgument("webhook body has no taskId", field: "taskId")
        }
        // 4o: data.info.result_urls; Market: data.resultJson, a JSON string (or data.response)
        // holding resultUrls (docs/kie-market-api.md §4).
        let info = data?["info"]?.objectValue
        let marketResult = data?["resultJson"]?.stringValue.flatMap { try? JSON.parse(Array($0.utf8)) } ?? data?["response"]
        let list = info?["result_urls"] ?? info?["resultUrls"] ?? marketResult?["resultUrls"]
        let urls = list?.arrayValue?.compactMap(\.stringValue) ?? []
        return WebhookEvent(
            taskId: taskId, code: o["code"]?.int64Value.map { Int($0) }, msg: o["msg"]?.stringValue,
            resultUrls: urls, raw: value)
    }
}
