/// Events of a wait or an async operation, in order: submitted, progress (on change only),
/// then exactly one of completed / failed (docs/c-api.md, "Events").
public enum WaitEvent: Sendable {
    case submitted(taskId: String, warnings: [String], family: String = "4o")
    case progress(taskId: String, progress: Double, status: String)
    case completed(KieTask, downloads: JSONValue?)
    case failed(KieError)

    public var isFinal: Bool {
        switch self {
        case .completed, .failed: true
        default: false
        }
    }

    public var status: KieStatus {
        if case .failed(let e) = self { return e.status }
        return .ok
    }

    /// The event with the caller's tag of its work item (docs/c-api.md, "Events").
    public func json(tag: String?) -> JSONValue {
        guard let tag, case .object(var o) = json else { return json }
        o["tag"] = .string(tag)
        return .object(o)
    }

    /// `JSON.serialize(json(tag:))`, with a completed task written as `KieTask.jsonText` writes it
    /// (its `raw` copied from the answer when the client kept that text).
    public func jsonText(tag: String?) -> String {
        guard case .completed(let task, let downloads) = self else { return JSON.serialize(json(tag: tag)) }
        var w = JSONWriter(capacity: (task.rawText.bytes?.count ?? 0) + 640)
        w.append(#"{"event":"completed","task":"#)
        task.write(into: &w)
        if let downloads {
            w.append(#","downloads":"#)
            w.write(downloads)
        }
        if let tag {
            w.append(#","tag":"#)
            w.writeString(tag)
        }
        w.append("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    public var json: JSONValue {
        switch self {
        case .submitted(let id, let warnings, let family):
            var o: JSONObject = ["event": "submitted", "taskId": .string(id), "family": .string(family)]
            if !warnings.isEmpty { o["warnings"] = .array(warnings.map { .string($0) }) }
            return .object(o)
        case .progress(let id, let p, let s):
            return ["event": "progress", "taskId": .string(id), "progress": .double(p), "status": .string(s)]
        case .completed(let task, let downloads):
            var o: JSONObject = ["event": "completed", "task": task.json]
            if let downloads { o["downloads"] = downloads }
            return .object(o)
        case .failed(let e):
            return ["event": "failed", "error": e.json]
        }
    }
}
