// libFuzzer target: the webhook parser and verifier. The input is split at the first four '\n':
// key, X-Webhook-Timestamp, X-Webhook-Signature, now (Unix seconds), then the body. A missing
// header is an empty line given as nil when the line is exactly "-".
// Property: any body the parser accepts verifies under a correct signature and fails under a
// signature made with another key.
import KieImage

func field(_ s: Substring) -> String? { s == "-" ? nil : String(s) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parts: [[UInt8]] = []
    var rest = bytes[...]
    for _ in 0..<4 {
        guard let nl = rest.firstIndex(of: 0x0A) else { break }
        parts.append(Array(rest[..<nl]))
        rest = rest[(nl + 1)...]
    }
    guard parts.count == 4 else {
        _ = try? WebhookEvent.parse(bytes)
        return 0
    }
    let text = parts.map { String(decoding: $0, as: UTF8.self) }
    let key = text[0], timestamp = field(Substring(text[1])), signature = field(Substring(text[2]))
    let now = Int64(text[3]) ?? 1_769_670_760
    let body = Array(rest)
    let verified = try? WebhookVerifier.verify(key: key, body: body, timestamp: timestamp, signature: signature, now: now)
    _ = verified?.json

    guard let event = try? WebhookEvent.parse(body) else {
        if verified != nil { fatalError("verify accepted a body the parser rejects") }
        return 0
    }
    _ = event.json
    guard !key.isEmpty else {
        if verified != nil { fatalError("verify accepted an empty key") }
        return 0
    }
    let good = WebhookVerifier.sign(key: key, taskId: event.taskId, timestamp: now)
    do {
        let v = try WebhookVerifier.verify(key: key, body: body, timestamp: String(now), signature: good, now: now)
        if v.taskId != event.taskId { fatalError("verified event names another task") }
    } catch {
        fatalError("a correct signature was rejected: \(error)")
    }
    let other = WebhookVerifier.sign(key: key + "x", taskId: event.taskId, timestamp: now)
    if (try? WebhookVerifier.verify(key: key, body: body, timestamp: String(now), signature: other, now: now)) != nil {
        fatalError("a signature made with another key was accepted")
    }
    return 0
}
