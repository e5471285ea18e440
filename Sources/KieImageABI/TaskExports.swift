// C API section 4. Tasks
import CKieImage
import KieImage

/// Validates and submits a request of either family (a 4o request, or a Market request
/// {"model","input"}); blocks until the task id is known. With journalPath set, its intent is
/// journaled before it is sent and its task id before this returns. *out_json receives
/// {"taskId","family","tag"?,"journalId"?,"warnings"?}. A request that may have reached the
/// server without an answer fails with KIE_E_UNKNOWN_OUTCOME and is never repeated (the journal
/// says "unknown"); body code 433 is KIE_E_QUOTA. Blocking: never call from a callback.
@c(kie_generate)
public func kieGenerate(_ c: kie_client_ref?, _ requestJSON: UnsafePointer<CChar>?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    blockingCall(c, outJSON, "out_json") { client in
        let validated = try RequestValidator.validate(json: CString.read(requestJSON, name: "request_json"))
        return { JSON.serialize(try await client.generate(validated).json) }
    }
}

/// One read of a task's record (4o record-info or Market recordInfo, by the family the client
/// knows for the id; an unknown id is asked of 4o, then Market); *out_task_json receives the
/// normalized task JSON ("taskId", "status", "successFlag", "progress", "resultUrls",
/// "errorCode", "errorMessage", "createTime", "completeTime", "family", "model", "state",
/// "creditsConsumed", "failCode", "tag", "request", "raw"). A failed task is not an error here:
/// read "status". An unknown task is KIE_E_NOT_FOUND. Blocking: never call from a callback.
@c(kie_task_get)
public func kieTaskGet(_ c: kie_client_ref?, _ taskId: UnsafePointer<CChar>?, _ outTaskJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    blockingCall(c, outTaskJSON, "out_task_json") { client in
        let id = try CString.read(taskId, name: "task_id")
        return { try await client.task(id).jsonText }
    }
}

/// Polls a task until it ends or the deadline passes (wait_json, may be NULL: {"deadlineMs",
/// "initialMs", "maxMs", "notFoundGraceMs", "family"}; "download" and "wait" are refused here:
/// use kie_download or the async calls). Progress events ({"event":"progress",...}, on change only) are
/// delivered to on_event (may be NULL) on the calling thread, with op 0, before this returns.
/// On success *out_task_json receives the task JSON; a failed task returns KIE_E_TASK_FAILED
/// with its message in kie_last_error; the deadline gives KIE_E_TIMEOUT.
/// Blocking: never call from a callback.
@c(kie_task_wait)
public func kieTaskWait(
    _ c: kie_client_ref?, _ taskId: UnsafePointer<CChar>?, _ waitJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?,
    _ outTaskJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    withStatus {
        let out = try requireOut(outTaskJSON, "out_task_json")
        out.pointee = nil
        let handle = try ClientHandle.borrow(c)
        let id = try CString.read(taskId, name: "task_id")
        let options = try WaitOptions.parse(json: CString.readOptional(waitJSON, name: "wait_json"), defaults: handle.client.config.poll,
                                            refusing: ["wait", "download"])
        let result = blocking(events: { event in
            guard let onEvent else { return }
            event.jsonText(tag: nil).withCString { onEvent(userdata, 0, kie_status(rawValue: event.status.rawValue), $0) }
        }) { post in
            try await handle.client.wait(id, options: options, onEvent: post).jsonText
        }
        try put(result.get(), out)
    }
}

/// Turns a result URL of a task into a direct download link valid for 20 minutes (4o tasks:
/// POST /api/v1/gpt4o-image/download-url with {taskId, url}; Market tasks: the common
/// POST /api/v1/common/download-url with {url}). An unknown task is KIE_E_NOT_FOUND. *out_url receives the link.
/// Blocking: never call from a callback.
@c(kie_download_url)
public func kieDownloadURL(
    _ c: kie_client_ref?, _ taskId: UnsafePointer<CChar>?, _ url: UnsafePointer<CChar>?,
    _ outURL: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    blockingCall(c, outURL, "out_url") { client in
        let id = try CString.read(taskId, name: "task_id")
        let link = try CString.read(url, name: "url")
        return { try await client.downloadURL(taskId: id, url: link) }
    }
}
