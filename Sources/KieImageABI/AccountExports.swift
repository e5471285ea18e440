import CKieImage
import KieImage

/// Remaining credits (a decimal; the API sends e.g. 5916.25) in *out_credits.
/// Blocking: never call from a callback.
@c(kie_credits)
public func kieCredits(_ c: kie_client_ref?, _ outCredits: UnsafeMutablePointer<Double>?) -> kie_status {
    withStatus {
        let out = try requireOut(outCredits, "out_credits")
        out.pointee = 0
        let handle = try ClientHandle.borrow(c)
        out.pointee = try blocking { _ in try await handle.client.credits() }.get()
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
        let file = try CString.read(path, name: "path")
        let options = try UploadOptions.parse(json: CString.readOptional(optionsJSON, name: "options_json"))
        return { JSON.serialize(try await client.upload(path: file, options: options).json) }
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
        let link = try CString.read(url, name: "url")
        let options = try UploadOptions.parse(json: CString.readOptional(optionsJSON, name: "options_json"))
        return { JSON.serialize(try await client.upload(url: link, options: options).json) }
    }
}
