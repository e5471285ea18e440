// C API section 6. Files
import CKieImage
import KieImage

/// Saves every result of a successful task into dir, created if missing, in parallel; each file
/// is streamed to a temporary name and renamed into place when complete, named
/// <taskId>_<index>.<ext> after its content type. task_json names the task: only its "taskId"
/// (and "family", when present) is read, so kie_task_get's or kie_task_wait's answer will do, as
/// will {"taskId": "..."}. The results are those of the task as this client last read it
/// succeeded, else the task is read once. The API key is never sent to the file host; a failing
/// link is re-minted through download-url. *out_json receives {"files": [{"url","path","bytes",
/// "contentType"}]}. Blocking: never call from a callback.
@c(kie_download)
public func kieDownload(
    _ c: kie_client_ref?, _ taskJSON: UnsafePointer<CChar>?, _ dir: UnsafePointer<CChar>?,
    _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    blockingCall(c, outJSON, "out_json") { client in
        let download = try downloadWork(client, taskJSON, dir)
        return { JSON.serialize(try await download()) }
    }
}

/// Uploads a local file to the upload host (options_json may be NULL: {"uploadPath": "kieimage",
/// "fileName": name, "mode": "auto"|"stream"|"base64"}; reusing a fileName overwrites).
/// *out_json receives the host's answer with "downloadUrl", the URL to pass in filesUrl or
/// maskUrl (uploads are kept 24 hours to 3 days). Blocking: never call from a callback.
@c(kie_upload_file)
public func kieUploadFile(
    _ c: kie_client_ref?, _ path: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    blockingCall(c, outJSON, "out_json") { client in
        let upload = try uploadWork(client, .file, path, optionsJSON)
        return { JSON.serialize(try await upload()) }
    }
}

/// Has the upload host fetch a public http(s) URL and store it (POST /api/file-url-upload);
/// options_json as for kie_upload_file (may be NULL; "mode" does not apply). *out_json receives
/// the host's answer with "downloadUrl", as kie_upload_file's. KIE_E_INVALID_ARGUMENT for a URL
/// that is not absolute http(s); KIE_E_VALIDATION when the host refuses it (code 400), e.g. it
/// cannot fetch it. Blocking: never call from a callback.
@c(kie_upload_url)
public func kieUploadURL(
    _ c: kie_client_ref?, _ url: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
    _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    blockingCall(c, outJSON, "out_json") { client in
        let upload = try uploadWork(client, .url, url, optionsJSON)
        return { JSON.serialize(try await upload()) }
    }
}

/// kie_download's and kie_download_async's arguments, read on the caller's thread (the task
/// named by task_json, the directory), and the work that saves the files and answers
/// {"files": [...]}.
func downloadWork(
    _ client: KieClient, _ taskJSON: UnsafePointer<CChar>?, _ dir: UnsafePointer<CChar>?
) throws -> @Sendable () async throws -> JSONValue {
    let task = try TaskReference.parse(CString.read(taskJSON, name: "task_json"))
    try KieClient.checkTaskId(task.taskId)
    let directory = try CString.read(dir, name: "dir")
    return { ["files": .array(try await client.download(taskId: task.taskId, family: task.family, to: directory).map(\.json))] }
}

/// What an upload reads: a local file's path or a public URL.
enum UploadSource { case file, url }

/// kie_upload_file's and kie_upload_url's work, and their _async forms': the arguments are read
/// now (a bad one fails the call itself), the upload runs when the work is called.
func uploadWork(
    _ client: KieClient, _ source: UploadSource, _ text: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?
) throws -> @Sendable () async throws -> JSONValue {
    let value = try CString.read(text, name: source == .file ? "path" : "url")
    let options = try UploadOptions.parse(json: CString.readOptional(optionsJSON, name: "options_json"))
    switch source {
    case .file: return { try await client.upload(path: value, options: options).json }
    case .url: return { try await client.upload(url: value, options: options).json }
    }
}
