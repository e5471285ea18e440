/// Reads a task back from the normalized task JSON the library produced (or from a raw
/// record-info `data` object), e.g. when a caller hands a task to kie_download.
public enum TaskJSON {
    public static func parse(_ text: String) throws(KieError) -> KieTask {
        let o: JSONObject
        do { o = try JSON.parseObject(text, what: "task_json") } catch { throw .invalidArgument(error.description) }
        if let raw = o["raw"], raw.objectValue != nil, let task = try? RecordInfoParser.parse(raw) {
            return task
        }
        // A normalized task without raw: rebuild the fields download needs. It has no raw answer;
        // keeping the normalized object as `raw` would make a re-serialized task parse through the
        // raw branch above and lose its resultUrls (found by Tests/fuzz, taskjson target).
        guard let id = o["taskId"]?.stringValue, let status = o["status"]?.stringValue.flatMap(KieTask.Status.init(rawValue:)) else {
            throw .invalidArgument("task_json needs taskId and status", field: "task_json")
        }
        let urls = (o["resultUrls"] ?? o["result_urls"])?.arrayValue?.compactMap(\.stringValue) ?? []
        return KieTask(
            taskId: id, status: status, successFlag: o["successFlag"]?.int64Value.map { Int($0) },
            progress: o["progress"]?.doubleValue ?? 0, resultUrls: urls, errorCode: o["errorCode"] ?? .null,
            errorMessage: o["errorMessage"]?.stringValue, createTime: o["createTime"]?.int64Value,
            completeTime: o["completeTime"]?.int64Value, request: o["request"] ?? .null, raw: .null)
    }
}
