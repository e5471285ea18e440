import CKieImage
import KieImage

/// kie_download in the background: returns at once with the operation in *out_op. Its one event
/// is final: {"event":"completed","result":{"files":[...]}} (kie_download's answer) with KIE_OK,
/// or {"event":"failed","error":{...}}; kie_cancel stops it (files not yet complete are never
/// left under their final names). on_event (required) runs as for kie_generate_async.
@c(kie_download_async)
public func kieDownloadAsync(
    _ c: kie_client_ref?, _ taskJSON: UnsafePointer<CChar>?, _ dir: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startResultOperation(c, onEvent, userdata, outOp) { client in
        let task = try TaskJSON.parse(CString.read(taskJSON, name: "task_json"))
        let directory = try CString.read(dir, name: "dir")
        return { _ in .result(["files": .array(try await client.download(task, to: directory).map(\.json))]) }
    }
}

/// kie_upload_file in the background: returns at once with the operation in *out_op; the final
/// event {"event":"completed","result":{"downloadUrl",...}} carries kie_upload_file's answer.
@c(kie_upload_file_async)
public func kieUploadFileAsync(
    _ c: kie_client_ref?, _ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startResultOperation(c, onEvent, userdata, outOp) { client in
        let file = try CString.read(path, name: "path")
        let options = try UploadOptions.parse(json: CString.readOptional(optionsJSON, name: "options_json"))
        return { _ in .result(try await client.upload(path: file, options: options).json) }
    }
}

/// kie_upload_url in the background: returns at once with the operation in *out_op; the final
/// event {"event":"completed","result":{"downloadUrl",...}} carries kie_upload_url's answer.
@c(kie_upload_url_async)
public func kieUploadURLAsync(
    _ c: kie_client_ref?, _ url: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?
) -> kie_status {
    startResultOperation(c, onEvent, userdata, outOp) { client in
        let link = try CString.read(url, name: "url")
        let options = try UploadOptions.parse(json: CString.readOptional(optionsJSON, name: "options_json"))
        return { _ in .result(try await client.upload(url: link, options: options).json) }
    }
}

/// The file operations' async starts: startFinalOperation without wait options or a tag.
func startResultOperation(
    _ c: kie_client_ref?, _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?,
    _ prepare: (KieClient) throws -> @Sendable (_ emit: @escaping @Sendable (WaitEvent) -> Void) async throws -> Operations.Final
) -> kie_status {
    startFinalOperation(c, nil, onEvent, userdata, outOp) { client, _ in (nil, try prepare(client)) }
}
