// C API section 8. Webhooks
import CKieImage
import KieImage

/// Parses a callback body (body_len bytes; need not be NUL-terminated) without checking any
/// signature. *out_event_json receives {"taskId","code","msg","success","resultUrls","raw"}.
/// The task id is taken from data.taskId, data.task_id, taskId or task_id. No client needed.
/// body_len is a size_t (Swift UInt); lengths above 64 MiB are refused.
@c(kie_webhook_parse)
public func kieWebhookParse(_ body: UnsafePointer<CChar>?, _ bodyLen: UInt, _ outEventJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> kie_status {
    withStatus {
        let out = try requireOut(outEventJSON, "out_event_json")
        out.pointee = nil
        let event = try WebhookEvent.parse(CString.readBytes(body, count: Int(clamping: bodyLen), name: "body"))
        try put(JSON.serialize(event.json), out)
    }
}

/// Verifies a callback: X-Webhook-Signature must equal base64(HMAC-SHA256(key, taskId + "." +
/// timestamp)), compared in constant time, and the timestamp (Unix seconds) must be within
/// tolerance_s of now_unix_s in either direction (tolerance_s <= 0 means the default 300; pass
/// now_unix_s 0 to use the system clock). KIE_E_SIGNATURE when a header is missing, the
/// signature is wrong or the time is outside the window. The body is NOT covered by kie's
/// signature: confirm the outcome with kie_task_get before acting on it. No client needed.
@c(kie_webhook_verify)
public func kieWebhookVerify(
    _ key: UnsafePointer<CChar>?, _ body: UnsafePointer<CChar>?, _ bodyLen: UInt,
    _ timestampHeader: UnsafePointer<CChar>?, _ signatureHeader: UnsafePointer<CChar>?,
    _ nowUnixS: Int64, _ toleranceS: Int32, _ outEventJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    withStatus {
        let out = try requireOut(outEventJSON, "out_event_json")
        out.pointee = nil
        let event = try WebhookVerifier.verify(
            key: CString.read(key, name: "key"), body: CString.readBytes(body, count: Int(clamping: bodyLen), name: "body"),
            timestamp: CString.readOptional(timestampHeader, name: "timestamp_header"),
            signature: CString.readOptional(signatureHeader, name: "signature_header"),
            now: nowUnixS == 0 ? WallClock.nowSeconds() : nowUnixS,
            tolerance: toleranceS <= 0 ? WebhookVerifier.defaultToleranceSeconds : Int64(toleranceS))
        try put(JSON.serialize(event.json), out)
    }
}
