// C API section 5. Asynchronous operations and events
import CKieImage
import KieImage

/// Validates request_json, then submits and waits in the background; returns at once with the
/// operation in *out_op. Events to on_event (required): {"event":"submitted","taskId","family",
/// "warnings"?},
/// {"event":"progress",...} on change, then exactly one final event: {"event":"completed",
/// "task":{...},"downloads":{...}} (downloads only when wait_json has "download":{"dir"}) with
/// KIE_OK, or {"event":"failed","error":{...}} with the error status. With wait_json
/// {"wait": false} the operation ends once the task is submitted: "submitted", then
/// {"event":"completed","result":{"taskId",...}} (kie_generate's answer); nothing is polled.
/// With delivery "thread" callbacks run on a library thread (one at a time per client); with
/// "queue" only inside kie_client_dispatch. userdata is passed through untouched. Validation
/// errors return at once.
@c(kie_generate_async)
public func kieGenerateAsync(
    _ c: kie_client_ref?, _ requestJSON: UnsafePointer<CChar>?, _ waitJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startOperation(c, onEvent, userdata, outOp, waitJSON: waitJSON) { client, options in
        let validated = try RequestValidator.validate(json: CString.read(requestJSON, name: "request_json"))
        guard !options.wait else {
            return (validated.tag, { emit in .event(try await client.run(validated, options: options, onEvent: emit)) })
        }
        return (validated.tag, { emit in
            let submitted = try await client.generate(validated)
            emit(.submitted(taskId: submitted.taskId, warnings: submitted.warnings, family: submitted.family))
            return .result(submitted.json)
        })
    }
}

/// Waits for an existing task in the background (see kie_generate_async for the events, without
/// "submitted"; wait_json as for kie_generate_async but "wait": false is refused); returns at
/// once with the operation in *out_op. Every event carries the task's "tag" when the journal
/// holds one.
@c(kie_task_wait_async)
public func kieTaskWaitAsync(
    _ c: kie_client_ref?, _ taskId: UnsafePointer<CChar>?, _ waitJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    // Only a generate can stop after submitting: "wait": false anywhere else is refused.
    startOperation(c, onEvent, userdata, outOp, waitJSON: waitJSON, refusing: ["wait"]) { client, options in
        let id = try CString.read(taskId, name: "task_id")
        try KieClient.checkTaskId(id)
        return (client.tag(ofTask: id), { emit in .event(try await client.waitAndDownload(id, options: options, onEvent: emit)) })
    }
}

/// kie_download in the background: returns at once with the operation in *out_op. Its one event
/// is final: {"event":"completed","result":{"files":[...]}} (kie_download's answer) with KIE_OK,
/// or {"event":"failed","error":{...}}; kie_cancel stops it (files not yet complete are never
/// left under their final names). on_event (required) runs as for kie_generate_async.
@c(kie_download_async)
public func kieDownloadAsync(
    _ c: kie_client_ref?, _ taskJSON: UnsafePointer<CChar>?, _ dir: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startOperation(c, onEvent, userdata, outOp) { client, _ in
        let download = try downloadWork(client, taskJSON, dir)
        return (nil, { _ in .result(try await download()) })
    }
}

/// kie_upload_file in the background: returns at once with the operation in *out_op; the final
/// event {"event":"completed","result":{"downloadUrl",...}} carries kie_upload_file's answer.
@c(kie_upload_file_async)
public func kieUploadFileAsync(
    _ c: kie_client_ref?, _ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startOperation(c, onEvent, userdata, outOp) { client, _ in
        let upload = try uploadWork(client, .file, path, optionsJSON)
        return (nil, { _ in .result(try await upload()) })
    }
}

/// kie_upload_url in the background: returns at once with the operation in *out_op; the final
/// event {"event":"completed","result":{"downloadUrl",...}} carries kie_upload_url's answer.
@c(kie_upload_url_async)
public func kieUploadURLAsync(
    _ c: kie_client_ref?, _ url: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startOperation(c, onEvent, userdata, outOp) { client, _ in
        let upload = try uploadWork(client, .url, url, optionsJSON)
        return (nil, { _ in .result(try await upload()) })
    }
}

/// Cancels an operation: its work stops promptly and it gets one final failed event with
/// KIE_E_CANCELLED (unless its final event was already emitted). KIE_E_NOT_FOUND when the
/// operation is unknown or already ended. Any thread, callbacks included.
@c(kie_cancel)
public func kieCancel(_ c: kie_client_ref?, _ op: kie_op) -> kie_status {
    withStatus {
        let handle = try ClientHandle.borrow(c)
        guard handle.operations.cancel(op) else { throw KieError(.notFound, "no operation \(op) in flight") }
    }
}

/// With delivery "queue": a file descriptor that is readable while events are pending (for
/// poll/epoll/select or an event loop's add_reader). Owned by the client: never read, write or
/// close it. -1 with delivery "thread" or a NULL client.
@c(kie_client_fd)
public func kieClientFD(_ c: kie_client_ref?) -> Int32 {
    guard let handle = try? ClientHandle.borrow(c) else { return -1 }
    return handle.operations.eventFD
}

/// With delivery "queue": runs the pending callbacks on the calling thread, first waiting up to
/// timeout_ms for one (0: don't wait; negative: wait until one arrives). *out_dispatched (may be
/// NULL) receives how many ran. KIE_E_INVALID_ARGUMENT with delivery "thread". Call it from one
/// thread at a time; callbacks may call any kie_ function but kie_client_free and the blocking calls.
@c(kie_client_dispatch)
public func kieClientDispatch(_ c: kie_client_ref?, _ timeoutMs: Int32, _ outDispatched: UnsafeMutablePointer<Int32>?) -> kie_status {
    withStatus {
        outDispatched?.pointee = 0
        let handle = try ClientHandle.borrow(c)
        guard handle.operations.queueMode else {
            throw KieError.invalidArgument("kie_client_dispatch needs config delivery \"queue\"", field: "delivery")
        }
        let n = handle.operations.dispatch(timeoutMs: timeoutMs)
        outDispatched?.pointee = n
    }
}
