import Crypto
import FoundationEssentials

/// Webhook signature check (docs/kie-api.md §3a): `X-Webhook-Signature` is
/// base64(HMAC-SHA256(key, taskId + "." + timestamp)) and `X-Webhook-Timestamp` is Unix seconds.
/// The body is NOT signed: a valid signature only proves kie sent *some* callback for this task
/// at that time, so confirm the outcome with record-info (`KieClient.confirm`).
public enum WebhookVerifier {
    public static let defaultToleranceSeconds: Int64 = 300

    public static func verify(
        key: String, body: [UInt8], timestamp: String?, signature: String?, now: Int64,
        tolerance: Int64 = defaultToleranceSeconds
    ) throws(KieError) -> WebhookEvent {
        guard !key.isEmpty else { throw .invalidArgument("webhook key is empty", field: "key") }
        let event = try WebhookEvent.parse(body)
        guard let timestamp = timestamp.map({ String($0.trimmed) }), !timestamp.isEmpty else {
            throw KieError(.signature, "X-Webhook-Timestamp header is missing", taskId: event.taskId)
        }
        guard let signature = signature.map({ String($0.trimmed) }), !signature.isEmpty else {
            throw KieError(.signature, "X-Webhook-Signature header is missing", taskId: event.taskId)
        }
        guard let sent = Int64(timestamp) else {
            throw KieError(.signature, "X-Webhook-Timestamp is not Unix seconds", taskId: event.taskId)
        }
        let tol = max(0, tolerance)
        let (skew, overflow) = now.subtractingReportingOverflow(sent)
        guard !overflow, skew <= tol, skew >= -tol else {
            throw KieError(.signature, "X-Webhook-Timestamp is outside the \(tol) s window", taskId: event.taskId)
        }
        guard let mac = Data(base64Encoded: signature), mac.count == SHA256.byteCount else {
            throw KieError(.signature, "X-Webhook-Signature is not a base64 HMAC-SHA256", taskId: event.taskId)
        }
        let message = Data((event.taskId + "." + timestamp).utf8)
        let valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: SymmetricKey(data: Data(key.utf8)))
        guard valid else { throw KieError(.signature, "X-Webhook-Signature does not match", taskId: event.taskId) }
        return event
    }

    /// The signature kie would send (for tests and simulators of callers).
    public static func sign(key: String, taskId: String, timestamp: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((taskId + "." + String(timestamp)).utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }
}
