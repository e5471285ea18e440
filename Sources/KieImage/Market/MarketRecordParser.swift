/// Normalizes Market recordInfo `data` (docs/kie-market-api.md §3) into a `KieTask`. Both
/// recorded shapes parse (2026-04: no `creditsConsumed`; 2026-09: `successFlag`, `paramJson`,
/// `response` added), and every documented variant is tolerated (§7 rules 4–8): `param` and its
/// `input` are JSON inside strings, `resultJson` may be `""` or null, `failCode` string, number
/// or null, unknown `state` words mean still running.
public enum MarketRecordParser {
    public static func parse(_ data: JSONValue, expectedTaskId: String? = nil) throws(KieError) -> KieTask {
        guard let o = data.objectValue else {
            throw KieError(.protocol, "recordInfo data is not an object", taskId: expectedTaskId)
        }
        guard let taskId = nonEmpty(o["taskId"]?.stringValue) ?? expectedTaskId, !taskId.isEmpty else {
            throw KieError(.protocol, "recordInfo data has no taskId")
        }
        let state = nonEmpty(o["state"]?.stringValue)
        let flag = o["successFlag"]?.int64Value.flatMap { Int(exactly: $0) }
        let status = try normalizedStatus(state: state, flag: flag, taskId: taskId)

        var progress = 0.0
        if status == .success {
            progress = 1
        } else if let p = o["progress"]?.doubleValue, p.isFinite {
            progress = min(max(p / 100, 0), 1)
        }
        let failCode = code(o["failCode"])
        var credits = o["creditsConsumed"]?.doubleValue
        if let c = credits, !c.isFinite { credits = nil }
        return KieTask(
            taskId: taskId, status: status, successFlag: flag, progress: progress, resultUrls: resultUrls(o),
            errorCode: failCode.map { code in Int64(code).map { .int($0) } ?? .string(code) } ?? .null,
            errorMessage: nonEmpty(o["failMsg"]?.stringValue),
            createTime: RecordInfoParser.timestamp(o["createTime"]), completeTime: RecordInfoParser.timestamp(o["completeTime"]),
            request: request(o), raw: data, family: .market, model: nonEmpty(o["model"]?.stringValue), state: state,
            creditsConsumed: credits, failCode: failCode)
    }

    /// `state` decides (`success`, `fail`, anything else running); without it `successFlag`
    /// (0 running, 1 success, any other value failed).
    static func normalizedStatus(state: String?, flag: Int?, taskId: String) throws(KieError) -> KieTask.Status {
        switch (state?.lowercased(), flag) {
        case ("success"?, _): return .success
        case ("fail"?, _): return .generateFailed
        case (_?, _): return .generating
        case (nil, 0?): return .generating
        case (nil, 1?): return .success
        case (nil, _?): return .generateFailed
        case (nil, nil): throw KieError(.protocol, "recordInfo has neither a state nor a successFlag", taskId: taskId)
        }
    }

    /// `resultJson.resultUrls` (a JSON string, or an object), else `response.resultUrls`; all of
    /// them, in order.
    static func resultUrls(_ o: JSONObject) -> [String] {
        if let result = decoded(o["resultJson"]), let urls = result["resultUrls"]?.arrayValue {
            let list = urls.compactMap(\.stringValue)
            if !list.isEmpty { return list }
        }
        return o["response"]?["resultUrls"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The original request from `param` (else `paramJson`): `{"model", "input": {...}, ...}`
    /// with the doubly encoded `input` decoded; null when neither holds an object.
    static func request(_ o: JSONObject) -> JSONValue {
        guard let param = decoded(o["param"])?.objectValue ?? decoded(o["paramJson"])?.objectValue else { return .null }
        var out = JSONObject()
        if let model = param["model"] { out["model"] = model }
        if let input = param["input"] { out["input"] = decoded(input) ?? input }
        for (key, value) in param.pairs where key != "model" && key != "input" { out[key] = value }
        return .object(out)
    }

    /// A value that is JSON text holding an object or array, parsed; an object or array as is;
    /// nil for anything else (`""`, null, unparseable text).
    static func decoded(_ v: JSONValue?) -> JSONValue? {
        switch v {
        case .object?, .array?: return v
        case .string(let text)?:
            guard let parsed = try? JSON.parse(text) else { return nil }
            switch parsed {
            case .object, .array: return parsed
            default: return nil
            }
        default: return nil
        }
    }

    /// `failCode` as text: a string as is, an integral number in decimal; `""` and null are none.
    static func code(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?: return nonEmpty(s)
        case .int(let i)?: return String(i)
        case .double?: return v?.int64Value.map { String($0) }
        default: return nil
        }
    }

    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
