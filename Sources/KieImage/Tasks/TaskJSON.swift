/// Reads a task back from the normalized task JSON the library produced (or from a raw
/// record-info `data` object of either family), e.g. when a caller hands a task to kie_download.
/// The least it needs is `{"taskId", "resultUrls"}`.
public enum TaskJSON {
    public static func parse(_ text: String) throws(KieError) -> KieTask {
        let o: JSONObject
        do { o = try JSON.parseObject(text, what: "task_json") } catch { throw .invalidArgument(error.description) }
        let familyText = o["family"]?.stringValue
        let family = familyText.flatMap(TaskFamily.init(rawValue:))
        if familyText != nil && family == nil {
            throw .invalidArgument("task_json family must be \"4o\" or \"market\"", field: "task_json")
        }
        let tag = o["tag"]?.stringValue
        if let raw = o["raw"], let record = raw.objectValue,
           var task = try? RecordInfoParser.parse(
               raw, family: family ?? (RecordInfoParser.looksLikeMarket(record) ? .market : .fourO))
        {
            task.tag = tag
            return task
        }
        // A task without a raw record (normalized, or written by hand): rebuild the fields download
        // needs. It has no raw answer; keeping the normalized object as `raw` would make a
        // re-serialized task parse through the raw branch above and lose its resultUrls (found by
        // Tests/fuzz, taskjson target).
        guard let id = o["taskId"]?.stringValue, !id.isEmpty else {
            throw .invalidArgument("task_json needs a taskId", field: "task_json")
        }
        let urls = (o["resultUrls"] ?? o["result_urls"])?.arrayValue?.compactMap(\.stringValue) ?? []
        let status: KieTask.Status
        if let statusValue = o["status"], !statusValue.isNull {
            guard let s = statusValue.stringValue.flatMap(KieTask.Status.init(rawValue:)) else {
                throw .invalidArgument("task_json status must be one of GENERATING, SUCCESS, CREATE_TASK_FAILED, GENERATE_FAILED", field: "task_json")
            }
            status = s
        } else {
            status = urls.isEmpty ? .generating : .success
        }
        var progress = o["progress"]?.doubleValue ?? 0
        if !progress.isFinite { progress = 0 }
        var credits = o["creditsConsumed"]?.doubleValue
        if let c = credits, !c.isFinite { credits = nil }
        return KieTask(
            taskId: id, status: status, successFlag: o["successFlag"]?.int64Value.flatMap { Int(exactly: $0) },
            progress: min(max(progress, 0), 1), resultUrls: urls, errorCode: o["errorCode"] ?? .null,
            errorMessage: o["errorMessage"]?.stringValue, createTime: o["createTime"]?.int64Value,
            completeTime: o["completeTime"]?.int64Value, request: o["request"] ?? .null, raw: .null,
            family: family ?? .fourO, model: o["model"]?.stringValue, state: o["state"]?.stringValue,
            creditsConsumed: credits, failCode: o["failCode"]?.stringValue, tag: tag)
    }
}
