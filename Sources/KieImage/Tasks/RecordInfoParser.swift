/// Normalizes record-info `data` (docs/kie-api.md §2) into a `KieTask`, tolerating every
/// documented variant: `resultUrls` or `result_urls`, ms or "yyyy-MM-dd HH:mm:ss" timestamps,
/// progress as a decimal string or number, missing `status`, and any `successFlag` outside 0/1.
public enum RecordInfoParser {
    /// Parses a record of the given family: 4o record-info here, Market recordInfo in
    /// `MarketRecordParser`.
    public static func parse(_ data: JSONValue, family: TaskFamily, expectedTaskId: String? = nil) throws(KieError) -> KieTask {
        switch family {
        case .fourO: try parse(data, expectedTaskId: expectedTaskId)
        case .market: try MarketRecordParser.parse(data, expectedTaskId: expectedTaskId)
        }
    }

    /// Parses a record read's answer: the task of `envelope.data`, carrying the answer's own text
    /// of it for `raw` when the envelope kept it (compact, no repeated key; KieTask.jsonText copies it).
    public static func parse(_ envelope: Envelope, family: TaskFamily, expectedTaskId: String? = nil) throws(KieError) -> KieTask {
        var task = try parse(envelope.data, family: family, expectedTaskId: expectedTaskId)
        // Both families' parsers keep `data` as `raw`.
        task.rawText.bytes = envelope.dataText
        return task
    }

    public static func parse(_ data: JSONValue, expectedTaskId: String? = nil) throws(KieError) -> KieTask {
        guard let o = data.objectValue else {
            throw KieError(.protocol, "record-info data is not an object", taskId: expectedTaskId)
        }
        guard let taskId = o["taskId"]?.stringValue ?? expectedTaskId, !taskId.isEmpty else {
            throw KieError(.protocol, "record-info data has no taskId")
        }
        let flag = o["successFlag"]?.int64Value.map { Int($0) }
        let statusText = o["status"]?.stringValue
        let status = try normalizedStatus(text: statusText, flag: flag, taskId: taskId)

        var urls: [String] = []
        if let response = o["response"]?.objectValue {
            let list = response["resultUrls"] ?? response["result_urls"]
            urls = list?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        var progress = o["progress"]?.doubleValue ?? 0
        if !progress.isFinite { progress = 0 }
        progress = min(max(progress, 0), 1)
        if status == .success { progress = 1 }

        var request = JSONValue.null
        if let pj = o["paramJson"] {
            if let text = pj.stringValue, let parsed = try? JSON.parse(text) { request = parsed }
            else if pj.objectValue != nil { request = pj }
        }
        return KieTask(
            taskId: taskId, status: status, successFlag: flag, progress: progress, resultUrls: urls,
            errorCode: o["errorCode"] ?? .null, errorMessage: o["errorMessage"]?.stringValue,
            createTime: timestamp(o["createTime"]), completeTime: timestamp(o["completeTime"]),
            request: request, raw: data)
    }

    /// `status` wins when it is one of the four; otherwise `successFlag` decides. A flag other
    /// than 0/1 is terminal failure even when `status` still says GENERATING (docs/kie-api.md §2b).
    static func normalizedStatus(text: String?, flag: Int?, taskId: String) throws(KieError) -> KieTask.Status {
        // As kie.ai writes it first: uppercased() is Unicode-aware, and costly per record read.
        let fromText = text.flatMap { KieTask.Status(rawValue: $0) ?? KieTask.Status(rawValue: $0.uppercased()) }
        switch (fromText, flag) {
        case (.generating?, let f?) where f != 0 && f != 1:
            return f == 2 ? .createTaskFailed : .generateFailed
        case (let s?, _): return s
        case (nil, 0?): return .generating
        case (nil, 1?): return .success
        case (nil, 2?): return .createTaskFailed
        case (nil, _?): return .generateFailed
        case (nil, nil):
            throw KieError(.protocol, "record-info has neither a known status nor successFlag", taskId: taskId)
        }
    }

    /// Milliseconds since the epoch from an integer (ms, or seconds when small) or a
    /// "yyyy-MM-dd HH:mm:ss" string (read as UTC; the quickstart shows no zone).
    static func timestamp(_ v: JSONValue?) -> Int64? {
        guard let v, !v.isNull else { return nil }
        if case .string(let s) = v, let parsed = parseDateTime(s) { return parsed }
        // Negative values are no time at all (and `n * 1000` would trap for the most negative).
        guard let n = v.int64Value, n >= 0 else { return nil }
        return n < 100_000_000_000 ? n * 1000 : n
    }

    static func parseDateTime(_ s: String) -> Int64? {
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" || $0 == "T" })
        guard parts.count >= 6, let y = Int64(parts[0]), let mo = Int64(parts[1]), let d = Int64(parts[2]),
              let h = Int64(parts[3]), let mi = Int64(parts[4]), let se = Int64(parts[5].prefix(2)),
              (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi),
              (0...60).contains(se), (1970...9999).contains(y)
        else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = yy / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return ((days * 24 + h) * 60 + mi) * 60_000 + se * 1000
    }
}
