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

/// Delivers a callback request as a receiver got it (docs/webhooks.md): headers_json is a JSON
/// object of strings (names case-insensitive; may carry ":path"), body the raw body (body_len
/// bytes). With webhookKey set the signature and its time window are mandatory (an unsigned
/// body is refused); the task is then confirmed by one read of kie (coalesced per task id: a
/// flood of callbacks for one id costs one read), its end recorded once in the journal (with its
/// record), and every wait on the task in this process ends at once with it; waits of clients
/// with "callbacks": true sharing the journal file in other processes see it within 200 ms.
/// *out_event_json: the webhook event plus "task" (the confirmed task JSON: the truth, the body
/// is unsigned), "duplicate" (true when the end was already recorded: a repeated or late
/// callback), and what a receiver answers kie, "receiverAnswer" (200) and "receiverBody" (a
/// refusal's detail JSON carries its own). Statuses: KIE_OK (first or duplicate), KIE_E_SIGNATURE (bad, missing or old
/// signature; no read made), KIE_E_NOT_FOUND (kie knows no such task for this account),
/// KIE_E_UNAVAILABLE (kie still reports the task running: nothing recorded; answer non-2xx so
/// kie retries), KIE_E_INVALID_ARGUMENT (bad headers JSON, not a callback body), or the read's
/// error. Blocking (one read at most): any thread, never from a callback.
@c(kie_webhook_deliver)
public func kieWebhookDeliver(
    _ c: kie_client_ref?, _ headersJSON: UnsafePointer<CChar>?, _ body: UnsafePointer<CChar>?, _ bodyLen: UInt,
    _ outEventJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> kie_status {
    blockingCall(c, outEventJSON, "out_event_json") { client in
        let headers = try webhookHeaders(CString.readOptional(headersJSON, name: "headers_json"))
        let bytes = try CString.readBytes(body, count: Int(clamping: bodyLen), name: "body")
        return { JSON.serialize(try await client.deliver(headers: headers, body: bytes).json) }
    }
}

/// headers_json as a map: NULL or "" is no headers; values must be strings.
private func webhookHeaders(_ text: String?) throws(KieError) -> [String: String] {
    guard let text, !text.isEmpty else { return [:] }
    let o: JSONObject
    do { o = try JSON.parseObject(text, what: "headers_json") } catch { throw .invalidArgument(error.description, field: "headers_json") }
    var headers: [String: String] = [:]
    for (name, value) in o.pairs {
        guard let s = value.stringValue else { throw .invalidArgument("headers_json: header '\(name)' must be a string", field: "headers_json") }
        headers[name] = s
    }
    return headers
}
