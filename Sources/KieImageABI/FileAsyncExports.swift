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

/// The shape of the file operations' async starts: check the out-parameter and callback, borrow
/// the client, read the arguments on this thread (`prepare`), and start the returned work.
func startResultOperation(
    _ c: kie_client_ref?, _ onEvent: kie_event_cb?, _ userdata: UnsafeMutableRawPointer?, _ outOp: UnsafeMutablePointer<kie_op>?,
    _ prepare: (KieClient) throws -> @Sendable (_ emit: @escaping @Sendable (WaitEvent) -> Void) async throws -> Operations.Final
) -> kie_status {
    withStatus {
        let out = try requireOut(outOp, "out_op")
        out.pointee = 0
        let handle = try ClientHandle.borrow(c)
        guard let onEvent else { throw KieError.invalidArgument("on_event is NULL", field: "on_event") }
        let work = try prepare(handle.client)
        out.pointee = try handle.operations.startFinal(callback: .init(fn: onEvent, userdata: userdata), work)
    }
}
